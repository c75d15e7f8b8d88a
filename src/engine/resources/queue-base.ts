/**
 * TensorFlow's QueueBase: the common model of every queue kind (tf-queues-cluster.md §3).
 *
 * Blocked operations wait in two FIFO lists, enqueue attempts and dequeue attempts. After every
 * change the flush loop tries the head enqueue attempt, then the head dequeue attempt, and repeats
 * while either makes progress. Only heads are tried, so a blocked head holds back everything
 * behind it — including a non-cancelling close, which waits in the enqueue list. Attempts make
 * partial progress one element at a time, so batches larger than the capacity work.
 *
 * Everything here is synchronous except the delivery of outcomes (Promises), so every state
 * change, cancellation included, is atomic on its task.
 */
import { CancelledError, InvalidArgumentError, OutOfRangeError } from "../../errors/index.js";
import type { OpError } from "../../errors/index.js";
import type { DType } from "../../tensor/dtypes.js";
import type { NDArray } from "../../tensor/ndarray.js";
import { QUEUE_RESOURCE_KIND, QUEUE_UNBOUNDED } from "./queue-types.js";
import type { AttemptOptions, CloseOptions, QueueConfig, QueueDescription, QueueRequest } from "./queue-types.js";
import { AttemptLists } from "./queue-attempt.js";
import type { Attempt, RunResult } from "./queue-attempt.js";
import type { Element, PartialShape } from "./queue-elements.js";
import { dtypeListString, isFullyDefined, sameShape, shapeListString, splitBatch, stackComponent, zeros } from "./queue-elements.js";
import type { Resource } from "./resource-manager.js";
import { checkSharedQueueRequest, validateManyTuple, validateTuple } from "./queue-validation.js";

export * from "./queue-types.js";

export abstract class QueueBase extends AttemptLists implements Resource {
  readonly kind = QUEUE_RESOURCE_KIND;
  /** TF's class name, the prefix of most queue error messages. */
  abstract readonly typeName: string;
  readonly name: string;
  readonly componentTypes: readonly DType[];
  /** Empty for a queue without shapes. */
  readonly shapes: readonly PartialShape[];
  /** INT32_MAX when unbounded, as in TF's messages. */
  readonly capacity: number;
  protected closed = false;

  constructor(config: QueueConfig) {
    super(config.clock);
    this.name = config.name;
    this.componentTypes = [...config.componentTypes];
    this.shapes = (config.shapes ?? []).map((s) => [...s]);
    this.capacity = config.capacity < 0 ? QUEUE_UNBOUNDED : config.capacity;
    if (this.componentTypes.length === 0) throw new InvalidArgumentError(`Empty component types for queue ${this.name}`);
    if (this.shapes.length > 0 && this.shapes.length !== this.componentTypes.length) {
      throw new InvalidArgumentError(
        `Different number of component types. Types: ${dtypeListString(this.componentTypes)}, Shapes: ${shapeListString(this.shapes)}`,
      );
    }
  }

  /** PriorityQueue: the priority must be a scalar even in a queue without shapes. */
  get scalarFirstComponent(): boolean {
    return false;
  }

  /** Checks only a fixed-shape queue needs; PaddingFIFOQueue allows -1 dims instead. */
  protected requireFullyDefinedShapes(): void {
    for (const s of this.shapes) {
      if (!isFullyDefined(s)) throw new InvalidArgumentError(`All shapes must be fully defined for ${this.typeName} '${this.name}': ${shapeListString(this.shapes)}`);
    }
  }

  // ---- storage, per queue kind ----

  /** Elements stored (not counting partial batches held by dequeue attempts). */
  abstract size(): number;
  protected abstract pushElement(element: Element): void;
  protected abstract takeElement(): Element;
  /** How many elements a dequeue may take now (RandomShuffleQueue keeps min_after_dequeue while open). */
  protected available(): number {
    return this.size();
  }
  /** PriorityQueue takes a dequeue_many batch only once all of it is there. */
  protected get dequeueManyWaitsForAll(): boolean {
    return false;
  }
  /** Prefixes of the closed-queue messages (PaddingFIFOQueue reuses FIFOQueue's code for these). */
  protected get enqueueClosedPrefix(): string {
    return this.typeName;
  }
  protected get dequeueClosedPrefix(): string {
    return this.typeName;
  }
  protected get dequeueManyNeedsShapesMessage(): string {
    return `${this.typeName}'s DequeueMany and DequeueUpTo require the components to have specified shapes.`;
  }
  /** Whether a value of shape `actual` fits where `expected` is required (PaddingFIFOQueue: compatible). */
  shapeMatches(expected: PartialShape, actual: PartialShape): boolean {
    return sameShape(expected, actual);
  }
  /** Stacks a complete batch (PaddingFIFOQueue pads). */
  protected makeBatch(elements: Element[]): NDArray[] {
    return this.componentTypes.map((dtype, i) => stackComponent(dtype, [...this.shapes[i]!], elements.map((e) => e[i]!)));
  }
  /** Extra checks of a second creator (RandomShuffleQueue: min_after_dequeue and seeds). */
  protected checkCompatibleExtras(_request: QueueRequest): void {}

  get hasShapes(): boolean {
    return this.shapes.length > 0;
  }

  isClosed(): boolean {
    return this.closed;
  }

  // ---- operations ----

  /** Enqueues one element; waits while the queue is full. */
  enqueue(components: readonly NDArray[], options: AttemptOptions = {}): Promise<void> {
    try {
      validateTuple(this, components);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.startAttempt<void>("enqueue", 1, options, (a) => this.runEnqueue(a, [[...components]]));
  }

  /** Enqueues each row of a batch, as many as fit at a time; batch size 0 succeeds at once, even when closed. */
  enqueueMany(components: readonly NDArray[], options: AttemptOptions = {}): Promise<void> {
    let batchSize: number;
    try {
      batchSize = validateManyTuple(this, components);
    } catch (err) {
      return Promise.reject(err);
    }
    if (batchSize === 0) return Promise.resolve();
    const elements = splitBatch(components, batchSize);
    return this.startAttempt<void>("enqueue", batchSize, options, (a) => this.runEnqueue(a, elements));
  }

  dequeue(options: AttemptOptions = {}): Promise<NDArray[]> {
    return this.startAttempt<NDArray[]>("dequeue", 1, options, (a) => this.runDequeue(a));
  }

  /** A batch of exactly n; on a closed queue with too few elements, OutOfRangeError and nothing taken. */
  dequeueMany(n: number, options: AttemptOptions = {}): Promise<NDArray[]> {
    return this.startDequeueMany("DequeueManyOp", n, false, options);
  }

  /** Like dequeueMany while open; once closed, whatever is left (at most n), OutOfRangeError when nothing is. */
  dequeueUpTo(n: number, options: AttemptOptions = {}): Promise<NDArray[]> {
    return this.startDequeueMany("DequeueUpToOp", n, true, options);
  }

  /**
   * Closes the queue. Without cancelPendingEnqueues the close waits behind pending enqueues and a
   * second one fails; with it the queue closes at once and pending enqueues (and closes) are cancelled.
   */
  close(options: CloseOptions = {}): Promise<void> {
    if (options.cancelPendingEnqueues) {
      this.closed = true;
      this.abandonAll("enqueue", new CancelledError("Enqueue operation was cancelled"));
      this.flush();
      return Promise.resolve();
    }
    return this.startAttempt<void>("close", 0, options, (a) => {
      if (this.closed) a.fail(new CancelledError(`Queue '${this.name}' is already closed.`));
      else {
        this.closed = true;
        a.succeed(undefined);
      }
      return "complete";
    });
  }

  /** Fails a second creator whose attrs differ, with TF's texts (§3.3). */
  checkCompatible(request: QueueRequest): void {
    checkSharedQueueRequest(this, request, (r) => this.checkCompatibleExtras(r));
  }

  /** FIFO/RandomShuffle/Priority: exact equality, so "no shapes" differs from any shapes. */
  requestedShapesMatch(shapes: readonly PartialShape[]): boolean {
    return shapes.length === this.shapes.length && shapes.every((s, i) => sameShape(s, this.shapes[i]!));
  }

  describe(): QueueDescription {
    return {
      name: this.name,
      type: this.typeName,
      size: this.size(),
      capacity: this.capacity === QUEUE_UNBOUNDED ? -1 : this.capacity,
      closed: this.closed,
      componentTypes: [...this.componentTypes],
      waiting: this.waiters(),
    };
  }

  /** The container was cleared: the queue closes and every waiter fails. */
  destroy(reason: string): void {
    this.closed = true;
    this.abandonAll("enqueue", new CancelledError(`Enqueue operation was cancelled: queue '${this.name}' was destroyed (${reason})`));
    this.abandonAll("dequeue", new CancelledError(`Dequeue operation was cancelled: queue '${this.name}' was destroyed (${reason})`));
  }

  // ---- attempts ----

  private startDequeueMany(op: string, n: number, allowSmallBatch: boolean, options: AttemptOptions): Promise<NDArray[]> {
    if (!Number.isInteger(n) || n < 0) return Promise.reject(new InvalidArgumentError(`${op} requested ${n} < 0 elements`));
    if (!this.hasShapes) return Promise.reject(new InvalidArgumentError(this.dequeueManyNeedsShapesMessage));
    // Zero-size batches never look at the closed state or the step's cancellation.
    if (n === 0) return Promise.resolve(this.componentTypes.map((t, i) => zeros(t, [0, ...this.shapes[i]!.map((d) => Math.max(0, d))])));
    return this.startAttempt<NDArray[]>("dequeue", n, options, (a) => this.runDequeueMany(a, n, allowSmallBatch));
  }

  private runEnqueue(a: Attempt<void>, elements: Element[]): RunResult {
    if (this.closed) {
      a.fail(new CancelledError(`${this.enqueueClosedPrefix} '${this.name}' is closed.`));
      return "complete";
    }
    let result: RunResult = "noProgress";
    while (this.size() < this.capacity && a.remaining > 0) {
      this.pushElement(elements[elements.length - a.remaining]!);
      a.remaining--;
      result = "progress";
    }
    if (a.remaining > 0) return result;
    a.succeed(undefined);
    return "complete";
  }

  private runDequeue(a: Attempt<NDArray[]>): RunResult {
    if (this.closed && this.size() === 0) {
      a.fail(this.insufficient(this.dequeueClosedPrefix, 1, 0));
      return "complete";
    }
    if (this.available() <= 0) return "noProgress";
    a.succeed(this.takeElement());
    return "complete";
  }

  private runDequeueMany(a: Attempt<NDArray[]>, n: number, allowSmallBatch: boolean): RunResult {
    const size = this.size();
    if (this.closed && size < a.remaining) {
      const needed = a.remaining;
      // Both numbers in the message are read before the partial batch goes back.
      if (a.taken.length > 0) this.restoreElements(a.taken.splice(0));
      a.remaining = n;
      if (allowSmallBatch && this.size() > 0) {
        a.remaining = this.size();
      } else {
        // dequeue_up_to yields to pending enqueue attempts, which fail or finish on this flush.
        if (allowSmallBatch && this.hasEnqueueAttempts) return "progress";
        a.fail(this.insufficient(this.typeName, needed, size));
        return "complete";
      }
    }
    if (this.dequeueManyWaitsForAll && this.size() < a.remaining) return "noProgress";
    let result: RunResult = "noProgress";
    for (let available = this.available(); available > 0; available--) {
      a.taken.push(this.takeElement());
      a.remaining--;
      result = "progress";
      if (a.remaining === 0) {
        a.succeed(this.makeBatch(a.taken));
        a.taken = [];
        return "complete";
      }
    }
    return result;
  }

  private insufficient(prefix: string, requested: number, current: number): OpError {
    return new OutOfRangeError(`${prefix} '${this.name}' is closed and has insufficient elements (requested ${requested}, current size ${current})`);
  }

  /** For tests and status reports: a one-line summary. */
  override toString(): string {
    return `${this.typeName}('${this.name}', size=${this.size()}, capacity=${this.capacity}, closed=${this.closed})`;
  }
}
