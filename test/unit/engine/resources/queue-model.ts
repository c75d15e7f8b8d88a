/**
 * The reference model the queue property tests check against: TF's queue semantics
 * (tf-queues-cluster.md §3) stated once, over plain element ids instead of tensors.
 *
 * Everything a queue operation may return or throw is decided here:
 * - enqueue / enqueueMany: an attempt in the enqueue list. At the head it fails with
 *   Cancelled "<Kind> 'q' is closed." when the queue is closed, else pushes while size < capacity
 *   and succeeds once every element is in. A batch of 0 succeeds at once, even when closed.
 * - close: an attempt in the enqueue list; at the head it closes the queue, or fails with
 *   Cancelled "Queue 'q' is already closed.".
 * - close with cancelPendingEnqueues: closes at once; every attempt in the enqueue list (closes
 *   included) fails with Cancelled "Enqueue operation was cancelled".
 * - dequeue: at the head it fails with OutOfRange "(requested 1, current size 0)" when closed and
 *   empty, else takes one element when one is available.
 * - dequeueMany(n) / dequeueUpTo(n): n = 0 succeeds at once with an empty batch. At the head, if the
 *   queue is closed and holds fewer than the attempt still needs, the partial batch goes back and
 *   dequeueUpTo restarts with whatever is left (if anything), else OutOfRange "(requested
 *   <still needed>, current size <size before the put-back>)". Otherwise it takes available
 *   elements one at a time (PriorityQueue: only once all it needs are there) until it has n.
 * - "available": the size, less min_after_dequeue for an open RandomShuffleQueue.
 * - cancelling a waiting attempt removes it, puts back its partial batch, and fails it with
 *   Cancelled "Enqueue/Dequeue operation was cancelled" (a close counts as an enqueue), or with
 *   the abort reason when that is an OpError.
 * - after any change: try the head enqueue attempt, then the head dequeue attempt, until neither moves.
 * Which element a take returns: FIFO/Padding the oldest; RandomShuffle the one at index
 * `draw % size`, with the last element moved into its slot; Priority the smallest (priority,
 * insertion order). A put-back goes to the front in order (FIFO/Padding) or the end (others).
 */

export type ModelKind = "fifo" | "shuffle" | "padding" | "priority";

export type Outcome =
  | { ok: true; ids: number[] | null; single: boolean }
  | { ok: false; error: string; message: string };

interface EnqueueAttempt {
  type: "enqueue";
  client: number;
  pending: number[];
}
interface CloseAttempt {
  type: "close";
  client: number;
}
interface DequeueAttempt {
  type: "dequeue";
  client: number;
  n: number;
  remaining: number;
  taken: number[];
  mode: "one" | "many" | "upTo";
}
type Attempt = EnqueueAttempt | CloseAttempt | DequeueAttempt;
type Step = "wait" | "progress" | "done";

export interface ModelConfig {
  kind: ModelKind;
  capacity: number;
  minAfterDequeue: number;
  /** RandomShuffle's draws: the queue's Random returns these, in a cycle. */
  draws: number[];
  priorityOf: (id: number) => number;
}

const TYPE_NAMES: Record<ModelKind, string> = { fifo: "FIFOQueue", shuffle: "RandomShuffleQueue", padding: "PaddingFIFOQueue", priority: "PriorityQueue" };

export class QueueModel {
  items: number[] = [];
  closed = false;
  readonly enqueues: (EnqueueAttempt | CloseAttempt)[] = [];
  readonly dequeues: DequeueAttempt[] = [];
  /** Outcomes of attempts that finished during the current command, by client. */
  readonly outcomes = new Map<number, Outcome>();
  private drawIndex = 0;
  private seq = 0;
  private readonly seqOf = new Map<number, number>();

  constructor(readonly config: ModelConfig) {}

  private get typeName(): string {
    return TYPE_NAMES[this.config.kind];
  }
  /** PaddingFIFOQueue reuses FIFOQueue's code for these two texts. */
  private get shortName(): string {
    return this.config.kind === "padding" ? "FIFOQueue" : this.typeName;
  }
  private get capacity(): number {
    return this.config.capacity < 0 ? Infinity : this.config.capacity;
  }

  busy(client: number): boolean {
    return [...this.enqueues, ...this.dequeues].some((a) => a.client === client);
  }

  /** What `describe().waiting` should list: kind and elements still to move, enqueue list first. */
  waiting(): [string, number][] {
    return [
      ...this.enqueues.map((a): [string, number] => (a.type === "close" ? ["close", 0] : ["enqueue", a.pending.length])),
      ...this.dequeues.map((a): [string, number] => ["dequeue", a.remaining]),
    ];
  }

  // ---- operations ----

  enqueue(client: number, ids: number[]): void {
    if (ids.length === 0) return this.finish(client, { ok: true, ids: null, single: false });
    this.enqueues.push({ type: "enqueue", client, pending: [...ids] });
    this.flush();
  }

  close(client: number): void {
    this.enqueues.push({ type: "close", client });
    this.flush();
  }

  closeAndCancel(): void {
    this.closed = true;
    for (const a of this.enqueues.splice(0)) this.fail(a.client, "CancelledError", "Enqueue operation was cancelled");
    this.flush();
  }

  dequeue(client: number, n: number, mode: DequeueAttempt["mode"]): void {
    if (mode !== "one" && n === 0) return this.finish(client, { ok: true, ids: [], single: false });
    this.dequeues.push({ type: "dequeue", client, n, remaining: n, taken: [], mode });
    this.flush();
  }

  /** An already-aborted signal, or a validation failure: fails at once, nothing changes. */
  failNow(client: number, error: string, message: string): void {
    this.fail(client, error, message);
  }

  cancel(client: number, error: string, message: string | null): void {
    for (const list of [this.enqueues, this.dequeues] as Attempt[][]) {
      const i = list.findIndex((a) => a.client === client);
      if (i < 0) continue;
      const [a] = list.splice(i, 1) as [Attempt];
      if (a.type === "dequeue" && a.taken.length > 0) this.putBack(a.taken.splice(0));
      const text = message ?? (a.type === "dequeue" ? "Dequeue operation was cancelled" : "Enqueue operation was cancelled");
      this.fail(client, error, text);
      this.flush();
      return;
    }
  }

  // ---- the queue ----

  private available(): number {
    return this.config.kind === "shuffle" && !this.closed ? this.items.length - this.config.minAfterDequeue : this.items.length;
  }

  private push(id: number): void {
    this.items.push(id);
    this.seqOf.set(id, this.seq++);
  }

  private take(): number {
    const { kind, draws, priorityOf } = this.config;
    if (kind === "shuffle") {
      const index = draws[this.drawIndex++ % draws.length]! % this.items.length;
      const chosen = this.items[index]!;
      const last = this.items.pop()!;
      if (index < this.items.length) this.items[index] = last;
      return chosen;
    }
    let best = 0;
    if (kind === "priority") {
      const key = (id: number): [number, number] => [priorityOf(id), this.seqOf.get(id)!];
      this.items.forEach((id, i) => {
        const [p, s] = key(id);
        const [bp, bs] = key(this.items[best]!);
        if (p < bp || (p === bp && s < bs)) best = i;
      });
    }
    return this.items.splice(best, 1)[0]!;
  }

  private putBack(taken: number[]): void {
    if (this.config.kind === "fifo" || this.config.kind === "padding") this.items.unshift(...taken);
    else for (const id of taken) this.push(id);
  }

  private finish(client: number, outcome: Outcome): void {
    this.outcomes.set(client, outcome);
  }

  private fail(client: number, error: string, message: string): void {
    this.finish(client, { ok: false, error, message });
  }

  private insufficient(prefix: string, requested: number, size: number): string {
    return `${prefix} 'q' is closed and has insufficient elements (requested ${requested}, current size ${size})`;
  }

  private stepEnqueue(a: EnqueueAttempt | CloseAttempt): Step {
    if (a.type === "close") {
      if (this.closed) this.fail(a.client, "CancelledError", "Queue 'q' is already closed.");
      else {
        this.closed = true;
        this.finish(a.client, { ok: true, ids: null, single: false });
      }
      return "done";
    }
    if (this.closed) {
      this.fail(a.client, "CancelledError", `${this.shortName} 'q' is closed.`);
      return "done";
    }
    let step: Step = "wait";
    while (a.pending.length > 0 && this.items.length < this.capacity) {
      this.push(a.pending.shift()!);
      step = "progress";
    }
    if (a.pending.length > 0) return step;
    this.finish(a.client, { ok: true, ids: null, single: false });
    return "done";
  }

  private stepDequeue(a: DequeueAttempt): Step {
    const size = this.items.length;
    if (a.mode === "one") {
      if (this.closed && size === 0) {
        this.fail(a.client, "OutOfRangeError", this.insufficient(this.shortName, 1, 0));
        return "done";
      }
      if (this.available() <= 0) return "wait";
      this.finish(a.client, { ok: true, ids: [this.take()], single: true });
      return "done";
    }
    if (this.closed && size < a.remaining) {
      const needed = a.remaining;
      this.putBack(a.taken.splice(0));
      a.remaining = a.n;
      if (a.mode === "upTo" && this.items.length > 0) a.remaining = this.items.length;
      else if (a.mode === "upTo" && this.enqueues.length > 0) return "progress";
      else {
        this.fail(a.client, "OutOfRangeError", this.insufficient(this.typeName, needed, size));
        return "done";
      }
    }
    if (this.config.kind === "priority" && this.items.length < a.remaining) return "wait";
    let step: Step = "wait";
    for (let available = this.available(); available > 0; available--) {
      a.taken.push(this.take());
      a.remaining--;
      step = "progress";
      if (a.remaining === 0) {
        this.finish(a.client, { ok: true, ids: a.taken.splice(0), single: false });
        return "done";
      }
    }
    return step;
  }

  private flush(): void {
    for (let changed = true; changed; ) {
      changed = this.tryHeads(this.enqueues, (a) => this.stepEnqueue(a));
      changed = this.tryHeads(this.dequeues, (a) => this.stepDequeue(a)) || changed;
    }
  }

  private tryHeads<A>(list: A[], step: (a: A) => Step): boolean {
    let progress = false;
    while (list.length > 0) {
      const s = step(list[0]!);
      if (s === "wait") break;
      progress = true;
      if (s === "progress") break;
      list.shift();
    }
    return progress;
  }
}
