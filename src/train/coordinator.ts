/**
 * TF's Coordinator (python/training/coordinator.py): a stop flag shared by a set of loops, the
 * first exception that stopped them, and a join that waits for them and re-raises it.
 *
 * - requestStop(err): only the first report counts; an error of a clean-stop type
 *   (OutOfRangeError by default) counts as a plain stop. After join(), a real error is thrown
 *   at once, since nobody would see it otherwise.
 * - join(): waits until every thread has ended or a stop is requested, then gives live threads
 *   `stopGracePeriodMs` to end; re-raises the recorded error, else fails naming the stragglers.
 *
 * @example
 * const coord = new tf.train.Coordinator();
 * const threads = tf.train.startQueueRunners(sess, {coord});
 * try { for (;;) await sess.run(trainOp); } catch (e) { if (!(e instanceof tf.errors.OutOfRangeError)) throw e; }
 * coord.requestStop();
 * await coord.join(threads);
 */
import { OutOfRangeError } from "../errors/index.js";
import { keepAliveClock } from "../util/env.js";
import type { Clock } from "../util/env.js";
import { log } from "../util/logger.js";
import type { LoopThread } from "./loop-thread.js";

/** A class of errors (OpError subclasses, or any Error class) matched with instanceof. */
export type ErrorClass = abstract new (...args: never[]) => Error;

export interface CoordinatorOptions {
  /** Errors that count as a clean stop when passed to requestStop; default [OutOfRangeError]. */
  cleanStopExceptionTypes?: readonly ErrorClass[];
  /** The clock for timed waits (waitForStop, the join grace period); the real one by default. */
  clock?: Clock;
}

export interface JoinOptions {
  /** How long threads still alive after a stop may take to end; TF's 120 s by default. */
  stopGracePeriodMs?: number;
  /** Log, rather than throw, when threads are still alive after the grace period. */
  ignoreLiveThreads?: boolean;
}

/** TF's RuntimeError from Coordinator.join when threads outlive the grace period. */
export class ThreadsStillRunningError extends Error {
  constructor(readonly threadNames: string[]) {
    super(`Coordinator stopped with threads still running: ${threadNames.join(" ")}`);
    this.name = "ThreadsStillRunningError";
  }
}

const DEFAULT_GRACE_PERIOD_MS = 120_000;

export class Coordinator {
  private readonly cleanStopTypes: readonly ErrorClass[];
  /** The clock of timed waits; LoopThread.loop paces itself by it too. */
  readonly clock: Clock;
  private stopped = false;
  /** The first error reported, boxed so that a thrown `undefined` still counts. */
  private recorded: { error: unknown } | null = null;
  private joinedFlag = false;
  private readonly registered = new Set<LoopThread>();
  /** Callbacks of pending waitForStop/join waits; they outlive clearStop, as Python's Event waiters do. */
  private readonly stopWaiters = new Set<() => void>();
  private controller = new AbortController();

  constructor(options: CoordinatorOptions = {}) {
    const types = options.cleanStopExceptionTypes ?? [OutOfRangeError];
    for (const t of types) {
      if (typeof t !== "function") throw new TypeError(`cleanStopExceptionTypes must be a list of error classes, but saw: ${String(t)}`);
    }
    this.cleanStopTypes = [...types];
    this.clock = options.clock ?? keepAliveClock;
  }

  private isCleanStop(err: unknown): boolean {
    return this.cleanStopTypes.some((t) => err instanceof t);
  }

  /**
   * Asks every thread to stop. `err` (the reason) is recorded when it is the first report and
   * not a clean-stop error; join() re-raises it. After join(), a real error is thrown at once.
   */
  requestStop(err?: unknown): void {
    const real = err !== undefined && err !== null && !this.isCleanStop(err);
    if (this.joinedFlag && real) throw err;
    if (this.stopped) return;
    if (real && this.recorded === null) this.recorded = { error: err };
    this.stopped = true;
    this.controller.abort(this.recorded?.error);
    const waiters = [...this.stopWaiters];
    this.stopWaiters.clear();
    for (const w of waiters) w();
  }

  shouldStop(): boolean {
    return this.stopped;
  }

  /** Aborted when a stop is requested: hand it to anything cancellable. A new one after clearStop. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Whether join() has run (until clearStop). */
  get joined(): boolean {
    return this.joinedFlag;
  }

  /** Resolves true once a stop is requested, or false after `timeoutMs` (no timeout: waits for the stop). */
  waitForStop(timeoutMs?: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(true);
    if (timeoutMs !== undefined && timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      let cancelTimer = (): void => {};
      const onStop = (): void => {
        cancelTimer();
        resolve(true);
      };
      this.stopWaiters.add(onStop);
      if (timeoutMs !== undefined) {
        cancelTimer = this.clock.setTimer(timeoutMs, () => {
          this.stopWaiters.delete(onStop);
          resolve(this.stopped);
        });
      }
    });
  }

  /**
   * Runs `fn`; any exception it throws requests a stop with it and is swallowed (TF's
   * stop_on_exception context manager). Resolves to fn's result, or undefined after an exception.
   */
  async stopOnException<T>(fn: () => T | Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      this.requestStop(err);
      return undefined;
    }
  }

  /** Clears the stop, the recorded error and the joined state, so the coordinator can be reused. */
  clearStop(): void {
    this.stopped = false;
    this.recorded = null;
    this.joinedFlag = false;
    if (this.controller.signal.aborted) this.controller = new AbortController();
  }

  /** Throws the recorded error, if any. */
  raiseRequestedException(): void {
    if (this.recorded) throw this.recorded.error;
  }

  /** Adds a thread that every join() waits for. */
  register(thread: LoopThread): void {
    this.registered.add(thread);
  }

  /**
   * Waits for the registered threads and `threads`: until all have ended or a stop is requested,
   * then at most `stopGracePeriodMs` for those still alive. Re-raises the recorded error; else
   * fails with ThreadsStillRunningError when some are still alive.
   */
  async join(threads: Iterable<LoopThread> = [], options: JoinOptions = {}): Promise<void> {
    const all = [...new Set([...this.registered, ...threads])];
    const alive = (): LoopThread[] => all.filter((t) => t.isAlive());
    // Wait for all threads to end or a stop; re-checked, since a thread may be started meanwhile.
    for (let live = alive(); live.length > 0 && !this.stopped; live = alive()) {
      await this.untilStopOr(Promise.all(live.map((t) => t.done)));
    }
    const live = alive();
    if (live.length > 0) await this.withinMs(Promise.all(live.map((t) => t.done)), options.stopGracePeriodMs ?? DEFAULT_GRACE_PERIOD_MS);
    const stragglers = alive().map((t) => t.name);
    this.joinedFlag = true;
    this.registered.clear();
    if (this.recorded) throw this.recorded.error;
    if (stragglers.length > 0) {
      const err = new ThreadsStillRunningError(stragglers);
      if (options.ignoreLiveThreads) log.info(err.message);
      else throw err;
    }
  }

  /** Resolves when `p` settles or a stop is requested, whichever comes first. */
  private untilStopOr(p: Promise<unknown>): Promise<void> {
    return new Promise((resolve) => {
      const onStop = (): void => resolve();
      this.stopWaiters.add(onStop);
      void p.then(() => {
        this.stopWaiters.delete(onStop);
        resolve();
      });
    });
  }

  /** Resolves when `p` settles or after `ms`, whichever comes first. */
  private withinMs(p: Promise<unknown>, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.clock.setTimer(Math.max(0, ms), resolve);
      void p.then(() => {
        cancel();
        resolve();
      });
    });
  }
}
