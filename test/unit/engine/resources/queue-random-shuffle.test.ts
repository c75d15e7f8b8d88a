/**
 * RandomShuffleQueue resource: random order from seeds, min_after_dequeue while open, and the
 * common close/put-back rules with its own message prefix (tf-queues-cluster.md §3.9).
 */
import { describe, expect, it } from "vitest";
import { CancelledError, InvalidArgumentError, OutOfRangeError } from "../../../../src/errors/index.js";
import { RandomShuffleQueue } from "../../../../src/engine/resources/random-shuffle-queue.js";
import type { RandomShuffleQueueConfig } from "../../../../src/engine/resources/random-shuffle-queue.js";
import { SeededRandom } from "../../../../src/util/env.js";
import { expectError, f32, ManualClock, tick, values, watch } from "./queue-helpers.js";

function rsq(capacity: number, minAfterDequeue: number, extra: Partial<RandomShuffleQueueConfig> = {}): RandomShuffleQueue {
  return new RandomShuffleQueue({
    name: "q",
    componentTypes: ["float32"],
    shapes: [[]],
    capacity,
    minAfterDequeue,
    seed: 1729,
    seed2: 87539319,
    clock: new ManualClock(),
    ...extra,
  });
}

async function order(q: RandomShuffleQueue, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await q.dequeue())[0]!.item() as number);
  return out;
}

const ten = (): ReturnType<typeof f32> => f32([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

describe("RandomShuffleQueue: order", () => {
  it("returns a permutation, the same one for the same seeds", async () => {
    const a = rsq(10, 0);
    const b = rsq(10, 0);
    await a.enqueueMany([ten()]);
    await b.enqueueMany([ten()]);
    const first = await order(a, 10);
    expect([...first].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await order(b, 10)).toEqual(first);
    expect(first).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("differs between seeds", async () => {
    const sequences: string[] = [];
    for (const [seed, seed2] of [[1729, 0], [87539319, 0], [0, 1729], [0, 87539319]] as const) {
      const q = rsq(10, 5, { seed, seed2 });
      await q.enqueueMany([ten()]);
      await q.close();
      sequences.push((await order(q, 10)).join(","));
    }
    expect(new Set(sequences).size).toBe(4);
  });

  it("draws from the given Random when both seeds are 0, and needs one then", async () => {
    const a = rsq(10, 0, { seed: 0, seed2: 0, random: new SeededRandom(5) });
    const b = rsq(10, 0, { seed: 0, seed2: 0, random: new SeededRandom(5) });
    await a.enqueueMany([ten()]);
    await b.enqueueMany([ten()]);
    expect(await order(a, 10)).toEqual(await order(b, 10));
    expect(() => rsq(10, 0, { seed: 0, seed2: 0 })).toThrow(TypeError);
  });

  it("never returns first an element whose enqueue was blocked on a full queue", async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const q = rsq(4, 0, { seed });
      await q.enqueueMany([f32([1, 2, 3, 4])]);
      const blocked = watch(q.enqueue([f32(99)]));
      const [first] = await q.dequeue();
      expect(first!.item()).not.toBe(99);
      await tick();
      expect(blocked.current.state).toBe("fulfilled");
    }
  });
});

describe("RandomShuffleQueue: min_after_dequeue", () => {
  it("S5: 22 items, capacity 50, min 10 — two dequeueMany(5) succeed, the third waits until close", async () => {
    const q = rsq(50, 10);
    await q.enqueueMany([f32(Array.from({ length: 22 }, (_, k) => k))]);
    await q.dequeueMany(5);
    await q.dequeueMany(5);
    const third = watch(q.dequeueMany(5));
    await tick();
    expect(third.current.state).toBe("pending");
    expect(q.size()).toBe(10); // it took the 2 it could and waits for 3 more
    await q.close();
    expect((await third.promise)[0]!.shape).toEqual([5]);
    expect(q.size()).toBe(7);
  });

  it("a single dequeue waits until size > min; once closed the floor is ignored (testBlockingDequeueFromClosedQueue)", async () => {
    const q = rsq(10, 2);
    await q.enqueueMany([f32([1, 2, 3, 4])]);
    const got = await order(q, 2);
    const third = watch(q.dequeue());
    await tick();
    expect(third.current.state).toBe("pending");
    await q.close();
    got.push((await third.promise)[0]!.item() as number);
    got.push(...(await order(q, 1)));
    expect(got.sort()).toEqual([1, 2, 3, 4]);
    await expectError(q.dequeue(), OutOfRangeError, "RandomShuffleQueue 'q' is closed and has insufficient elements (requested 1, current size 0)");
  });

  it("dequeueUpTo smaller than min takes what it may, then completes on close (testBlockingDequeueUpToSmallerThanMinAfterDequeue)", async () => {
    const q = rsq(10, 2);
    await q.enqueueMany([f32([1, 2, 3, 4])]);
    const first = watch(q.dequeueUpTo(3));
    await tick();
    expect(first.current.state).toBe("pending");
    expect(q.size()).toBe(2);
    await q.close();
    expect((await first.promise)[0]!.shape).toEqual([3]);
    expect((await q.dequeueUpTo(3))[0]!.shape).toEqual([1]);
    await expectError(q.dequeueUpTo(3), OutOfRangeError, /RandomShuffleQueue 'q' is closed and has insufficient elements/);
  });
});

describe("RandomShuffleQueue: close", () => {
  it("puts a partial batch back and fails; the rest stays (testBlockingDequeueManyFromClosedQueueWithElementsRemaining)", async () => {
    const q = rsq(10, 0);
    await q.enqueueMany([f32([1, 2, 3, 4])]);
    const taken = (await q.dequeueMany(3))[0]!.toArray() as number[];
    const next = watch(q.dequeueMany(3));
    await tick();
    expect(q.size()).toBe(0);
    await q.close();
    await expectError(next.promise, OutOfRangeError, "RandomShuffleQueue 'q' is closed and has insufficient elements (requested 2, current size 0)");
    expect(q.size()).toBe(1);
    const rest = (await q.dequeueMany(q.size()))[0]!.toArray() as number[];
    expect([...taken, ...rest].sort()).toEqual([1, 2, 3, 4]);
  });

  it("a blocked enqueueMany adds what fits; close waits; a later enqueue fails (testBlockingEnqueueManyToClosedQueue)", async () => {
    const q = rsq(4, 0);
    await q.enqueueMany([f32([10, 20, 30])]);
    const many = watch(q.enqueueMany([f32([50, 60])]));
    const close = watch(q.close());
    await tick();
    expect(q.size()).toBe(4);
    expect(close.current.state).toBe("pending");
    await q.dequeue();
    await tick();
    expect(many.current.state).toBe("fulfilled");
    expect(close.current.state).toBe("fulfilled");
    await expectError(q.enqueue([f32(70)]), CancelledError, "RandomShuffleQueue 'q' is closed.");
  });

  it("enqueueMany of 0 leaves the size at 0 and dequeueMany(0) returns an empty batch", async () => {
    const q = rsq(4, 0);
    await q.enqueueMany([f32([])]);
    expect(q.size()).toBe(0);
    expect(values(await q.dequeueMany(0))).toEqual([[]]);
  });

  it("needs shapes for dequeueMany", async () => {
    const q = rsq(4, 0, { shapes: [] });
    await expectError(q.dequeueMany(1), InvalidArgumentError, "RandomShuffleQueue's DequeueMany and DequeueUpTo require the components to have specified shapes.");
  });
});

describe("RandomShuffleQueue: configuration and sharing", () => {
  it("checks min_after_dequeue against 0 and the capacity", () => {
    expect(() => rsq(10, -1)).toThrow(new InvalidArgumentError("min_after_dequeue -1 must be >= 0"));
    expect(() => rsq(10, 10)).toThrow(new InvalidArgumentError("min_after_dequeue 10 must be < capacity 10"));
    expect(() => rsq(-1, 5)).not.toThrow();
  });

  it("a second creator must ask for the same min_after_dequeue and (unless 0, 0) seeds", () => {
    const q = rsq(10, 0);
    const base = { nodeName: "q2", opType: "RandomShuffleQueueV2", componentTypes: ["float32"] as const, shapes: [[]], capacity: 10 };
    expect(() => q.checkCompatible({ ...base, minAfterDequeue: 5 })).toThrow(
      new InvalidArgumentError("Shared queue 'q' has min_after_dequeue 0 but requested min_after_dequeue was 5."),
    );
    expect(() => q.checkCompatible({ ...base, minAfterDequeue: 0, seed: 1, seed2: 2 })).toThrow(
      new InvalidArgumentError("Shared queue 'q' has random seeds (1729, 87539319) but requested seeds are (1, 2)."),
    );
    expect(() => q.checkCompatible({ ...base, minAfterDequeue: 0, seed: 0, seed2: 0 })).not.toThrow();
    expect(() => q.checkCompatible({ ...base, minAfterDequeue: 0, seed: 1729, seed2: 87539319 })).not.toThrow();
    expect(() => q.checkCompatible({ ...base, shapes: [], minAfterDequeue: 0 })).toThrow(
      "Shared queue 'q' has component shapes [[]] but requested component shapes were []",
    );
  });
});
