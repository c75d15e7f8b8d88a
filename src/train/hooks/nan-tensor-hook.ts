/**
 * NanTensorHook: fetches the loss with every run and fails (NanLossDuringTrainingError) or, with
 * `failOnNanLoss: false`, requests a stop when it is NaN.
 * @example const hook = new tf.train.NanTensorHook(loss);
 */
import type { Tensor } from "../../graph/tensor.js";
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

  constructor(
    private readonly lossTensor: Tensor,
    options: { failOnNanLoss?: boolean } = {},
  ) {
    super();
    this.failOnNanLoss = options.failOnNanLoss ?? true;
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
