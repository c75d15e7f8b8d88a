/**
 * FIFOQueue resource, driven directly: TF's fifo_queue_test behaviours (tf-queues-cluster.md §3).
 */
import { describe, expect, it } from "vitest";
import { CancelledError, DeadlineExceededError, InvalidArgumentError, OutOfRangeError, UnimplementedError } from "../../../../src/errors/index.js";
import { FIFOQueue } from "../../../../src/engine/resources/fifo-queue.js";
import type { QueueConfig } from "../../../../src/engine/resources/queue-base.js";
import type { PartialShape } from "../../../../src/engine/resources/queue-elements.js";
import type { DType } from "../../../../src/tensor/dtypes.js";
import { NDArray } from "../../../../src/tensor/ndarray.js";
import { expectError, f32, i32, ManualClock, str, tick, val, values, watch } from "./queue-helpers.js";

function fifo(capacity: number, dtypes: DType[] = ["float32"], shapes?: PartialShape[], clock = new ManualClock()): FIFOQueue {
  const config: QueueConfig = { name: "q", componentTypes: dtypes, capacity, clock };
  if (shapes) config.shapes = shapes;
  return new FIFOQueue(config);
}

async function drain(q: FIFOQueue, n: number): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) out.push((await q.dequeue())[0]!.item());
  return out;
}

describe("FIFOQueue: order and tuples", () => {
  it("dequeues in enqueue order, each tuple whole", async () => {
    const q = fifo(10, ["int32", "float32"], [[], []]);
    await q.enqueue([i32(5), f32(10)]);
    await q.enqueue([i32(10), f32(20)]);
    await q.enqueue([i32(15), f32(30)]);
    expect(q.size()).toBe(3);
    for (const [a, b] of [[5, 10], [10, 20], [15, 30]]) expect(values(await q.dequeue())).toEqual([a, b]);
    expect(q.size()).toBe(0);
  });

  it("dequeueMany(4) of 10 gives 0..3, then 4..7", async () => {
    const q = fifo(10, ["float32"], [[]]);
    await q.enqueueMany([f32([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])]);
    expect(values(await q.dequeueMany(4))).toEqual([[0, 1, 2, 3]]);
    expect(values(await q.dequeueMany(4))).toEqual([[4, 5, 6, 7]]);
    expect(q.size()).toBe(2);
  });

  it("keeps strict order across mixtures of enqueue and enqueueMany", async () => {
    const q = fifo(-1, ["int32"], [[]]);
    let next = 0;
    for (let round = 0; next < 250; round++) {
      const n = Math.min(250 - next, (round * 7) % 5);
      if (n === 0) await q.enqueue([i32(next++)]);
      else {
        await q.enqueueMany([i32(Array.from({ length: n }, (_, k) => next + k))]);
        next += n;
      }
    }
    expect(await drain(q, 250)).toEqual(Array.from({ length: 250 }, (_, k) => k));
  });

  it("works for high-rank elements (4,4,4,4)", async () => {
    const q = fifo(10, ["float32"], [[4, 4, 4, 4]]);
    const data = Float32Array.from({ length: 10 * 256 }, (_, k) => k);
    await q.enqueueMany([new NDArray("float32", [10, 4, 4, 4, 4], data)]);
    const [batch] = await q.dequeueMany(10);
    expect(batch!.shape).toEqual([10, 4, 4, 4, 4]);
    expect(Array.from(batch!.data as Float32Array)).toEqual(Array.from(data));
  });

  it("stores strings and bools", async () => {
    const q = fifo(4, ["string", "bool"], [[2], []]);
    await q.enqueueMany([str([["a", "b"], ["c", "d"]]), val([true, false], "bool")]);
    expect(values(await q.dequeueMany(2))).toEqual([[["a", "b"], ["c", "d"]], [true, false]]);
  });

  it("stores any dtype; batching one it cannot batch fails that dequeue and keeps the elements", async () => {
    const q = fifo(4, ["resource"], [[]]);
    const handle = (name: string): NDArray => new NDArray("resource", [], [{ device: "/cpu:0", container: "", name, kind: "Queue" }]);
    await q.enqueue([handle("a")]);
    await q.enqueue([handle("b")]);
    await expectError(q.dequeueMany(2), UnimplementedError, "CopyElementToSlice Unhandled data type: resource");
    expect(q.size()).toBe(2);
    expect(((await q.dequeue())[0]!.data as { name: string }[])[0]!.name).toBe("a");
  });

  it("is unbounded with a negative capacity", async () => {
    const q = fifo(-1);
    for (let i = 0; i < 100; i++) await q.enqueue([f32(i)]);
    expect(q.size()).toBe(100);
    expect(q.capacity).toBe(2147483647);
    expect(q.describe().capacity).toBe(-1);
  });
});

describe("FIFOQueue: blocking and partial progress", () => {
  it("a big enqueueMany fills the queue, then lets one more in per dequeue", async () => {
    const q = fifo(5, ["float32"], [[]]);
    const enq = watch(q.enqueueMany([f32([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])]));
    await tick();
    expect(q.size()).toBe(5);
    expect(enq.current.state).toBe("pending");
    const got: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      got.push((await q.dequeue())[0]!.item());
      expect(q.size()).toBe(5);
    }
    await tick();
    expect(enq.current.state).toBe("fulfilled");
    got.push(...(await drain(q, 5)));
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("a dequeueMany bigger than the capacity finishes after enough single enqueues", async () => {
    const q = fifo(2, ["float32"], [[]]);
    const deq = watch(q.dequeueMany(4));
    for (const v of [10, 20, 30]) {
      await q.enqueue([f32(v)]);
      await tick();
      expect(deq.current.state).toBe("pending");
    }
    await q.enqueue([f32(40)]);
    expect(values(await deq.promise)).toEqual([[10, 20, 30, 40]]);
  });

  it("a full queue blocks enqueue until a dequeue", async () => {
    const q = fifo(1);
    await q.enqueue([f32(1)]);
    const enq = watch(q.enqueue([f32(2)]));
    await tick();
    expect(enq.current.state).toBe("pending");
    expect(values(await q.dequeue())).toEqual([1]);
    await tick();
    expect(enq.current.state).toBe("fulfilled");
    expect(values(await q.dequeue())).toEqual([2]);
  });

  it("waiting dequeues are served in arrival order", async () => {
    const q = fifo(10);
    const a = q.dequeue();
    const b = q.dequeue();
    await q.enqueueMany([f32([1, 2])]); // enqueue_many needs no shapes
    expect(values(await a)).toEqual([1]);
    expect(values(await b)).toEqual([2]);
  });
});

describe("FIFOQueue: close", () => {
  it("a plain close waits behind a blocked enqueue (testBlockingEnqueueBeforeClose)", async () => {
    const q = fifo(4, ["float32"], [[]]);
    await q.enqueueMany([f32([10, 20, 30, 40])]);
    const enq = watch(q.enqueue([f32(50)]));
    const close = watch(q.close());
    await tick();
    expect(enq.current.state).toBe("pending");
    expect(close.current.state).toBe("pending");
    expect(q.isClosed()).toBe(false);
    expect(values(await q.dequeue())).toEqual([10]);
    await tick();
    expect(enq.current.state).toBe("fulfilled");
    expect(close.current.state).toBe("fulfilled");
    expect(q.isClosed()).toBe(true);
    expect(await drain(q, 4)).toEqual([20, 30, 40, 50]);
    expect(q.size()).toBe(0);
  });

  it("a plain close waits behind a partly done enqueueMany (testBlockingEnqueueManyBeforeClose)", async () => {
    const q = fifo(4, ["float32"], [[]]);
    await q.enqueueMany([f32([10, 20, 30])]);
    const enq = watch(q.enqueueMany([f32([50, 60])]));
    const close = watch(q.close());
    await tick();
    expect(q.size()).toBe(4);
    expect(close.current.state).toBe("pending");
    expect(values(await q.dequeue())).toEqual([10]);
    await tick();
    expect(enq.current.state).toBe("fulfilled");
    expect(close.current.state).toBe("fulfilled");
    expect(await drain(q, 4)).toEqual([20, 30, 50, 60]);
  });

  it("a second plain close fails: Queue '<name>' is already closed.", async () => {
    const q = fifo(4);
    await q.close();
    await expectError(q.close(), CancelledError, "Queue 'q' is already closed.");
    await q.close({ cancelPendingEnqueues: true }); // never fails
  });

  it("close with cancelPendingEnqueues closes at once and cancels pending enqueues and closes", async () => {
    const q = fifo(1, ["float32"], [[]]);
    await q.enqueue([f32(1)]);
    const enq = watch(q.enqueue([f32(2)]));
    const many = watch(q.enqueueMany([f32([3, 4])]));
    const close = watch(q.close());
    await q.close({ cancelPendingEnqueues: true });
    expect(q.isClosed()).toBe(true);
    await tick();
    for (const p of [enq, many, close]) {
      expect(p.current.state).toBe("rejected");
      if (p.current.state === "rejected") {
        expect(p.current.error).toBeInstanceOf(CancelledError);
        expect(p.current.error.message).toBe("Enqueue operation was cancelled");
      }
    }
    expect(values(await q.dequeue())).toEqual([1]);
    await expectError(q.dequeue(), OutOfRangeError, "FIFOQueue 'q' is closed and has insufficient elements (requested 1, current size 0)");
  });

  it("enqueue and enqueueMany on a closed queue fail with CancelledError", async () => {
    const q = fifo(4, ["float32"], [[]]);
    await q.close();
    await expectError(q.enqueue([f32(1)]), CancelledError, "FIFOQueue 'q' is closed.");
    await expectError(q.enqueueMany([f32([1, 2])]), CancelledError, "FIFOQueue 'q' is closed.");
    expect(q.size()).toBe(0);
  });

  it("dequeues succeed while elements remain, then OutOfRangeError", async () => {
    const q = fifo(10, ["float32"], [[]]);
    await q.enqueueMany([f32([10, 20, 30, 40])]);
    await q.close();
    expect(await drain(q, 4)).toEqual([10, 20, 30, 40]);
    await expectError(q.dequeue(), OutOfRangeError, "FIFOQueue 'q' is closed and has insufficient elements (requested 1, current size 0)");
  });

  it("a dequeue blocked on an empty queue fails as soon as the queue closes", async () => {
    const q = fifo(10);
    const deq = watch(q.dequeue());
    await tick();
    expect(deq.current.state).toBe("pending");
    await q.close();
    await expectError(deq.promise, OutOfRangeError, /is closed and has insufficient elements \(requested 1, current size 0\)/);
  });

  it("a blocked dequeueMany puts its partial batch back on close, in order", async () => {
    const q = fifo(4, ["float32", "float32"], [[], []]);
    await q.enqueueMany([f32([1, 2, 3]), f32([10, 20, 30])]);
    const deq = watch(q.dequeueMany(4));
    await tick();
    expect(q.size()).toBe(0); // all three taken into the partial batch
    await q.close();
    // Both numbers are read before the put-back.
    await expectError(deq.promise, OutOfRangeError, "FIFOQueue 'q' is closed and has insufficient elements (requested 1, current size 0)");
    expect(q.size()).toBe(3);
    for (const pair of [[1, 10], [2, 20], [3, 30]]) expect(values(await q.dequeue())).toEqual(pair);
    expect(q.size()).toBe(0);
  });

  it("dequeueMany on a closed queue with too few keeps them: (requested 4, current size 3)", async () => {
    const q = fifo(10, ["float32"], [[]]);
    await q.enqueueMany([f32([1, 2, 3])]);
    await q.close();
    await expectError(q.dequeueMany(4), OutOfRangeError, "FIFOQueue 'q' is closed and has insufficient elements (requested 4, current size 3)");
    expect(q.size()).toBe(3);
    expect(values(await q.dequeueMany(3))).toEqual([[1, 2, 3]]);
  });

  it("dequeueMany(4) returns 4 present items, then the next fails on close; with 3, one item stays", async () => {
    const q = fifo(10, ["float32"], [[]]);
    await q.enqueueMany([f32([1, 2, 3, 4])]);
    expect(values(await q.dequeueMany(3))).toEqual([[1, 2, 3]]);
    const next = watch(q.dequeueMany(3));
    await tick();
    expect(next.current.state).toBe("pending");
    await q.close();
    await expectError(next.promise, OutOfRangeError, /requested 2, current size 0/);
    expect(q.size()).toBe(1);
  });

  it("dequeueUpTo returns the remainder once closed, then OutOfRangeError", async () => {
    const q = fifo(10, ["float32"], [[]]);
    await q.enqueueMany([f32([1, 2, 3, 4])]);
    await q.close();
    expect(values(await q.dequeueUpTo(3))).toEqual([[1, 2, 3]]);
    expect(values(await q.dequeueUpTo(3))).toEqual([[4]]);
    await expectError(q.dequeueUpTo(3), OutOfRangeError, "FIFOQueue 'q' is closed and has insufficient elements (requested 3, current size 0)");
  });

  it("dequeueUpTo blocks for n while open and completes with what is there on close", async () => {
    const q = fifo(10, ["float32"], [[]]);
    await q.enqueueMany([f32([1, 2])]);
    const deq = watch(q.dequeueUpTo(3));
    await tick();
    expect(deq.current.state).toBe("pending");
    await q.close();
    expect(values(await deq.promise)).toEqual([[1, 2]]);
  });

  it("parallel dequeueUpTo(101) on a closed queue of 1000 return every item once", async () => {
    const q = fifo(-1, ["int32"], [[]]);
    await q.enqueueMany([i32(Array.from({ length: 1000 }, (_, k) => k))]);
    await q.close();
    const seen: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        for (;;) {
          try {
            seen.push(...((await q.dequeueUpTo(101))[0]!.toArray() as number[]));
          } catch (e) {
            expect(e).toBeInstanceOf(OutOfRangeError);
            return;
          }
        }
      }),
    );
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, k) => k));
  });
});

describe("FIFOQueue: zero-size batches", () => {
  it("enqueueMany of batch 0 succeeds even when closed", async () => {
    const q = fifo(4, ["int32", "float32"], [[], []]);
    await q.close();
    await q.enqueueMany([i32([]), f32([])]);
    expect(q.size()).toBe(0);
  });

  it("dequeueMany(0) and dequeueUpTo(0) return [0]+shape at once, even when closed and empty", async () => {
    const q = fifo(4, ["float32", "string"], [[2], []]);
    await q.close();
    const [a, b] = await q.dequeueMany(0);
    expect(a!.shape).toEqual([0, 2]);
    expect(b!.shape).toEqual([0]);
    expect((await q.dequeueUpTo(0))[0]!.shape).toEqual([0, 2]);
  });

  it("dequeueMany needs shapes, even for n = 0", async () => {
    const q = fifo(10);
    await q.enqueue([f32(1)]);
    const message = "FIFOQueue's DequeueMany and DequeueUpTo require the components to have specified shapes.";
    await expectError(q.dequeueMany(0), InvalidArgumentError, message);
    await expectError(q.dequeueMany(1), InvalidArgumentError, message);
    await expectError(q.dequeueUpTo(1), InvalidArgumentError, message);
    expect(q.size()).toBe(1);
  });

  it("a negative count is an InvalidArgumentError", async () => {
    const q = fifo(10, ["float32"], [[]]);
    await expectError(q.dequeueMany(-1), InvalidArgumentError, "DequeueManyOp requested -1 < 0 elements");
    await expectError(q.dequeueUpTo(-1), InvalidArgumentError, "DequeueUpToOp requested -1 < 0 elements");
  });
});

describe("FIFOQueue: validation leaves the queue unchanged", () => {
  it("checks the component count, then dtypes, then shapes", async () => {
    const q = fifo(10, ["int32", "float32"], [[], [3, 3]]);
    await q.enqueue([i32(1), f32(new Array(3).fill([1, 2, 3]))]);
    await expectError(q.enqueue([i32(1)]), InvalidArgumentError, "Wrong number of components in tuple. Expected 2, got 1");
    await expectError(q.enqueue([f32(1), f32(1)]), InvalidArgumentError, "Type mismatch in tuple component 0. Expected int32, got float");
    await expectError(
      q.enqueue([i32(1), f32(new Array(3).fill([1, 2, 3, 4]))]),
      InvalidArgumentError,
      "Shape mismatch in tuple component 1. Expected [3,3], got [3,4]",
    );
    await expectError(
      q.enqueueMany([i32([1, 2]), f32(new Array(2).fill(new Array(3).fill([1, 2, 3, 4])))]),
      InvalidArgumentError,
      "Shape mismatch in tuple component 1. Expected [2,3,3], got [2,3,4]",
    );
    expect(q.size()).toBe(1);
  });

  it("without shapes, enqueueMany needs one batch size", async () => {
    const q = fifo(10, ["int32", "float32"]);
    await expectError(
      q.enqueueMany([i32([1, 2, 3]), f32([1, 2])]),
      InvalidArgumentError,
      "All input tensors must have the same size in the 0th dimension. Component 1 has 2, and should have 3",
    );
    await expectError(q.enqueueMany([i32(1), f32(2)]), InvalidArgumentError, /Shape mismatch in tuple component 0/);
    expect(q.size()).toBe(0);
    await q.enqueueMany([i32([1, 2]), f32([1, 2])]);
    expect(q.size()).toBe(2);
  });

  it("rejects bad configurations with TF's texts", () => {
    const clock = new ManualClock();
    expect(() => new FIFOQueue({ name: "e", componentTypes: [], capacity: 1, clock })).toThrow(new InvalidArgumentError("Empty component types for queue e"));
    expect(() => new FIFOQueue({ name: "e", componentTypes: ["float32", "int32"], shapes: [[2]], capacity: 1, clock })).toThrow(
      "Different number of component types. Types: float, int32, Shapes: [[2]]",
    );
    expect(() => new FIFOQueue({ name: "e", componentTypes: ["float32"], shapes: [[-1]], capacity: 1, clock })).toThrow(InvalidArgumentError);
  });
});

describe("FIFOQueue: cancellation", () => {
  it("an aborted signal fails a blocked dequeue with Dequeue operation was cancelled", async () => {
    const q = fifo(10);
    const ac = new AbortController();
    const deq = q.dequeue({ signal: ac.signal });
    ac.abort();
    await expectError(deq, CancelledError, "Dequeue operation was cancelled");
  });

  it("an OpError reason (a deadline) is the error", async () => {
    const q = fifo(10);
    const ac = new AbortController();
    const deq = q.dequeue({ signal: ac.signal });
    ac.abort(new DeadlineExceededError("Timed out waiting for notification"));
    await expectError(deq, DeadlineExceededError, "Timed out waiting for notification");
  });

  it("stays usable after timed-out dequeues, which never steal a later element (testReusableAfterTimeout)", async () => {
    const q = fifo(10);
    for (let i = 0; i < 2; i++) {
      const ac = new AbortController();
      const deq = q.dequeue({ signal: ac.signal });
      ac.abort(new DeadlineExceededError("Timed out waiting for notification"));
      await expectError(deq, DeadlineExceededError, /Timed out/);
    }
    await q.enqueue([f32(37)]);
    expect(values(await q.dequeue())).toEqual([37]);
  });

  it("a cancelled enqueue never inserts its element later", async () => {
    const q = fifo(1);
    await q.enqueue([f32(1)]);
    const ac = new AbortController();
    const enq = q.enqueue([f32(2)], { signal: ac.signal });
    ac.abort();
    await expectError(enq, CancelledError, "Enqueue operation was cancelled");
    expect(values(await q.dequeue())).toEqual([1]);
    expect(q.size()).toBe(0);
    await q.enqueue([f32(3)]);
    expect(values(await q.dequeue())).toEqual([3]);
  });

  it("an already aborted signal fails at once and leaves the queue alone", async () => {
    const q = fifo(10);
    await q.enqueue([f32(1)]);
    const ac = new AbortController();
    ac.abort();
    await expectError(q.dequeue({ signal: ac.signal }), CancelledError, "Dequeue operation was cancelled");
    await expectError(q.enqueue([f32(2)], { signal: ac.signal }), CancelledError, "Enqueue operation was cancelled");
    expect(q.size()).toBe(1);
  });

  it("a cancelled partial dequeueMany puts its elements back, in order", async () => {
    const q = fifo(10, ["float32"], [[]]);
    await q.enqueueMany([f32([1, 2])]);
    const ac = new AbortController();
    const deq = watch(q.dequeueMany(3, { signal: ac.signal }));
    await tick();
    expect(q.size()).toBe(0);
    ac.abort();
    await expectError(deq.promise, CancelledError, "Dequeue operation was cancelled");
    expect(q.size()).toBe(2);
    await q.enqueue([f32(3)]);
    expect(values(await q.dequeueMany(3))).toEqual([[1, 2, 3]]);
  });

  it("cancelling the blocked head enqueue lets a queued close through", async () => {
    const q = fifo(1);
    await q.enqueue([f32(1)]);
    const ac = new AbortController();
    const enq = q.enqueue([f32(2)], { signal: ac.signal });
    const close = watch(q.close());
    await tick();
    expect(close.current.state).toBe("pending");
    ac.abort();
    await expectError(enq, CancelledError, "Enqueue operation was cancelled");
    await close.promise;
    expect(q.isClosed()).toBe(true);
  });

  it("a cancelled dequeue behind another lets the next one take the element", async () => {
    const q = fifo(10);
    const ac = new AbortController();
    const first = q.dequeue({ signal: ac.signal });
    const second = q.dequeue();
    ac.abort();
    await expectError(first, CancelledError, /cancelled/);
    await q.enqueue([f32(9)]);
    expect(values(await second)).toEqual([9]);
  });
});

describe("FIFOQueue: status and teardown", () => {
  it("describe() lists the waiters with how long and how many", async () => {
    const clock = new ManualClock();
    const q = fifo(1, ["float32"], [[]], clock);
    await q.enqueue([f32(1)]);
    clock.advance(100);
    void q.enqueueMany([f32([2, 3])], { stepId: 7 });
    clock.advance(50);
    void q.close({ stepId: 8 });
    clock.advance(25);
    expect(q.describe()).toEqual({
      name: "q",
      type: "FIFOQueue",
      size: 1,
      capacity: 1,
      closed: false,
      componentTypes: ["float32"],
      waiting: [
        { kind: "enqueue", elements: 2, sinceMs: 75, stepId: 7 },
        { kind: "close", elements: 0, sinceMs: 25, stepId: 8 },
      ],
    });
    expect(values(await q.dequeue())).toEqual([1]);
    expect(q.describe().waiting.map((w) => [w.kind, w.elements])).toEqual([["enqueue", 1], ["close", 0]]);
    const second = fifo(1, ["float32"], [[]], clock);
    void second.dequeueMany(3, { stepId: 9 });
    expect(second.describe().waiting).toEqual([{ kind: "dequeue", elements: 3, sinceMs: 0, stepId: 9 }]);
  });

  it("destroy() closes the queue and fails every waiter", async () => {
    const q = fifo(1);
    await q.enqueue([f32(1)]);
    const enq = q.enqueue([f32(2)]);
    const q2 = fifo(1);
    const deq = q2.dequeue();
    q.destroy("container 'c' was reset");
    q2.destroy("container 'c' was reset");
    await expectError(enq, CancelledError, /Enqueue operation was cancelled/);
    await expectError(deq, CancelledError, /Dequeue operation was cancelled/);
    expect(q.isClosed()).toBe(true);
    expect(q.describe().waiting).toEqual([]);
  });
});
