/**
 * NanTensorHook: fetches the loss with every run and fails (NanLossDuringTrainingError) or, with
 * `failOnNanLoss: false`, requests a stop when it is NaN.
 * @example const hook = new tf.train.NanTensorHook(loss);
 */
import { Tensor } from "../../graph/tensor.js";
import { log } from "../../util/logger.js";
import { SessionRunArgs, SessionRunHook } from "./session-run-hook.js";
import type { SessionRunContext, SessionRunValues } from "./session-run-hook.js";
import type { NDArray } from "../../tensor/ndarray.js";

/** TF's NanLossDuringTrainingError (a RuntimeError): not a preemption, so it ends training. */
export class NanLossDuringTrainingError extends Error {
  constructor() {
    super("NaN loss during training.");
    this.name = "NanLossDuringTrainingError";
  }
}

export class NanTensorHook extends SessionRunHook {
  private readonly failOnNanLoss: boolean;
  private readonly lossTensor: Tensor;

  /** `new NanTensorHook(loss, {failOnNanLoss})`, or `new NanTensorHook({lossTensor, failOnNanLoss})`. */
  constructor(loss: Tensor | { lossTensor: Tensor; failOnNanLoss?: boolean }, options: { failOnNanLoss?: boolean } = {}) {
    super();
    const o = loss instanceof Tensor ? options : { ...loss, ...options };
    this.lossTensor = loss instanceof Tensor ? loss : loss.lossTensor;
    this.failOnNanLoss = o.failOnNanLoss ?? true;
  }

  override beforeRun(): SessionRunArgs {
    return new SessionRunArgs(this.lossTensor);
  }

  override afterRun(runContext: SessionRunContext, runValues: SessionRunValues): void {
    const loss = runValues.results as NDArray;
    if (!Number.isNaN(Number(loss.item()))) return;
    const message = "Model diverged with loss = NaN.";
    if (this.failOnNanLoss) {
      log.warn(message);
      throw new NanLossDuringTrainingError();
    }
    log.warn(message);
    runContext.requestStop();
  }
}
