/**
 * The argument of MonitoredSession.runStepFn (TF's _MonitoredSession.StepContext) and the error its
 * requestStop throws.
 * @example await sess.runStepFn(async (ctx) => { if (done) ctx.requestStop(); return ctx.runWithHooks(train); });
 */
import type { RunArgs, Session } from "../client/session.js";
import type { FetchResult, Fetches } from "../client/fetches.js";

/** What StepContext.requestStop throws (TF's StopIteration): a clean end, as OutOfRangeError is. */
export class StopIterationError extends Error {
  constructor(message = "step_fn has requested the iterations to stop.") {
    super(message);
    this.name = "StopIterationError";
  }
}

/** What a step function gets: the raw session, a hooked run, and a way to stop (TF's StepContext). */
export class StepContext {
  constructor(
    readonly session: Session,
    private readonly hookedRunFn: <F extends Fetches>(fetches: F, args?: RunArgs) => Promise<FetchResult<F>>,
  ) {}
  /** A run with every hook, as MonitoredSession.run does. */
  runWithHooks<F extends Fetches>(fetches: F, args: RunArgs = {}): Promise<FetchResult<F>> {
    return this.hookedRunFn(fetches, args);
  }
  /** Ends the iterations: throws StopIterationError, which close() treats as a clean exit. */
  requestStop(): never {
    throw new StopIterationError();
  }
}
