/**
 * PriorityQueue (TF's priority_queue.cc). Component 0 is an int64 scalar priority; dequeues
 * return the smallest priority first (ties in insertion order here; TF leaves them unspecified).
 * Unlike the other kinds, dequeue_many waits until all n elements are there and takes them at once.
 */
import { InvalidArgumentError } from "../../errors/index.js";
import { QueueBase } from "./queue-base.js";
import type { QueueConfig } from "./queue-base.js";
import type { Element } from "./queue-elements.js";
import { dtypeName, shapeString } from "./queue-elements.js";

interface Entry {
  priority: bigint;
  /** Insertion order: breaks ties so equal priorities come out first-in first-out. */
  seq: number;
  element: Element;
}

function before(a: Entry, b: Entry): boolean {
  return a.priority < b.priority || (a.priority === b.priority && a.seq < b.seq);
}

export class PriorityQueue extends QueueBase {
  readonly typeName: string = "PriorityQueue";
  private readonly heap: Entry[] = [];
  private nextSeq = 0;

  /** `componentTypes` include the leading int64 priority (the op attrs do not; the kernel adds it). */
  constructor(config: QueueConfig) {
    super(config);
    this.requireFullyDefinedShapes();
    const first = this.componentTypes[0]!;
    if (first !== "int64") {
      throw new InvalidArgumentError(`PriorityQueue priority index component must be type int64, but dtype is: ${dtypeName(first)}`);
    }
    if (this.hasShapes && this.shapes[0]!.length !== 0) {
      throw new InvalidArgumentError(`PriorityQueue priority index component must be a scalar, but shape is: ${shapeString(this.shapes[0]!)}`);
    }
  }

  override get scalarFirstComponent(): boolean {
    return true;
  }

  protected override get dequeueManyWaitsForAll(): boolean {
    return true;
  }

  protected override get dequeueManyNeedsShapesMessage(): string {
    return "PriorityQueue's DequeueMany requires the components to have specified shapes.";
  }

  size(): number {
    return this.heap.length;
  }

  protected pushElement(element: Element): void {
    const priority = (element[0]!.data as BigInt64Array)[0]!;
    this.heap.push({ priority, seq: this.nextSeq++, element });
    let i = this.heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(this.heap[i]!, this.heap[parent]!)) break;
      [this.heap[i], this.heap[parent]] = [this.heap[parent]!, this.heap[i]!];
      i = parent;
    }
  }

  protected takeElement(): Element {
    const top = this.heap[0]!;
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.siftDown(0);
    }
    return top.element;
  }

  private siftDown(start: number): void {
    const n = this.heap.length;
    for (let i = start; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < n && before(this.heap[l]!, this.heap[best]!)) best = l;
      if (r < n && before(this.heap[r]!, this.heap[best]!)) best = r;
      if (best === i) return;
      [this.heap[i], this.heap[best]] = [this.heap[best]!, this.heap[i]!];
      i = best;
    }
  }

  /** A PriorityQueue never holds a partial batch; kept for the base class's contract. */
  protected restoreElements(taken: Element[]): void {
    for (const e of taken) this.pushElement(e);
  }
}
