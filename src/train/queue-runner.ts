/**
 * TF's QueueRunner (python/training/queue_runner_impl.py): loops that keep running enqueue ops
 * into one queue, and the QUEUE_RUNNERS collection that startQueueRunners starts.
 *
 * - One loop per enqueue op (the same op may appear several times: that many parallel loops).
 * - A loop whose op fails with a queue-closed error (OutOfRangeError by default: its input ran
 *   out) ends; the last loop of the session to end that way runs `closeOp`, so consumers drain
 *   the queue and then get OutOfRangeError.
 * - Any other error: with a coordinator, it stops the coordinator with it (and join() re-raises
 *   it); without one, it is kept in `exceptionsRaised` and the queue stays open, as in TF.
 * - With a coordinator, one more loop waits for the stop and runs `cancelOp`, which unblocks
 *   enqueues waiting on a full queue.
 *
 * Forgotten runners: a dequeue from a queue whose runner was never started waits forever (TF's
 * classic silent hang, tensorflow/tensorflow#7945). `unstartedQueueRunners(sess)` lists them, and
 * `warnIfBlockedOnUnstartedQueueRunners(sess, step)` logs one warning per session when a step
 * has been waiting for a while and such runners exist; Session.run is meant to call it.
 *
 * @example
 * const qr = new tf.train.QueueRunner(q, [enqueueOp, enqueueOp]);
 * tf.train.addQueueRunner(qr);
 * const coord = new tf.train.Coordinator();
 * const threads = tf.train.startQueueRunners(sess, {coord});
 */
import { Session } from "../client/session.js";
import { OpError, OutOfRangeError } from "../errors/index.js";
import { GraphKeys, Operation } from "../graph/graph.js";
import type { Graph } from "../graph/graph.js";
import type { QueueBase } from "../graph/ops/data-flow.js";
import { Tensor } from "../graph/tensor.js";
import { systemClock } from "../util/env.js";
import type { Clock } from "../util/env.js";
import { log, tracer } from "../util/logger.js";
import type { Coordinator, ErrorClass } from "./coordinator.js";
import { LoopThread, yieldToEventLoop } from "./loop-thread.js";

const trace = tracer("coord");

/** What a runner needs of a session: its graph and `run` (tf.Session fits). */
export interface RunnerSession {
  readonly graph: Graph;
  run(fetches: Operation | Tensor): Promise<unknown>;
  /** The clock of the cluster the session talks to (Session.clock); the real one when absent. */
  readonly clock?: Clock;
}

/** What a runner needs of a queue: its name and the close op builder (any queue class fits). */
export type RunnerQueue = Pick<QueueBase, "name" | "close" | "queueRef">;

export interface QueueRunnerOptions {
  /** Run by the last loop to see its input end; default `queue.close()`. */
  closeOp?: Operation;
  /** Run when the coordinator stops; default `queue.close({cancelPendingEnqueues: true})`. */
  cancelOp?: Operation;
  /** Errors that mean "the input has ended"; default [OutOfRangeError]. */
  queueClosedExceptionTypes?: readonly ErrorClass[];
}

export interface CreateThreadsOptions {
  coord?: Coordinator;
  /** Start the loops at once; default false (true in startQueueRunners). */
  start?: boolean;
}

/** Sessions in which a runner's loops have been started, for the forgotten-runner diagnostic. */
const startedIn = new WeakMap<QueueRunner, WeakSet<RunnerSession>>();

function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

function isOpErrorClass(t: unknown): boolean {
  return typeof t === "function" && (t === OpError || (t as { prototype: unknown }).prototype instanceof OpError);
}

/**
 * Loops that run `enqueueOps` into `queue` until their input ends (see the file comment).
 * @example tf.train.addQueueRunner(new tf.train.QueueRunner(q, [enq, enq, enq]));
 */
export class QueueRunner {
  readonly queue: RunnerQueue;
  readonly enqueueOps: readonly (Operation | Tensor)[];
  readonly closeOp: Operation;
  readonly cancelOp: Operation;
  readonly queueClosedExceptionTypes: readonly ErrorClass[];
  /** Loops still running per session; a session with live loops gets no new ones. */
  private readonly runsPerSession = new Map<RunnerSession, number>();
  private exceptions: unknown[] = [];

  constructor(queue: RunnerQueue, enqueueOps: readonly (Operation | Tensor)[], options: QueueRunnerOptions = {}) {
    if (!queue || !enqueueOps || enqueueOps.length === 0) throw new RangeError("Must provide queue and enqueue_ops.");
    const types = options.queueClosedExceptionTypes ?? [OutOfRangeError];
    if (!Array.isArray(types) || types.length === 0 || !types.every(isOpErrorClass)) {
      throw new TypeError(
        `queueClosedExceptionTypes, when provided, must be a non-empty list of tf.errors types, but saw: ${String(types)}`,
      );
    }
    for (const op of enqueueOps) {
      if (!(op instanceof Operation) && !(op instanceof Tensor)) throw new TypeError(`enqueueOps must be Operations or Tensors, but saw: ${String(op)}`);
    }
    this.queue = queue;
    this.enqueueOps = [...enqueueOps];
    this.queueClosedExceptionTypes = [...types];
    const graph = queue.queueRef.graph;
    this.closeOp = options.closeOp ?? graph.asDefault(() => queue.close());
    this.cancelOp = options.cancelOp ?? graph.asDefault(() => queue.close({ cancelPendingEnqueues: true }));
  }

  /** The queue's name. */
  get name(): string {
    return this.queue.name;
  }

  /** Errors the loops of the last createThreads ended with, when there was no coordinator. */
  get exceptionsRaised(): unknown[] {
    return [...this.exceptions];
  }

  /** Whether loops of this runner were ever started for `sess`. */
  startedFor(sess: RunnerSession): boolean {
    return startedIn.get(this)?.has(sess) ?? false;
  }

  /**
   * One loop per enqueue op (named `QueueRunnerThread-<queue>-<op>`), plus, with a coordinator,
   * the `close_on_stop` loop; all registered with the coordinator. Returns [] while loops of an
   * earlier call are still running for this session.
   */
  createThreads(sess: RunnerSession, options: CreateThreadsOptions = {}): LoopThread[] {
    const { coord } = options;
    if ((this.runsPerSession.get(sess) ?? 0) > 0) return [];
    this.runsPerSession.set(sess, this.enqueueOps.length);
    this.exceptions = [];
    const threads = this.enqueueOps.map(
      (op) => new LoopThread(() => this.runLoop(sess, op, coord), { name: `QueueRunnerThread-${this.name}-${op.name}` }),
    );
    if (coord) {
      threads.push(new LoopThread(() => this.closeOnStop(sess, coord), { name: `QueueRunnerThread-${this.name}-close_on_stop` }));
    }
    for (const t of threads) {
      coord?.register(t);
      if (options.start) t.start();
    }
    // Loops started later by hand mark themselves when their body begins.
    if (options.start) this.markStarted(sess);
    return threads;
  }

  private markStarted(sess: RunnerSession): void {
    let set = startedIn.get(this);
    if (!set) startedIn.set(this, (set = new WeakSet()));
    set.add(sess);
  }

  private isQueueClosed(err: unknown): boolean {
    return this.queueClosedExceptionTypes.some((t) => err instanceof t);
  }

  /** One fewer live loop for `sess`; returns how many are left. */
  private decrement(sess: RunnerSession): number {
    const left = (this.runsPerSession.get(sess) ?? 1) - 1;
    if (left > 0) this.runsPerSession.set(sess, left);
    else this.runsPerSession.delete(sess);
    return left;
  }

  private async runLoop(sess: RunnerSession, op: Operation | Tensor, coord: Coordinator | undefined): Promise<void> {
    this.markStarted(sess);
    let decremented = false;
    try {
      while (!coord?.shouldStop()) {
        try {
          await sess.run(op);
        } catch (err) {
          if (!this.isQueueClosed(err)) throw err;
          decremented = true;
          // Only the last loop to see the end closes the queue: the others may still enqueue.
          if (this.decrement(sess) === 0) await this.runIgnoringErrors(sess, this.closeOp);
          return;
        }
        // A step that never waits resolves in microtasks only; let timers and I/O in between.
        await yieldToEventLoop(sess.clock ?? coord?.clock);
      }
    } catch (err) {
      if (coord) coord.requestStop(err);
      else {
        this.exceptions.push(err);
        throw err;
      }
    } finally {
      if (!decremented) this.decrement(sess);
    }
  }

  private async closeOnStop(sess: RunnerSession, coord: Coordinator): Promise<void> {
    await coord.waitForStop();
    await this.runIgnoringErrors(sess, this.cancelOp);
  }

  /** Runs a close or cancel op; TF ignores their errors (an already closed queue, a closed session). */
  private async runIgnoringErrors(sess: RunnerSession, op: Operation): Promise<void> {
    try {
      await sess.run(op);
    } catch (err) {
      trace(`ignored exception running ${op.name}: ${describeError(err)}`);
    }
  }
}

/** Adds `qr` to the QUEUE_RUNNERS collection (or `collection`) of its queue's graph. */
export function addQueueRunner(qr: QueueRunner, collection: string = GraphKeys.QUEUE_RUNNERS): void {
  qr.queue.queueRef.graph.addToCollection(collection, qr);
}

export interface StartQueueRunnersOptions {
  coord?: Coordinator;
  /** Start the loops; default true. */
  start?: boolean;
  collection?: string;
}

function queueRunnersOf(graph: Graph, collection: string): QueueRunner[] {
  return graph.getCollection<unknown>(collection).filter((x): x is QueueRunner => x instanceof QueueRunner);
}

/**
 * Creates (and starts) the loops of every runner in the session graph's QUEUE_RUNNERS collection.
 * @example const threads = tf.train.startQueueRunners(sess, {coord});
 */
export function startQueueRunners(sess: RunnerSession, options: StartQueueRunnersOptions = {}): LoopThread[] {
  if (typeof sess !== "object" || sess === null || typeof sess.run !== "function" || !sess.graph) {
    const cls = typeof sess === "object" && sess !== null ? (sess as object).constructor.name : typeof sess;
    throw new TypeError(`sess must be a \`tf.Session\` object. Given class: ${cls}`);
  }
  const collection = options.collection ?? GraphKeys.QUEUE_RUNNERS;
  const runners = queueRunnersOf(sess.graph, collection);
  if (runners.length === 0) {
    log.warn("`tf.train.startQueueRunners()` was called when no queue runners were defined. You can safely remove the call to this deprecated function.");
  }
  return runners.flatMap((qr) => qr.createThreads(sess, { ...(options.coord ? { coord: options.coord } : {}), start: options.start ?? true }));
}

/** The runners of the session graph's QUEUE_RUNNERS collection whose loops never started for `sess`. */
export function unstartedQueueRunners(sess: RunnerSession, collection: string = GraphKeys.QUEUE_RUNNERS): QueueRunner[] {
  return queueRunnersOf(sess.graph, collection).filter((qr) => !qr.startedFor(sess));
}

export interface UnstartedRunnerWarningOptions {
  /** How long a step may wait before the warning; default 10 s. */
  warnAfterMs?: number;
  warn?: (message: string) => void;
  clock?: Clock;
}

const warnedSessions = new WeakSet<RunnerSession>();

/**
 * Watches one step of `sess`: if it is still running after `warnAfterMs` while the graph has
 * queue runners never started in this session, logs (once per session) which ones and how to
 * start them. Returns a function that stops watching. Never keeps the process alive.
 */
export function warnIfBlockedOnUnstartedQueueRunners(sess: RunnerSession, step: Promise<unknown>, options: UnstartedRunnerWarningOptions = {}): () => void {
  if (warnedSessions.has(sess) || queueRunnersOf(sess.graph, GraphKeys.QUEUE_RUNNERS).length === 0) return () => {};
  const clock = options.clock ?? sess.clock ?? systemClock;
  const warnAfterMs = options.warnAfterMs ?? 10_000;
  const cancel = clock.setTimer(warnAfterMs, () => {
    const unstarted = unstartedQueueRunners(sess);
    if (unstarted.length === 0 || warnedSessions.has(sess)) return;
    warnedSessions.add(sess);
    (options.warn ?? log.warn)(
      `Session.run has been waiting for ${warnAfterMs} ms, and the graph has ${unstarted.length} queue runner(s) never started ` +
        `in this session (queues: ${unstarted.map((qr) => qr.name).join(", ")}). A dequeue from their queues waits until ` +
        "`tf.train.startQueueRunners(sess, {coord})` starts them (unless another session or client feeds them).",
    );
  });
  step.then(cancel, cancel);
  return cancel;
}

// A step blocked while QueueRunners of its graph were never started is TF's classic silent hang: say so.
Session.runObservers.push((sess, step) => {
  const cancel = warnIfBlockedOnUnstartedQueueRunners(sess, step);
  step.then(cancel, cancel);
});
