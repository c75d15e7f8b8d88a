/**
 * FIFOQueue (TF's fifo_queue.cc): strict first-in first-out order across enqueue and
 * enqueue_many; a closed dequeue_many puts its partial batch back at the front, in order.
 */
import { QueueBase } from "./queue-base.js";
import type { QueueConfig } from "./queue-base.js";
import type { Element } from "./queue-elements.js";

/** A ring buffer of elements: O(1) at both ends, grows by doubling. */
export class ElementDeque {
  private items: (Element | undefined)[] = new Array<Element | undefined>(16);
  private head = 0;
  private count = 0;

  get length(): number {
    return this.count;
  }

  private grow(): void {
    const bigger = new Array<Element | undefined>(this.items.length * 2);
    for (let i = 0; i < this.count; i++) bigger[i] = this.items[(this.head + i) % this.items.length];
    this.items = bigger;
    this.head = 0;
  }

  pushBack(e: Element): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) % this.items.length] = e;
    this.count++;
  }

  pushFront(e: Element): void {
    if (this.count === this.items.length) this.grow();
    this.head = (this.head - 1 + this.items.length) % this.items.length;
    this.items[this.head] = e;
    this.count++;
  }

  popFront(): Element {
    if (this.count === 0) throw new RangeError("popFront on an empty ElementDeque");
    const e = this.items[this.head]!;
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.count--;
    return e;
  }
}

export class FIFOQueue extends QueueBase {
  readonly typeName: string = "FIFOQueue";
  protected readonly elements = new ElementDeque();

  constructor(config: QueueConfig) {
    super(config);
    this.requireFullyDefinedShapes();
  }

  size(): number {
    return this.elements.length;
  }

  protected pushElement(element: Element): void {
    this.elements.pushBack(element);
  }

  protected takeElement(): Element {
    return this.elements.popFront();
  }

  protected restoreElements(taken: Element[]): void {
    for (let i = taken.length - 1; i >= 0; i--) this.elements.pushFront(taken[i]!);
  }
}
