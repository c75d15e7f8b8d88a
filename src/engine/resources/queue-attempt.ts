/**
 * Blocked queue operations (TF's QueueBase::Attempt) and the two attempt lists they wait in.
 * After every change the flush loop tries the head enqueue attempt, then the head dequeue
 * attempt, and repeats while either makes progress; only heads are tried, so a blocked head
 * holds back everything behind it. A step's AbortSignal cancels a waiting attempt at once.
 */
import { asOpError, cancellationError, DataLossError, InternalError, OpError } from "../../errors/index.js";
import { log } from "../../util/logger.js";
import type { Clock } from "../../util/env.js";
import type { Element } from "./queue-elements.js";
import type { AttemptOptions, QueueWaiter } from "./queue-types.js";

/** What one try of an attempt achieved (TF's RunResult). */
export type RunResult = "noProgress" | "progress" | "complete";

export type AttemptKind = "enqueue" | "dequeue" | "close";

/** The type-erased view the attempt lists and the flush loop work with. */
export interface PendingAttempt {
  readonly kind: AttemptKind;
  /** Elements still to move: to push (enqueue) or to take (dequeue); 0 for a close. */
  remaining: number;
  /** Dequeue attempts: the partial batch taken so far, in the order taken. */
  taken: Element[];
  readonly stepId: number | null;
  readonly startMs: number;
  /** Tries to make progress; when it returns "complete" it has recorded its outcome. */
  tryRun(): RunResult;
  /** Delivers the recorded outcome to the caller. */
  settle(): void;
  /** Fails the attempt at once; it must already be out of its list. */
  abandon(error: OpError): void;
  /** Connects an abort listener; `detach` is called however the attempt ends. */
  onEnd(detach: () => void): void;
}

/**
 * The status TF sets on a cancelled attempt. A close waits in the enqueue list, so it reads as
 * an enqueue. When the step's signal carries an OpError (a deadline), that error wins.
 */
export function cancelledError(kind: AttemptKind, reason?: unknown): OpError {
  return cancellationError(reason, kind === "dequeue" ? "Dequeue operation was cancelled" : "Enqueue operation was cancelled");
}

export class Attempt<T> implements PendingAttempt {
  taken: Element[] = [];
  readonly promise: Promise<T>;
  private outcome: { value: T } | { error: OpError } | null = null;
  private resolveFn: (value: T) => void = () => undefined;
  private rejectFn: (error: OpError) => void = () => undefined;
  private detach: () => void = () => undefined;

  constructor(
    readonly kind: AttemptKind,
    public remaining: number,
    readonly stepId: number | null,
    readonly startMs: number,
    private readonly run: (attempt: Attempt<T>) => RunResult,
  ) {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
  }

  succeed(value: T): void {
    this.outcome = { value };
  }

  fail(error: OpError): void {
    this.outcome = { error };
  }

  /** True once `fail` recorded an error (TF keeps the first status set on the context). */
  get failed(): boolean {
    return this.outcome !== null && "error" in this.outcome;
  }

  tryRun(): RunResult {
    return this.run(this);
  }

  settle(): void {
    this.detach();
    const outcome = this.outcome;
    if (outcome === null) throw new InternalError(`queue attempt (${this.kind}) completed without an outcome`);
    if ("error" in outcome) this.rejectFn(outcome.error);
    else this.resolveFn(outcome.value);
  }

  abandon(error: OpError): void {
    this.detach();
    this.rejectFn(error);
  }

  onEnd(detach: () => void): void {
    this.detach = detach;
  }
}

/** The enqueue and dequeue attempt lists of a queue, with the flush loop and cancellation. */
export abstract class AttemptLists {
  /** Enqueues and queued (non-cancelling) closes, in arrival order. */
  private readonly enqueueAttempts: PendingAttempt[] = [];
  private readonly dequeueAttempts: PendingAttempt[] = [];
  private flushing = false;

  constructor(private readonly clock: Clock) {}

  /** Puts back a partial batch (in the order it was taken) after a close or a cancellation. */
  protected abstract restoreElements(taken: Element[]): void;

  protected get hasEnqueueAttempts(): boolean {
    return this.enqueueAttempts.length > 0;
  }

  /** Fails every attempt of one list at once (close with cancel_pending_enqueues, destroy). */
  protected abandonAll(list: "enqueue" | "dequeue", error: OpError): void {
    for (const a of (list === "enqueue" ? this.enqueueAttempts : this.dequeueAttempts).splice(0)) a.abandon(error);
  }

  /** Who is waiting, enqueue list first, for status reports. */
  protected waiters(): QueueWaiter[] {
    const now = this.clock.nowMs();
    return [...this.enqueueAttempts, ...this.dequeueAttempts].map((a) => ({
      kind: a.kind,
      elements: a.remaining,
      sinceMs: now - a.startMs,
      stepId: a.stepId,
    }));
  }

  /** The error of an attempt its step cancelled; other waiters (TakeGrad) word it their own way. */
  protected cancelledError(kind: AttemptKind, reason: unknown): OpError {
    return cancelledError(kind, reason);
  }

  protected startAttempt<T>(kind: AttemptKind, remaining: number, options: AttemptOptions, run: (a: Attempt<T>) => RunResult): Promise<T> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(this.cancelledError(kind, signal.reason));
    const attempt = new Attempt<T>(kind, remaining, options.stepId ?? null, this.clock.nowMs(), run);
    const list = kind === "dequeue" ? this.dequeueAttempts : this.enqueueAttempts;
    list.push(attempt);
    if (signal) {
      const onAbort = (): void => this.cancelAttempt(attempt, list, this.cancelledError(kind, signal.reason));
      signal.addEventListener("abort", onAbort, { once: true });
      attempt.onEnd(() => signal.removeEventListener("abort", onAbort));
    }
    this.flush();
    return attempt.promise;
  }

  /**
   * Runs inside an abort listener: whatever goes wrong here must neither escape (it would be an
   * uncaughtException) nor leave the attempt unsettled, so a failed put-back settles it with TF's
   * DataLoss text instead.
   */
  private cancelAttempt(attempt: PendingAttempt, list: PendingAttempt[], error: OpError): void {
    const index = list.indexOf(attempt);
    if (index < 0) return; // already completed
    list.splice(index, 1);
    let outcome = error;
    try {
      // TF drops a cancelled attempt's partial batch; we put it back so no element is ever lost.
      // It was the head dequeue attempt, so nothing was taken after it and the order is intact.
      if (attempt.taken.length > 0) this.restoreElements(attempt.taken.splice(0));
    } catch (err) {
      outcome = new DataLossError(`Failed to restore element from partially-dequeued batch: ${asOpError(err).message}`);
    }
    attempt.abandon(outcome);
    try {
      this.flush();
    } catch (err) {
      // flush ends a failing attempt itself; anything left is a bug, reported, never thrown here.
      log.warn(`queue flush after a cancellation failed: ${asOpError(err).message}`);
    }
  }

  /** Tries heads until neither list moves. Bounded: every round moves an element or ends an attempt. */
  protected flush(): void {
    if (this.flushing) return; // a flush already in progress will see the change
    this.flushing = true;
    try {
      let changed: boolean;
      do {
        changed = this.tryHeads(this.enqueueAttempts);
        changed = this.tryHeads(this.dequeueAttempts) || changed;
      } while (changed);
    } finally {
      this.flushing = false;
    }
  }

  private tryHeads(list: PendingAttempt[]): boolean {
    let progress = false;
    for (let head = list[0]; head !== undefined; head = list[0]) {
      let result: RunResult;
      try {
        result = head.tryRun();
      } catch (err) {
        // A failing try (say, a batch that cannot be built) ends that attempt, never the flush.
        list.shift();
        if (head.taken.length > 0) this.restoreElements(head.taken.splice(0));
        head.abandon(asOpError(err));
        progress = true;
        continue;
      }
      if (result === "noProgress") break;
      progress = true;
      if (result === "progress") break;
      list.shift();
      head.settle();
    }
    return progress;
  }
}
