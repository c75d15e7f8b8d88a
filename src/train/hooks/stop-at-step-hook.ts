/**
 * StopAtStepHook: requests a stop once the global step reaches `lastStep` (or `numSteps` past the
 * step it found when the first session was created; a recovered session keeps that target).
 * @example const hook = new tf.train.StopAtStepHook({lastStep: 1000});
 */
import type { Session } from "../../client/session.js";
import type { Tensor } from "../../graph/tensor.js";
import { readStep, requireGlobalStepRead, stepOf } from "./hook-utils.js";
import { SessionRunArgs, SessionRunHook } from "./session-run-hook.js";
import type { SessionRunContext, SessionRunValues } from "./session-run-hook.js";

export interface StopAtStepHookOptions {
  numSteps?: number;
  lastStep?: number;
}

export class StopAtStepHook extends SessionRunHook {
  private readonly numSteps: number | null;
  private lastStepValue: number | null;
  private stepTensor: Tensor | null = null;

  constructor(options: StopAtStepHookOptions = {}) {
    super();
    if (options.numSteps !== undefined && options.lastStep !== undefined) throw new Error("Only one of num_steps or last_step can be specified.");
    if (options.numSteps === undefined && options.lastStep === undefined) throw new Error("One of num_steps or last_step must be specified.");
    this.numSteps = options.numSteps ?? null;
    this.lastStepValue = options.lastStep ?? null;
  }

  /** The step at which this hook stops (known once the first session exists). */
  get lastStep(): number | null {
    return this.lastStepValue;
  }

  override begin(): void {
    this.stepTensor = requireGlobalStepRead("StopAtStepHook");
  }

  override async afterCreateSession(session: Session): Promise<void> {
    if (this.lastStepValue === null) this.lastStepValue = (await readStep(session, this.stepTensor!)) + this.numSteps!;
  }

  override beforeRun(): SessionRunArgs {
    return new SessionRunArgs(this.stepTensor);
  }

  override async afterRun(runContext: SessionRunContext, runValues: SessionRunValues): Promise<void> {
    // The fetched step may predate this run's update: re-read before deciding.
    if (stepOf(runValues.results) + 1 < this.lastStepValue!) return;
    if ((await readStep(runContext.session, this.stepTensor!)) >= this.lastStepValue!) runContext.requestStop();
  }
}
