/**
 * StepCounterHook: measures global steps per second every `everyNSteps` steps (or `everyNSecs`),
 * logs "global_step/sec: <rate>" through the project logger and, when a summary writer is at hand
 * (given, or the one for `outputDir`), writes it as a scalar summary at that step.
 * @example const hook = new tf.train.StepCounterHook({everyNSteps: 100, outputDir: "/train"});
 */
import type { Tensor } from "../../graph/tensor.js";
import type { Clock } from "../../util/env.js";
import { log, tracer } from "../../util/logger.js";
import { getGlobalStep } from "../global-step.js";
import { formatG, readStep, requireGlobalStepRead, stepOf } from "./hook-utils.js";
import { SecondOrStepTimer } from "./second-or-step-timer.js";
import { SessionRunArgs, SessionRunHook } from "./session-run-hook.js";
import type { ClockUser, SessionRunContext, SessionRunValues } from "./session-run-hook.js";
import { summaryWriterFor } from "./summary-writer.js";
import type { SummaryWriterLike } from "./summary-writer.js";

/** INFO-level messages of TF (hidden by default there too): TFCLUSTER_TRACE=train shows them. */
const trace = tracer("train");

export interface StepCounterHookOptions {
  /** 100 unless `everyNSecs` is given. */
  everyNSteps?: number | null;
  everyNSecs?: number | null;
  outputDir?: string;
  summaryWriter?: SummaryWriterLike;
  clock?: Clock;
}

const MAX_NOT_INCREASED_WARNINGS = 5;

export class StepCounterHook extends SessionRunHook implements ClockUser {
  private readonly timer: SecondOrStepTimer;
  private readonly ownClock: boolean;
  private stepTensor: Tensor | null = null;
  private writer: SummaryWriterLike | null = null;
  private tag = "global_step/sec";
  private lastStale: number | null = null;
  private warnings = 0;
  /** The last rate measured (steps per second), for callers that want it without a writer. */
  lastStepsPerSec: number | null = null;

  constructor(private readonly options: StepCounterHookOptions = {}) {
    super();
    const steps = options.everyNSteps === undefined ? (options.everyNSecs == null ? 100 : null) : options.everyNSteps;
    const secs = options.everyNSecs ?? null;
    if ((steps === null) === (secs === null)) throw new Error("exactly one of every_n_steps and every_n_secs should be provided.");
    this.timer = new SecondOrStepTimer({ everySteps: steps, everySecs: secs, ...(options.clock ? { clock: options.clock } : {}) });
    this.ownClock = options.clock !== undefined;
  }

  useClock(clock: Clock): void {
    if (!this.ownClock) this.timer.clock = clock;
  }

  override begin(): void {
    this.writer = this.options.summaryWriter ?? (this.options.outputDir ? summaryWriterFor(this.options.outputDir) : null);
    this.stepTensor = requireGlobalStepRead("StepCounterHook");
    this.tag = `${getGlobalStep()!.op.name}/sec`;
  }

  override beforeRun(): SessionRunArgs {
    return new SessionRunArgs(this.stepTensor);
  }

  override async afterRun(runContext: SessionRunContext, runValues: SessionRunValues): Promise<void> {
    const stale = stepOf(runValues.results);
    if (this.timer.shouldTriggerForStep(stale + 1)) {
      const step = await readStep(runContext.session, this.stepTensor!);
      if (this.timer.shouldTriggerForStep(step)) {
        const [elapsedSecs, elapsedSteps] = this.timer.updateLastTriggeredStep(step);
        // The first trigger only starts the clock.
        if (elapsedSecs !== null) await this.record(elapsedSteps! / elapsedSecs, step);
      }
    }
    if (stale === this.lastStale && this.warnings < MAX_NOT_INCREASED_WARNINGS) {
      this.warnings++;
      log.warn(
        `It seems that global step (tf.train.get_global_step) has not been increased. Current value (could be stable): ${stale} vs previous value: ${this.lastStale}. ` +
          "You could increase the global step by passing tf.train.get_global_step() to Optimizer.apply_gradients or Optimizer.minimize.",
      );
    }
    this.lastStale = stale;
  }

  override async end(): Promise<void> {
    await this.writer?.flush?.();
  }

  private async record(stepsPerSec: number, step: number): Promise<void> {
    this.lastStepsPerSec = stepsPerSec;
    trace(`${this.tag}: ${formatG(stepsPerSec)}`);
    await this.writer?.addSummary({ value: [{ tag: this.tag, simpleValue: stepsPerSec }] }, step);
  }
}
