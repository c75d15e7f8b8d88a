/**
 * A reader's mutex (TF's ReaderBase::mu_), held across the whole of a read — the wait for a work
 * unit included — so concurrent reads of one reader take turns in arrival order. Unlike TF's mutex
 * the wait for it is cancellable: a step that is aborted while queued behind another read leaves.
 */
import { cancellationError, OpError } from "../../errors/index.js";

interface Waiter {
  grant: () => void;
  fail: (error: OpError) => void;
}

function cancelled(reason: unknown, what: string): OpError {
  return cancellationError(reason, `${what} was cancelled`);
}

export class ReaderLock {
  private held = false;
  private readonly waiters: Waiter[] = [];

  /** Resolves with the release function once the lock is ours; rejects when `signal` aborts first. */
  acquire(signal: AbortSignal | undefined, what: string): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(cancelled(signal.reason, what));
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.handOver();
    };
    if (!this.held) {
      this.held = true;
      return Promise.resolve(release);
    }
    return new Promise<() => void>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(cancelled(signal?.reason, what));
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve(release);
        },
        fail: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      this.waiters.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Passes the lock to the next waiter, or frees it. */
  private handOver(): void {
    const next = this.waiters.shift();
    if (next) next.grant();
    else this.held = false;
  }

  /** Fails every waiter (the reader was destroyed); the holder keeps the lock until it releases. */
  failWaiters(error: OpError): void {
    for (const w of this.waiters.splice(0)) w.fail(error);
  }

  get waiting(): number {
    return this.waiters.length;
  }

  get isHeld(): boolean {
    return this.held;
  }
}
