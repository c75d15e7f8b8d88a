/**
 * One blocked queue operation (TF's QueueBase::Attempt): an enqueue, a dequeue or a queued
 * close, waiting in one of the queue's two attempt lists until the flush loop completes it.
 */
import { CancelledError, InternalError, OpError } from "../../errors/index.js";
import type { Element } from "./queue-elements.js";

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
  if (reason instanceof OpError) return reason;
  return new CancelledError(kind === "dequeue" ? "Dequeue operation was cancelled" : "Enqueue operation was cancelled");
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
