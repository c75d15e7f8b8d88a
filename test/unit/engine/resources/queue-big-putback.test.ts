/**
 * Nothing is lost at any size: a 250 000-element partial dequeueMany batch goes back whole on
 * close and on cancel, for every queue kind (an array spread of that size throws RangeError
 * half-way); and a put-back that fails inside an abort listener settles the attempt instead of
 * escaping as an uncaughtException.
 */
import { describe, expect, it } from "vitest";
import { DataLossError, OutOfRangeError } from "../../../../src/errors/index.js";
import { FIFOQueue } from "../../../../src/engine/resources/fifo-queue.js";
import { PaddingFIFOQueue } from "../../../../src/engine/resources/padding-fifo-queue.js";
import { PriorityQueue } from "../../../../src/engine/resources/priority-queue.js";
import type { QueueBase, QueueConfig } from "../../../../src/engine/resources/queue-base.js";
import type { Element } from "../../../../src/engine/resources/queue-elements.js";
import { RandomShuffleQueue } from "../../../../src/engine/resources/random-shuffle-queue.js";
import { SeededRandom } from "../../../../src/util/env.js";
import { i32, i64, ManualClock, tick } from "./queue-helpers.js";

const N = 250_000;

interface Kind {
  name: string;
  make(): QueueBase;
  /** The enqueueMany tuple of N elements whose values are 0..N-1. */
  batch(): ReturnType<typeof i32>[];
  /** The component holding the values. */
  valueIndex: number;
}

const base = (dtypes: QueueConfig["componentTypes"]): QueueConfig => ({ name: "big", componentTypes: dtypes, capacity: -1, clock: new ManualClock(), shapes: dtypes.map(() => []) });
const range = () => Int32Array.from({ length: N }, (_, i) => i);

const kinds: Kind[] = [
  { name: "FIFOQueue", make: () => new FIFOQueue(base(["int32"])), batch: () => [i32(range())], valueIndex: 0 },
  { name: "PaddingFIFOQueue", make: () => new PaddingFIFOQueue(base(["int32"])), batch: () => [i32(range())], valueIndex: 0 },
  {
    name: "RandomShuffleQueue",
    make: () => new RandomShuffleQueue({ ...base(["int32"]), minAfterDequeue: 0, random: new SeededRandom(7) }),
    batch: () => [i32(range())],
    valueIndex: 0,
  },
  {
    name: "PriorityQueue",
    make: () => new PriorityQueue(base(["int64", "int32"])),
    batch: () => [i64(BigInt64Array.from({ length: N }, (_, i) => BigInt(i))), i32(range())],
    valueIndex: 1,
  },
];

/** Every value 0..N-1 is in the queue exactly once (order aside). */
async function expectAllThere(q: QueueBase, valueIndex: number): Promise<void> {
  expect(q.size()).toBe(N);
  const data = (await q.dequeueMany(N))[valueIndex]!.data as Int32Array;
  const seen = new Uint8Array(N);
  for (const v of data) seen[v] = 1;
  expect(seen.every((s) => s === 1)).toBe(true);
}

describe.each(kinds)("$name: a 250 000-element partial batch is never lost", (kind) => {
  it("on close: OutOfRangeError, and every element is back", async () => {
    const q = kind.make();
    await q.enqueueMany(kind.batch());
    const pending = q.dequeueMany(N + 1).catch((e: unknown) => e);
    await tick();
    await q.close();
    expect(await pending).toBeInstanceOf(OutOfRangeError);
    await expectAllThere(q, kind.valueIndex);
  }, 60_000);

  it("on cancel: the attempt fails, and every element is back", async () => {
    const q = kind.make();
    await q.enqueueMany(kind.batch());
    const caller = new AbortController();
    const pending = q.dequeueMany(N + 1, { signal: caller.signal }).catch((e: unknown) => e);
    await tick();
    caller.abort();
    expect(await pending).toBeInstanceOf(Error);
    await expectAllThere(q, kind.valueIndex);
  }, 60_000);
});

class UnrestorableQueue extends FIFOQueue {
  protected override restoreElements(_taken: Element[]): void {
    throw new RangeError("cannot put back");
  }
}

it("a put-back that throws inside the abort listener settles the attempt with DataLossError; nothing escapes", async () => {
  const q = new UnrestorableQueue(base(["int32"]));
  await q.enqueueMany([i32([1, 2])]);
  const caller = new AbortController();
  const pending = q.dequeueMany(3, { signal: caller.signal }).catch((e: unknown) => e);
  await tick();
  expect(() => caller.abort()).not.toThrow();
  const err = await pending;
  expect(err).toBeInstanceOf(DataLossError);
  expect((err as Error).message).toContain("Failed to restore element from partially-dequeued batch");
  // The queue still works.
  await q.enqueue([i32(9)]);
  expect((await q.dequeue())[0]!.item()).toBe(9);
});
