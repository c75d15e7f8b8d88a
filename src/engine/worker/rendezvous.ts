/**
 * Per-step rendezvous: _Send puts a tensor under a key, _Recv (local or via RecvTensor from
 * another task) takes it. Each key is consumed exactly once; a step's table is dropped when its
 * partition finished and every sent tensor was taken, or when the step is aborted.
 */
import { AbortedError, cancellationError } from "../../errors/index.js";
import type { OpError } from "../../errors/index.js";
import type { NDArray } from "../../tensor/ndarray.js";

interface Waiter {
  resolve(v: NDArray): void;
  reject(e: OpError): void;
}

export class StepRendezvous {
  private readonly values = new Map<string, NDArray>();
  private readonly waiters = new Map<string, Waiter>();
  private aborted: OpError | null = null;
  localDone = false;
  /** The session whose partition ran here (set by RunGraph): its deletion drops the table. */
  sessionHandle: string | undefined;

  constructor(readonly stepId: number) {}

  send(key: string, value: NDArray): void {
    if (this.aborted) return;
    const w = this.waiters.get(key);
    if (w) {
      this.waiters.delete(key);
      w.resolve(value);
    } else {
      this.values.set(key, value);
    }
  }

  recv(key: string, signal?: AbortSignal): Promise<NDArray> {
    if (this.aborted) return Promise.reject(this.aborted);
    const v = this.values.get(key);
    if (v !== undefined) {
      this.values.delete(key);
      return Promise.resolve(v);
    }
    if (signal?.aborted) return Promise.reject(reasonOf(signal));
    return new Promise<NDArray>((resolve, reject) => {
      const onAbort = () => {
        this.waiters.delete(key);
        reject(reasonOf(signal!));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.set(key, {
        resolve: (x) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(x);
        },
        reject: (e) => {
          signal?.removeEventListener("abort", onAbort);
          reject(e);
        },
      });
    });
  }

  abort(err: OpError): void {
    if (this.aborted) return;
    this.aborted = err;
    this.values.clear();
    for (const w of this.waiters.values()) w.reject(err);
    this.waiters.clear();
  }

  /** The reason the step was aborted on this task, or null. */
  get abortReason(): OpError | null {
    return this.aborted;
  }

  /** Nothing left to hand out and nobody waiting. */
  get drained(): boolean {
    return this.values.size === 0 && this.waiters.size === 0;
  }
}

/** Why a step's signal was aborted, as the OpError its waits fail with. */
export function reasonOf(signal: AbortSignal): OpError {
  return cancellationError(signal.reason, "Step was cancelled");
}

/**
 * A task's rendezvous tables by step id. Remembers recently aborted steps so that a late RunGraph
 * or RecvTensor of an aborted step fails fast instead of waiting; a step that finished normally
 * has no late callers (every sent tensor was taken), so it is simply dropped.
 */
export class RendezvousManager {
  private readonly steps = new Map<number, StepRendezvous>();
  private readonly ended = new Set<number>();
  private static readonly ENDED_MAX = 4096;

  find(stepId: number): StepRendezvous {
    let r = this.steps.get(stepId);
    if (!r) {
      r = new StepRendezvous(stepId);
      if (this.ended.has(stepId)) r.abort(new AbortedError(`Step ${stepId} has already ended on this task`));
      else this.steps.set(stepId, r);
    }
    return r;
  }

  /** Marks the local partition finished; drops the table once drained. */
  finishLocal(stepId: number): void {
    const r = this.steps.get(stepId);
    if (!r) return;
    r.localDone = true;
    this.maybeDrop(r);
  }

  maybeDrop(r: StepRendezvous): void {
    if (r.localDone && r.drained && this.steps.get(r.stepId) === r) this.steps.delete(r.stepId);
  }

  abort(stepId: number, err: OpError): void {
    this.steps.get(stepId)?.abort(err);
    this.forget(stepId);
  }

  abortAll(err: OpError): void {
    for (const id of [...this.steps.keys()]) this.abort(id, err);
  }

  /** Aborts every step of a session (deleted, or its master is gone): nothing it sent stays. */
  abortSession(sessionHandle: string, err: OpError): void {
    for (const r of [...this.steps.values()]) if (r.sessionHandle === sessionHandle) this.abort(r.stepId, err);
  }

  /** Drops an aborted step, remembering its id (bounded) for late callers. */
  private forget(stepId: number): void {
    this.steps.delete(stepId);
    this.ended.add(stepId);
    if (this.ended.size > RendezvousManager.ENDED_MAX) {
      const first = this.ended.values().next().value;
      if (first !== undefined) this.ended.delete(first);
    }
  }

  get size(): number {
    return this.steps.size;
  }
}
