/**
 * The SessionRunHook protocol of TF 1.x (`session_run_hook.py`): what a MonitoredSession calls on each
 * hook around every `run`. Hooks extend `SessionRunHook` and override what they need.
 * @example class CountHook extends tf.train.SessionRunHook { afterRun() { this.n++; } n = 0; }
 */
import type { Session, FeedDict } from "../../client/session.js";
import type { Fetches } from "../../client/fetches.js";
import type { RunMetadata, RunOptions } from "../../transport/messages.js";
import type { Clock } from "../../util/env.js";
import type { Coordinator } from "../coordinator.js";

/** What a hook adds to the coming run: extra fetches, feeds and options (TF's namedtuple). */
export class SessionRunArgs {
  constructor(
    readonly fetches: Fetches,
    readonly feedDict: FeedDict | null = null,
    readonly options: RunOptions | null = null,
  ) {}
}

/** The run a hook is called around: the caller's own arguments, the raw session, and a stop request. */
export class SessionRunContext {
  private stopRequestedFlag = false;
  constructor(
    readonly originalArgs: SessionRunArgs,
    readonly session: Session,
  ) {}
  /** Asks the MonitoredSession to stop after this run; the run itself still returns its results. */
  requestStop(): void {
    this.stopRequestedFlag = true;
  }
  get stopRequested(): boolean {
    return this.stopRequestedFlag;
  }
}

/** What a hook gets back after the run: its own fetches' results (shaped as it asked), options, metadata. */
export class SessionRunValues {
  constructor(
    readonly results: unknown,
    readonly options: RunOptions,
    readonly runMetadata: RunMetadata,
  ) {}
}

/**
 * The base hook: every method is a no-op. Call order in a MonitoredSession: `begin` (graph still
 * mutable), `afterCreateSession` (after init/restore, each time a session is (re)created), then per
 * run `beforeRun` → one `session.run` → `afterRun`, and `end` when the session closes cleanly.
 */
export class SessionRunHook {
  begin(): void | Promise<void> {}
  afterCreateSession(_session: Session, _coord: Coordinator): void | Promise<void> {}
  beforeRun(_runContext: SessionRunContext): SessionRunArgs | null | undefined | Promise<SessionRunArgs | null | undefined> {
    return null;
  }
  afterRun(_runContext: SessionRunContext, _runValues: SessionRunValues): void | Promise<void> {}
  end(_session: Session): void | Promise<void> {}
}

/**
 * A hook with timers (periods in seconds, waits) implements this: a MonitoredSession hands it its
 * clock before `begin`, so periods follow the cluster's (possibly virtual) time. A hook built with
 * an explicit clock keeps it.
 */
export interface ClockUser {
  useClock(clock: Clock): void;
}

export function isClockUser(hook: unknown): hook is ClockUser {
  return typeof (hook as Partial<ClockUser>).useClock === "function";
}
