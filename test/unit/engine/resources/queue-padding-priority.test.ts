/**
 * PaddingFIFOQueue (§3.10) and PriorityQueue (§3.11) resources.
 */
import { describe, expect, it } from "vitest";
import { CancelledError, InvalidArgumentError, OutOfRangeError } from "../../../../src/errors/index.js";
import { PaddingFIFOQueue } from "../../../../src/engine/resources/padding-fifo-queue.js";
import { PriorityQueue } from "../../../../src/engine/resources/priority-queue.js";
import type { PartialShape } from "../../../../src/engine/resources/queue-elements.js";
import type { DType } from "../../../../src/tensor/dtypes.js";
import { expectError, f32, i32, i64, ManualClock, str, tick, val, values, watch } from "./queue-helpers.js";

function padding(capacity: number, dtypes: DType[], shapes: PartialShape[]): PaddingFIFOQueue {
  return new PaddingFIFOQueue({ name: "q", componentTypes: dtypes, shapes, capacity, clock: new ManualClock() });
}

function priority(capacity: number, dtypes: DType[] = ["int64", "string"], shapes?: PartialShape[]): PriorityQueue {
  return new PriorityQueue({ name: "pq", componentTypes: dtypes, ...(shapes ? { shapes } : {}), capacity, clock: new ManualClock() });
}

describe("PaddingFIFOQueue", () => {
  it("pads each varying dim to the batch maximum with zeros and empty strings", async () => {
    const q = padding(10, ["string", "int32"], [[-1], [1, -1]]);
    const inputs: [string[], number[][]][] = [
      [["a"], [[1]]],
      [["ab"], [[2]]],
      [["abc"], [[3]]],
      [["abc", "d"], [[1, 2]]],
      [["abc", "d", "e"], [[1, 2, 3]]],
      [["abc", "d", "e", "f"], [[1, 2, 3, 4]]],
    ];
    for (const [s, n] of inputs) await q.enqueue([str(s), i32(n)]);
    expect(values(await q.dequeueMany(5))).toEqual([
      [["a", "", ""], ["ab", "", ""], ["abc", "", ""], ["abc", "d", ""], ["abc", "d", "e"]],
      [[[1, 0, 0]], [[2, 0, 0]], [[3, 0, 0]], [[1, 2, 0]], [[1, 2, 3]]],
    ]);
    expect(values(await q.dequeue())).toEqual([["abc", "d", "e", "f"], [[1, 2, 3, 4]]]);
  });

  it("S5: matrices 3×2, 1×1 and 2×4 make a batch of three 3×4", async () => {
    const q = padding(10, ["float32"], [[-1, -1]]);
    await q.enqueue([f32([[1, 2], [3, 4], [5, 6]])]);
    await q.enqueue([f32([[7]])]);
    await q.enqueue([f32([[1, 2, 3, 4], [5, 6, 7, 8]])]);
    const [batch] = await q.dequeueMany(3);
    expect(batch!.shape).toEqual([3, 3, 4]);
    expect(batch!.toArray()).toEqual([
      [[1, 2, 0, 0], [3, 4, 0, 0], [5, 6, 0, 0]],
      [[7, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]],
      [[1, 2, 3, 4], [5, 6, 7, 8], [0, 0, 0, 0]],
    ]);
  });

  it("pads bools with false and keeps known dims (4, ?, 4, ?) as given", async () => {
    const q = padding(4, ["bool", "float32"], [[-1], [2, -1, 2, -1]]);
    await q.enqueue([val([true], "bool"), f32(new Array(2).fill(new Array(1).fill(new Array(2).fill([1]))))]);
    await q.enqueue([val([true, true], "bool"), f32(new Array(2).fill(new Array(3).fill(new Array(2).fill([2, 2]))))]);
    const [b, x] = await q.dequeueMany(2);
    expect(b!.toArray()).toEqual([[true, false], [true, true]]);
    expect(x!.shape).toEqual([2, 2, 3, 2, 2]);
    expect((x!.toArray() as number[][][][][])[0]![0]).toEqual([[[1, 0], [1, 0]], [[0, 0], [0, 0]], [[0, 0], [0, 0]]]);
  });

  it("dequeueMany(0) gives 0 for unknown dims", async () => {
    const q = padding(4, ["float32", "int32"], [[-1], [2, -1]]);
    const [a, b] = await q.dequeueMany(0);
    expect(a!.shape).toEqual([0, 0]);
    expect(b!.shape).toEqual([0, 2, 0]);
  });

  it("checks values against partial shapes", async () => {
    const q = padding(4, ["float32", "float32"], [[], [-1, 3]]);
    await expectError(
      q.enqueue([f32(1), f32([[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]])]),
      InvalidArgumentError,
      "Shape mismatch in tuple component 1. Expected [?,3], got [3,4]",
    );
    await expectError(
      q.enqueueMany([f32([1, 2]), f32(new Array(2).fill(new Array(3).fill([1, 2, 3, 4])))]),
      InvalidArgumentError,
      "Shape mismatch in tuple component 1. Expected [2,?,3], got [2,3,4]",
    );
    await q.enqueueMany([f32([1, 2]), f32(new Array(2).fill(new Array(5).fill([1, 2, 3])))]);
    expect(q.size()).toBe(2);
  });

  it("closed texts: FIFOQueue for enqueue and dequeue, PaddingFIFOQueue for dequeueMany", async () => {
    const q = padding(4, ["float32"], [[-1]]);
    await q.enqueue([f32([1, 2])]);
    await q.close();
    await expectError(q.enqueue([f32([1])]), CancelledError, "FIFOQueue 'q' is closed.");
    await expectError(q.dequeueMany(2), OutOfRangeError, "PaddingFIFOQueue 'q' is closed and has insufficient elements (requested 2, current size 1)");
    await q.dequeue();
    await expectError(q.dequeue(), OutOfRangeError, "FIFOQueue 'q' is closed and has insufficient elements (requested 1, current size 0)");
  });

  it("requires shapes for every component", () => {
    expect(() => new PaddingFIFOQueue({ name: "q", componentTypes: ["float32", "int32"], shapes: [[-1]], capacity: 1, clock: new ManualClock() })).toThrow(
      new InvalidArgumentError("Shapes must be provided for all components, but received 2 dtypes and 1 shapes."),
    );
  });

  it("a second creator needs only compatible partial shapes", () => {
    const q = padding(4, ["float32"], [[-1, 3]]);
    const base = { nodeName: "q2", opType: "PaddingFIFOQueueV2", componentTypes: ["float32"] as DType[], capacity: 4 };
    expect(() => q.checkCompatible({ ...base, shapes: [[5, 3]] })).not.toThrow();
    expect(() => q.checkCompatible({ ...base, shapes: [[-1, 4]] })).toThrow(
      "Shared queue 'q' has component shapes [[?,3]] but requested component shapes were [[?,4]]",
    );
  });
});

describe("PriorityQueue", () => {
  it("dequeues the smallest priority first, components paired", async () => {
    const q = priority(10, ["int64", "string"], [[], []]);
    await q.enqueueMany([i64([5, 1, 3]), str(["five", "one", "three"])]);
    await q.enqueue([i64(2), str("two")]);
    expect(values(await q.dequeue())).toEqual([1n, "one"]);
    expect(values(await q.dequeueMany(3))).toEqual([[2n, 3n, 5n], ["two", "three", "five"]]);
  });

  it("dequeueMany waits for all n at once, taking nothing early", async () => {
    const q = priority(10, ["int64"], [[]]);
    await q.enqueueMany([i64([3, 2])]);
    const deq = watch(q.dequeueMany(3));
    await tick();
    expect(deq.current.state).toBe("pending");
    expect(q.size()).toBe(2);
    await q.enqueue([i64(1)]);
    expect(values(await deq.promise)).toEqual([[1n, 2n, 3n]]);
  });

  it("dequeueMany of more than the capacity blocks until cancelled", async () => {
    const q = priority(2, ["int64"], [[]]);
    const ac = new AbortController();
    const deq = watch(q.dequeueMany(3, { signal: ac.signal }));
    await q.enqueueMany([i64([1, 2])]);
    const enq = watch(q.enqueue([i64(3)]));
    await tick();
    expect(deq.current.state).toBe("pending");
    expect(enq.current.state).toBe("pending");
    ac.abort();
    await expectError(deq.promise, CancelledError, "Dequeue operation was cancelled");
    expect(q.size()).toBe(2);
  });

  it("closed: OutOfRange for dequeue and dequeueMany, the remainder for dequeueUpTo", async () => {
    const q = priority(10, ["int64"], [[]]);
    await q.enqueueMany([i64([4, 3])]);
    await q.close();
    await expectError(q.dequeueMany(3), OutOfRangeError, "PriorityQueue 'pq' is closed and has insufficient elements (requested 3, current size 2)");
    expect(values(await q.dequeueUpTo(3))).toEqual([[3n, 4n]]);
    await expectError(q.dequeue(), OutOfRangeError, "PriorityQueue 'pq' is closed and has insufficient elements (requested 1, current size 0)");
    await expectError(q.enqueue([i64(1)]), CancelledError, "PriorityQueue 'pq' is closed.");
  });

  it("the priority must be a scalar (a vector in enqueueMany), with or without shapes", async () => {
    for (const q of [priority(10), priority(10, ["int64", "string"], [[], []])]) {
      await expectError(q.enqueue([i64([1, 2]), str("x")]), InvalidArgumentError, "Shape mismatch in tuple component 0. Expected [], got [2]");
      await expectError(q.enqueueMany([i64([[1, 2], [3, 4]]), str(["x", "y"])]), InvalidArgumentError, "Shape mismatch in tuple component 0. Expected [2], got [2,2]");
      await expectError(q.enqueue([f32(1), str("x")]), InvalidArgumentError, "Type mismatch in tuple component 0. Expected int64, got float");
      expect(q.size()).toBe(0);
    }
  });

  it("dequeueMany without shapes fails with its own text", async () => {
    await expectError(priority(10).dequeueMany(1), InvalidArgumentError, "PriorityQueue's DequeueMany requires the components to have specified shapes.");
  });

  it("the first component must be an int64 scalar", () => {
    expect(() => priority(10, ["int32"])).toThrow(new InvalidArgumentError("PriorityQueue priority index component must be type int64, but dtype is: int32"));
    expect(() => priority(10, ["int64"], [[2]])).toThrow(new InvalidArgumentError("PriorityQueue priority index component must be a scalar, but shape is: [2]"));
  });
});
