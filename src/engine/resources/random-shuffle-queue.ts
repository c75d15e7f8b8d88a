/**
 * RandomShuffleQueue (TF's random_shuffle_queue_op.cc). Each dequeue picks a uniformly random
 * element, moves the last element into its slot and pops. While open, dequeues leave at least
 * `minAfterDequeue` elements; once closed that floor is ignored. Seeds (0, 0) mean "pick fresh
 * seeds" (here: the step's Random); any other pair gives a deterministic order.
 */
import { InvalidArgumentError } from "../../errors/index.js";
import type { Random } from "../../util/env.js";
import { SeededRandom } from "../../util/env.js";
import { QueueBase } from "./queue-base.js";
import type { QueueConfig, QueueRequest } from "./queue-base.js";
import type { Element } from "./queue-elements.js";
import { appendAll } from "../../util/arrays.js";

export interface RandomShuffleQueueConfig extends QueueConfig {
  minAfterDequeue: number;
  seed?: number;
  seed2?: number;
  /** Where the order comes from when both seeds are 0; required then. */
  random?: Random;
}

/** One 32-bit seed from TF's (seed, seed2) pair of int64s (a murmur3-style finaliser). */
export function mixSeeds(seed: number, seed2: number): number {
  let h = 0x9e3779b9;
  for (const part of [seed % 2 ** 32, Math.floor(seed / 2 ** 32), seed2 % 2 ** 32, Math.floor(seed2 / 2 ** 32)]) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

export class RandomShuffleQueue extends QueueBase {
  readonly typeName: string = "RandomShuffleQueue";
  readonly minAfterDequeue: number;
  readonly seed: number;
  readonly seed2: number;
  private readonly random: Random;
  private readonly elements: Element[] = [];

  constructor(config: RandomShuffleQueueConfig) {
    super(config);
    this.requireFullyDefinedShapes();
    this.minAfterDequeue = config.minAfterDequeue;
    this.seed = config.seed ?? 0;
    this.seed2 = config.seed2 ?? 0;
    if (this.minAfterDequeue < 0) throw new InvalidArgumentError(`min_after_dequeue ${this.minAfterDequeue} must be >= 0`);
    if (this.minAfterDequeue >= this.capacity) {
      throw new InvalidArgumentError(`min_after_dequeue ${this.minAfterDequeue} must be < capacity ${this.capacity}`);
    }
    if (this.seed !== 0 || this.seed2 !== 0) this.random = new SeededRandom(mixSeeds(this.seed, this.seed2));
    else if (config.random) this.random = config.random;
    else throw new TypeError(`RandomShuffleQueue '${config.name}' with seeds (0, 0) needs a Random to draw its order from`);
  }

  size(): number {
    return this.elements.length;
  }

  protected override available(): number {
    return this.closed ? this.elements.length : this.elements.length - this.minAfterDequeue;
  }

  protected pushElement(element: Element): void {
    this.elements.push(element);
  }

  protected takeElement(): Element {
    const index = this.random.int(this.elements.length);
    const chosen = this.elements[index]!;
    const last = this.elements.pop()!;
    if (index < this.elements.length) this.elements[index] = last;
    return chosen;
  }

  /** Order does not matter in a shuffling queue: put them back at the end. */
  protected restoreElements(taken: Element[]): void {
    appendAll(this.elements, taken);
  }

  protected override checkCompatibleExtras(request: QueueRequest): void {
    const m = request.minAfterDequeue ?? 0;
    if (m !== this.minAfterDequeue) {
      throw new InvalidArgumentError(`Shared queue '${this.name}' has min_after_dequeue ${this.minAfterDequeue} but requested min_after_dequeue was ${m}.`);
    }
    const seed = request.seed ?? 0;
    const seed2 = request.seed2 ?? 0;
    // (0, 0) asks for "any seeds", so it matches whatever the queue was created with.
    if ((seed !== 0 || seed2 !== 0) && (seed !== this.seed || seed2 !== this.seed2)) {
      throw new InvalidArgumentError(
        `Shared queue '${this.name}' has random seeds (${this.seed}, ${this.seed2}) but requested seeds are (${seed}, ${seed2}).`,
      );
    }
  }
}
