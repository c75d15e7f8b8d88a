/**
 * tf.train.MonitoredSession: a session that creates (initializes or restores) its model, starts
 * the graph's queue runners under a Coordinator, calls hooks around every run, and survives its
 * cluster: an AbortedError or UnavailableError (a restarted or unreachable task) closes the
 * session, creates a new one (the chief restores the latest checkpoint) and retries the same
 * fetches. TF's layers (_RecoverableSession → _CoordinatedSession → _HookedSession) are folded
 * into one object with the same rules (reference/tf-training.md section 3).
 * @example
 * const sess = await tf.train.MonitoredSession.create({sessionCreator: new tf.train.ChiefSessionCreator({master}), hooks});
 * while (!sess.shouldStop()) await sess.run(trainOp);
 * await sess.close();
 */
import type { RunArgs, Session } from "../client/session.js";
import type { FetchResult, Fetches } from "../client/fetches.js";
import { AbortedError, DeadlineExceededError, OutOfRangeError, UnavailableError } from "../errors/index.js";
import { getDefaultGraph, GraphKeys } from "../graph/graph.js";
import type { Graph } from "../graph/graph.js";
// The system clock with timers that keep the process alive: a training loop whose only pending
// work is a recovery wait must not exit in the middle of it.
import { keepAliveClock } from "../util/env.js";
import type { Clock } from "../util/env.js";
import { log, tracer } from "../util/logger.js";
import { Coordinator } from "./coordinator.js";
import { hookedRun } from "./hooked-run.js";
import { sleepMs } from "./hooks/hook-utils.js";
import { isClockUser } from "./hooks/session-run-hook.js";
import type { SessionRunHook } from "./hooks/session-run-hook.js";
import type { LoopThread } from "./loop-thread.js";
import { startQueueRunners } from "./queue-runner.js";
import { ChiefSessionCreator } from "./session-creators.js";
import type { SessionCreator } from "./session-creators.js";

const trace = tracer("train");

/** TF's _PREEMPTION_ERRORS: the only errors a MonitoredSession recovers from. */
export function isPreemptionError(err: unknown): boolean {
  return err instanceof AbortedError || err instanceof UnavailableError;
}

export interface MonitoredSessionOptions {
  /** ChiefSessionCreator() by default. */
  sessionCreator?: SessionCreator;
  hooks?: SessionRunHook[];
  /** How long close() waits for queue-runner threads after asking them to stop (120 s). */
  stopGracePeriodSecs?: number;
  /** Recover from AbortedError/UnavailableError (true; false is TF's SingularMonitoredSession). */
  shouldRecover?: boolean;
  /** How long one recovery may keep failing to create a session before giving up (7200 s). */
  maxRecoverySecs?: number;
  /** Pause between attempts to create a session after a preemption (0.5 s of the clock). */
  recoveryRetrySecs?: number;
  /** The clock of hooks' timers and every wait; handed to hooks and creators that take one. */
  clock?: Clock;
  /** The graph (the default graph at the time of the call). */
  graph?: Graph;
}

interface Live {
  sess: Session;
  coord: Coordinator;
  threads: LoopThread[];
  stopRequested: boolean;
}

export class MonitoredSession {
  readonly hooks: readonly SessionRunHook[];
  readonly clock: Clock;
  private readonly graphRef: Graph;
  private readonly creator: SessionCreator;
  private readonly graphWasFinalized: boolean;
  private live: Live | null = null;
  private closed = false;
  /** The close of a session given up on in shouldStop(); the next creation waits for it. */
  private closing: Promise<void> = Promise.resolve();
  private readonly started: Promise<void>;

  /** Starts creating the session at once; `await MonitoredSession.create(...)` waits for it. */
  constructor(private readonly options: MonitoredSessionOptions = {}) {
    this.graphRef = options.graph ?? getDefaultGraph();
    this.hooks = [...(options.hooks ?? [])];
    this.clock = options.clock ?? keepAliveClock;
    this.creator = options.sessionCreator ?? new ChiefSessionCreator({ graph: this.graphRef });
    this.graphWasFinalized = this.graphRef.isFinalized;
    for (const h of [...this.hooks, this.creator]) if (isClockUser(h)) h.useClock(this.clock);
    this.started = this.start();
    this.started.catch(() => {});
  }

  static async create(options: MonitoredSessionOptions = {}): Promise<MonitoredSession> {
    const s = new MonitoredSession(options);
    await s.ready();
    return s;
  }

  /** Resolves once the first session exists (hooks begun, model initialized or restored). */
  ready(): Promise<void> {
    return this.started;
  }

  /** The raw session of the moment (null while none exists or once closed). */
  protected currentSession(): Session | null {
    return this.live?.sess ?? null;
  }

  /** The graph, or null once closed. */
  get graph(): Graph | null {
    return this.closed ? null : this.graphRef;
  }

  private async start(): Promise<void> {
    // Hooks may still add ops in begin (the graph is finalized only when the session is created).
    // asDefault per call: an async function keeps the default graph only until its first await.
    for (const h of this.hooks) await this.graphRef.asDefault(() => h.begin());
    this.live = await this.createWithRecovery();
  }

  private async createOnce(): Promise<Live> {
    await this.closing;
    const sess = await this.creator.createSession();
    // Even OutOfRange is recorded: a thread's end of input must reach the training loop.
    const coord = new Coordinator({ cleanStopExceptionTypes: [], clock: this.clock });
    try {
      const threads = this.graphRef.getCollection(GraphKeys.QUEUE_RUNNERS).length > 0 ? startQueueRunners(sess, { coord }) : [];
      for (const h of this.hooks) await this.graphRef.asDefault(() => h.afterCreateSession(sess, coord));
      return { sess, coord, threads, stopRequested: false };
    } catch (err) {
      coord.requestStop();
      await sess.close().catch(() => {});
      throw err;
    }
  }

  /** TF loops forever here; this loop has a deadline (maxRecoverySecs) and pauses between tries. */
  private async createWithRecovery(): Promise<Live> {
    const deadlineMs = this.clock.nowMs() + (this.options.maxRecoverySecs ?? 7200) * 1000;
    for (;;) {
      try {
        return await this.createOnce();
      } catch (err) {
        if (!(this.options.shouldRecover ?? true) || !isPreemptionError(err)) throw err;
        if (this.clock.nowMs() >= deadlineMs) throw new DeadlineExceededError(`MonitoredSession could not create a session within ${this.options.maxRecoverySecs ?? 7200} s; the last error: ${(err as Error).message}`);
        trace(`An error was raised while a session was being created. This may be due to a preemption of a connected worker or parameter server. A new session will be created. Error: ${(err as Error).message}`);
        await sleepMs(this.clock, (this.options.recoveryRetrySecs ?? 0.5) * 1000);
      }
    }
  }

  /**
   * Runs `fetches` with every hook; returns the caller's results. A preemption error recreates the
   * session and retries the same fetches and feeds.
   */
  async run<F extends Fetches>(fetches: F, args: RunArgs = {}): Promise<FetchResult<F>> {
    await this.started;
    for (;;) {
      if (this.closed) throw new Error("Session is already closed.");
      this.live ??= await this.createWithRecovery();
      const live = this.live;
      if (live.stopRequested) throw new Error("Run called even after should_stop requested.");
      try {
        const out = await this.graphRef.asDefault(() => hookedRun(live.sess, this.hooks, fetches, args));
        live.stopRequested ||= out.stopRequested;
        return out.results as FetchResult<F>;
      } catch (err) {
        const cause = this.rootCause(live, err);
        if (!(this.options.shouldRecover ?? true) || !isPreemptionError(cause)) throw cause;
        trace(`An error was raised. This may be due to a preemption in a connected worker or parameter server. The current session will be closed and a new session will be created. Error: ${(cause as Error).message}`);
        this.live = null;
        await this.closeLive(live);
      }
    }
  }

  /** A non-preemption run error hides the preemption a thread saw: raise that, the root cause. */
  private rootCause(live: Live, err: unknown): unknown {
    if (isPreemptionError(err)) return err;
    try {
      live.coord.raiseRequestedException();
    } catch (recorded) {
      if (isPreemptionError(recorded)) return recorded;
    }
    return err;
  }

  /**
   * Whether training should stop: a hook asked, or the coordinator was stopped. An error a thread
   * reported is handled as TF does: a preemption recreates the session (and this returns false),
   * anything else makes this true.
   */
  shouldStop(): boolean {
    if (this.closed) return true;
    const live = this.live;
    if (!live) return false;
    try {
      live.coord.raiseRequestedException();
    } catch (err) {
      if (!isPreemptionError(err) || !(this.options.shouldRecover ?? true)) return true;
      trace(`An error was raised. This may be due to a preemption in a connected worker or parameter server. A new session will be created. Error: ${(err as Error).message}`);
      this.live = null;
      this.closing = this.closeLive(live);
      return false;
    }
    return live.stopRequested || live.coord.shouldStop();
  }

  /** Stops the threads (waiting at most the grace period) and closes the session; preemption errors only warn. */
  private async closeLive(live: Live): Promise<void> {
    live.coord.requestStop();
    try {
      await live.coord.join(live.threads, { stopGracePeriodMs: (this.options.stopGracePeriodSecs ?? 120) * 1000, ignoreLiveThreads: true });
    } catch (err) {
      if (!isPreemptionError(err)) throw err;
    } finally {
      await live.sess.close().catch((err: unknown) => {
        if (isPreemptionError(err)) {
          log.warn(`An error occurred when attempting to close the session. This may be due to a preemption in a connected worker or parameter server. Error: ${(err as Error).message}`);
        }
      });
    }
  }

  /**
   * Calls every hook's `end` (unless `error` is given and is not an OutOfRangeError: a failed run
   * ends no hook), then stops the threads and closes the session. Re-raises an error a thread
   * reported. A second close fails with "Session is already closed.".
   */
  async close(options: { error?: unknown } = {}): Promise<void> {
    await this.started.catch(() => {});
    if (this.closed) throw new Error("Session is already closed.");
    const live = this.live;
    const clean = options.error === undefined || options.error instanceof OutOfRangeError;
    try {
      if (clean && live) {
        for (const h of this.hooks) await this.graphRef.asDefault(() => h.end(live.sess));
      }
    } finally {
      this.closed = true;
      this.live = null;
      try {
        await this.closing;
        if (live) await this.closeLive(live);
      } finally {
        if (!this.graphWasFinalized) this.graphRef.unsafeUnfinalize();
      }
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.closed) await this.close();
  }
}
