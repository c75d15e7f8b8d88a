/**
 * GlobalStepWaiterHook: holds this worker's first run until the global step reaches
 * `waitUntilStep` (for staggered starts), polling every 0.5 s of the clock's time, for at most
 * `maxWaitSecs` (then DeadlineExceededError).
 * @example const hook = new tf.train.GlobalStepWaiterHook(taskIndex * 10);
 */
import { DeadlineExceededError } from "../../errors/index.js";
import type { Tensor } from "../../graph/tensor.js";
import { systemClock } from "../../util/env.js";
import type { Clock } from "../../util/env.js";
import { tracer } from "../../util/logger.js";
import { readStep, requireGlobalStepRead, sleepMs } from "./hook-utils.js";
import { SessionRunHook } from "./session-run-hook.js";
import type { ClockUser, SessionRunContext } from "./session-run-hook.js";

/** INFO-level messages of TF (hidden by default there too): TFCLUSTER_TRACE=train shows them. */
const trace = tracer("train");

export interface GlobalStepWaiterHookOptions {
  clock?: Clock;
  /** Between reads of the step (TF: 0.5 s). */
  pollSecs?: number;
  /** How long to wait at most (7200 s, MonitoredTrainingSession's max_wait_secs). */
  maxWaitSecs?: number;
}

export class GlobalStepWaiterHook extends SessionRunHook implements ClockUser {
  private stepTensor: Tensor | null = null;
  private started = false;
  private clock: Clock;
  private readonly ownClock: boolean;

  constructor(
    readonly waitUntilStep: number,
    private readonly options: GlobalStepWaiterHookOptions = {},
  ) {
    super();
    this.clock = options.clock ?? systemClock;
    this.ownClock = options.clock !== undefined;
  }

  useClock(clock: Clock): void {
    if (!this.ownClock) this.clock = clock;
  }

  override begin(): void {
    this.started = this.waitUntilStep <= 0;
    this.stepTensor = requireGlobalStepRead("_GlobalStepWaiterHook");
  }

  override async beforeRun(runContext: SessionRunContext): Promise<null> {
    if (this.started) return null;
    trace(`Waiting for global step ${this.waitUntilStep} before starting training.`);
    const deadlineMs = this.clock.nowMs() + (this.options.maxWaitSecs ?? 7200) * 1000;
    let lastLogged = 0;
    for (;;) {
      const step = await readStep(runContext.session, this.stepTensor!);
      if (step >= this.waitUntilStep) break;
      if (step - lastLogged > 1000) {
        trace(`Waiting for global step ${this.waitUntilStep} before starting training. Current step is ${step}.`);
        lastLogged = step;
      }
      if (this.clock.nowMs() >= deadlineMs) throw new DeadlineExceededError(`Global step did not reach ${this.waitUntilStep} within ${this.options.maxWaitSecs ?? 7200} s (it is ${step})`);
      await sleepMs(this.clock, (this.options.pollSecs ?? 0.5) * 1000);
    }
    this.started = true;
    return null;
  }
}
