/**
 * The queue kinds beyond FIFO through real sessions on every transport (scenario S5;
 * tf-queues-cluster.md §3.9–3.11): RandomShuffleQueue's random order and min_after_dequeue,
 * PaddingFIFOQueue's zero padding, PriorityQueue's ascending order. Queues on /job:ps/task:0,
 * clients on the workers.
 */
import { expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { describeOnTransports } from "../helpers/transports.js";
import { waitForWaiters } from "../helpers/wait.js";
import { expectOpError, onPs, plain, queueLine, started, waiters } from "./queue-helpers.js";

const insufficient = (kind: string, name: string, requested: number, size: number) =>
  `${kind} '${name}' is closed and has insufficient elements (requested ${requested}, current size ${size})`;

describeOnTransports("queue kinds", { ps: 1, worker: 2 }, (ctx) => {
  const w0 = () => ctx.target("worker", 0);
  const w1 = () => ctx.target("worker", 1);

  it("RandomShuffleQueue (S5): 22 floats, capacity 50, minAfterDequeue 10: two dequeueMany(5) succeed, the third waits until close", async () => {
    const g = new tf.Graph();
    const ops = g.asDefault(() => {
      const q = onPs(() => new tf.RandomShuffleQueue({ capacity: 50, minAfterDequeue: 10, dtypes: ["float32"], shapes: [[]], sharedName: "s5_shuffle" }));
      return { enqMany: q.enqueueMany([Array.from({ length: 22 }, (_, i) => i)]), deqMany: q.dequeueMany(5)[0]!, rest: q.dequeueUpTo(50)[0]!, close: q.close(), size: q.size() };
    });
    await using loader = new tf.Session(w0(), { graph: g });
    await using trainer = new tf.Session(w1(), { graph: g });
    await loader.run(ops.enqMany);
    const got: number[] = [];
    for (let i = 0; i < 2; i++) got.push(...((await trainer.run(ops.deqMany)).toArray() as number[]));
    expect((await trainer.run(ops.size)).item()).toBe(12);

    // 12 - 10 = 2 may go; the third batch takes them and waits for 3 more.
    const third = started(trainer.run(ops.deqMany));
    await waitForWaiters(w0(), "s5_shuffle", "dequeue");
    expect(await queueLine(w0(), "s5_shuffle")).toMatchObject({ size: 10, closed: false, waiting: [{ kind: "dequeue", elements: 3 }] });
    expect(third.settled).toBe(false);
    // Once closed, min_after_dequeue no longer holds anything back.
    await loader.run(ops.close);
    got.push(...((await third.promise).toArray() as number[]));
    expect((await trainer.run(ops.size)).item()).toBe(7);
    got.push(...((await trainer.run(ops.rest)).toArray() as number[]));
    expect([...got].sort((a, b) => a - b)).toEqual(Array.from({ length: 22 }, (_, i) => i));
    expect(got).not.toEqual(Array.from({ length: 22 }, (_, i) => i));
  });

  it("RandomShuffleQueue: a dequeue waits while size <= minAfterDequeue; dequeueUpTo collects across the close", async () => {
    // rsq_t testBlockingDequeueFromClosedQueue and testBlockingDequeueUpToSmallerThanMinAfterDequeue.
    const g = new tf.Graph();
    const ops = g.asDefault(() => {
      const [a, b] = onPs(() =>
        ["rsq_min_a", "rsq_min_b"].map((sharedName) => new tf.RandomShuffleQueue({ capacity: 10, minAfterDequeue: 2, dtypes: ["float32"], shapes: [[]], sharedName })),
      );
      return {
        fillA: a!.enqueueMany([[10, 20, 30, 40]]),
        deqA: a!.dequeue()[0]!,
        closeA: a!.close(),
        fillB: b!.enqueueMany([[10, 20, 30, 40]]),
        upToB: b!.dequeueUpTo(3)[0]!,
        closeB: b!.close(),
      };
    });
    await using loader = new tf.Session(w0(), { graph: g });
    await using trainer = new tf.Session(w1(), { graph: g });

    await loader.run(ops.fillA);
    const got = [(await trainer.run(ops.deqA)).item(), (await trainer.run(ops.deqA)).item()];
    const third = started(trainer.run(ops.deqA));
    await waitForWaiters(w0(), "rsq_min_a", "dequeue");
    expect(await queueLine(w0(), "rsq_min_a")).toMatchObject({ size: 2 });
    await loader.run(ops.closeA);
    got.push((await third.promise).item(), (await trainer.run(ops.deqA)).item());
    expect([...got].sort()).toEqual([10, 20, 30, 40]);
    await expectOpError(trainer.run(ops.deqA), tf.errors.OutOfRangeError, insufficient("RandomShuffleQueue", "rsq_min_a", 1, 0));

    await loader.run(ops.fillB);
    const upTo = started(trainer.run(ops.upToB));
    await waitForWaiters(w0(), "rsq_min_b", "dequeue");
    expect(await waiters(w0(), "rsq_min_b")).toEqual([["dequeue", 1]]);
    await loader.run(ops.closeB);
    const first = (await upTo.promise).toArray() as number[];
    const second = (await trainer.run(ops.upToB)).toArray() as number[];
    expect([first.length, second.length]).toEqual([3, 1]);
    expect([...first, ...second].sort()).toEqual([10, 20, 30, 40]);
  });

  it("RandomShuffleQueue: the same seed gives the same order, another seed another order", async () => {
    const g = new tf.Graph();
    const values = Array.from({ length: 10 }, (_, i) => i);
    const ops = g.asDefault(() =>
      (
        [
          ["rsq_seed_a", 1729],
          ["rsq_seed_b", 1729],
          ["rsq_seed_c", 87539319],
        ] as const
      ).map(([sharedName, seed]) => {
        const q = onPs(() => new tf.RandomShuffleQueue({ capacity: 10, minAfterDequeue: 0, dtypes: ["int32"], shapes: [[]], sharedName, seed }));
        return { fill: q.enqueueMany([values]), drain: q.dequeueMany(10)[0]! };
      }),
    );
    await using sess = new tf.Session(w0(), { graph: g });
    await using other = new tf.Session(w1(), { graph: g });
    const orders: unknown[] = [];
    for (const q of ops) {
      await sess.run(q.fill);
      orders.push((await other.run(q.drain)).toArray());
    }
    expect(orders[0]).toEqual(orders[1]);
    expect(orders[0]).not.toEqual(orders[2]);
    for (const order of orders) expect([...(order as number[])].sort((a, b) => a - b)).toEqual(values);
  });

  it("PaddingFIFOQueue (S5): matrices 3x2, 1x1 and 2x4 dequeue as one 3x3x4 batch padded with zeros", async () => {
    const g = new tf.Graph();
    const ops = g.asDefault(() => {
      const q = onPs(() => new tf.PaddingFIFOQueue({ capacity: 10, dtypes: ["float32"], shapes: [[null, null]], sharedName: "s5_padding" }));
      const m = tf.placeholder("float32", null);
      const deqMany = q.dequeueMany(3)[0]!;
      expect(deqMany.shape).toEqual([3, null, null]);
      return {
        m,
        enq: q.enqueue(m),
        deqMany,
        deq: q.dequeue()[0]!,
        upTo: q.dequeueUpTo(5)[0]!,
        many0: q.dequeueMany(0)[0]!,
        many2: q.dequeueMany(2)[0]!,
        close: q.close(),
      };
    });
    await using loader = new tf.Session(w0(), { graph: g });
    await using trainer = new tf.Session(w1(), { graph: g });
    const enqueue = (m: unknown) => loader.run(ops.enq, { feedDict: [[ops.m, m]] });
    await enqueue([[1, 2], [3, 4], [5, 6]]);
    await enqueue([[7]]);
    await enqueue([[8, 9, 10, 11], [12, 13, 14, 15]]);
    const batch = await trainer.run(ops.deqMany);
    expect(batch.shape).toEqual([3, 3, 4]);
    expect(batch.toArray()).toEqual([
      [[1, 2, 0, 0], [3, 4, 0, 0], [5, 6, 0, 0]],
      [[7, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]],
      [[8, 9, 10, 11], [12, 13, 14, 15], [0, 0, 0, 0]],
    ]);

    // A single dequeue is not padded; the rank is fixed.
    await enqueue([[1, 2, 3, 4], [5, 6, 7, 8]]);
    expect((await trainer.run(ops.deq)).toArray()).toEqual([[1, 2, 3, 4], [5, 6, 7, 8]]);
    await expectOpError(enqueue([1, 2, 3]), tf.errors.InvalidArgumentError, "Shape mismatch in tuple component 0. Expected [?,?], got [3]");
    expect((await trainer.run(ops.many0)).shape).toEqual([0, 0, 0]);

    // Closed: dequeueUpTo pads what is left; the closed texts start "FIFOQueue" except dequeueMany/UpTo's.
    await enqueue([[1, 2, 3]]);
    await enqueue([[4], [5]]);
    await loader.run(ops.close);
    await expectOpError(enqueue([[1]]), tf.errors.CancelledError, "FIFOQueue 's5_padding' is closed.");
    await expectOpError(trainer.run(ops.deqMany), tf.errors.OutOfRangeError, insufficient("PaddingFIFOQueue", "s5_padding", 3, 2));
    expect((await trainer.run(ops.upTo)).toArray()).toEqual([
      [[1, 2, 3], [0, 0, 0]],
      [[4, 0, 0], [5, 0, 0]],
    ]);
    await expectOpError(trainer.run(ops.deq), tf.errors.OutOfRangeError, insufficient("FIFOQueue", "s5_padding", 1, 0));
    await expectOpError(trainer.run(ops.many2), tf.errors.OutOfRangeError, insufficient("PaddingFIFOQueue", "s5_padding", 2, 0));
  });

  it("PaddingFIFOQueue: a second creator needs only compatible partial shapes", async () => {
    const creator = (shape: (number | null)[]) => {
      const g = new tf.Graph();
      const size = g.asDefault(() => onPs(() => new tf.PaddingFIFOQueue({ capacity: 5, dtypes: ["int32"], shapes: [shape], sharedName: "pad_shared" })).size());
      return { g, size };
    };
    const first = creator([null, 3]);
    await using a = new tf.Session(w0(), { graph: first.g });
    expect((await a.run(first.size)).item()).toBe(0);
    const compatible = creator([2, 3]);
    await using b = new tf.Session(w1(), { graph: compatible.g });
    expect((await b.run(compatible.size)).item()).toBe(0);
    const other = creator([null, 4]);
    await using c = new tf.Session(w1(), { graph: other.g });
    await expectOpError(
      c.run(other.size),
      tf.errors.InvalidArgumentError,
      "Shared queue 'pad_shared' has component shapes [[?,3]] but requested component shapes were [[?,4]]",
    );
  });

  it("every dtype goes through a queue unchanged, alone and stacked (bool, uint8, float64, int64, string)", async () => {
    const dtypes = ["bool", "uint8", "float64", "int64", "string"] as const;
    const g = new tf.Graph();
    const ops = g.asDefault(() => {
      const q = onPs(() => new tf.FIFOQueue({ capacity: 5, dtypes: [...dtypes], shapes: [[], [2], [], [], []], sharedName: "all_dtypes" }));
      const feeds = dtypes.map((d) => tf.placeholder(d, null));
      return { feeds, enqMany: q.enqueueMany(feeds), deq: q.dequeue(), deqMany: q.dequeueMany(2) };
    });
    await using loader = new tf.Session(w0(), { graph: g });
    await using trainer = new tf.Session(w1(), { graph: g });
    const values = [[true, false, true], [[1, 2], [3, 4], [255, 0]], [1.5, 2.5, 1e300], [2n ** 40n, -3n, 2n ** 53n + 1n], ["a", "héllo", ""]];
    await loader.run(ops.enqMany, { feedDict: ops.feeds.map((f, i) => [f, values[i]] as const) });
    const one = await trainer.run(ops.deq);
    expect(one.map((t) => t.dtype)).toEqual([...dtypes]);
    expect(plain(one)).toEqual(values.map((v) => v[0]));
    expect(plain(await trainer.run(ops.deqMany))).toEqual(values.map((v) => v.slice(1)));
  });

  it("PaddingFIFOQueue pads strings with \"\", bools with false and int64 with 0", async () => {
    const g = new tf.Graph();
    const ops = g.asDefault(() => {
      const q = onPs(() => new tf.PaddingFIFOQueue({ capacity: 5, dtypes: ["string", "bool", "int64"], shapes: [[null], [null], [null]], sharedName: "pad_dtypes" }));
      const feeds = (["string", "bool", "int64"] as const).map((d) => tf.placeholder(d, [null]));
      return { feeds, enq: q.enqueue(feeds), deqMany: q.dequeueMany(2) };
    });
    await using loader = new tf.Session(w0(), { graph: g });
    await using trainer = new tf.Session(w1(), { graph: g });
    for (const element of [[["ab"], [true], [5n]], [["x", "yz", "w"], [false, true, true], [1n, 2n, 3n]]]) {
      await loader.run(ops.enq, { feedDict: ops.feeds.map((f, i) => [f, element[i]] as const) });
    }
    expect(plain(await trainer.run(ops.deqMany))).toEqual([
      [["ab", "", ""], ["x", "yz", "w"]],
      [[true, false, false], [false, true, true]],
      [[5n, 0n, 0n], [1n, 2n, 3n]],
    ]);
  });

  it("PriorityQueue: smallest priority first, dequeueMany waits for all n, closed texts say PriorityQueue", async () => {
    const g = new tf.Graph();
    const ops = g.asDefault(() => {
      const q = onPs(() => new tf.PriorityQueue({ capacity: 10, dtypes: ["string"], shapes: [[]], sharedName: "prio" }));
      const priority = tf.placeholder("int64", null);
      const word = tf.placeholder("string", []);
      return {
        priority,
        word,
        enq: q.enqueue([priority, word]),
        enqMany: q.enqueueMany([[3, 1, 2], ["c", "a", "b"]]),
        deq: q.dequeue(),
        deqMany: q.dequeueMany(2),
        deqMany3: q.dequeueMany(3),
        upTo: q.dequeueUpTo(3),
        close: q.close(),
        size: q.size(),
      };
    });
    await using loader = new tf.Session(w0(), { graph: g });
    await using trainer = new tf.Session(w1(), { graph: g });
    const enqueue = (p: unknown, w: string) => loader.run(ops.enq, { feedDict: [[ops.priority, p], [ops.word, w]] });
    await loader.run(ops.enqMany);
    await enqueue(0, "z");
    const first = await trainer.run(ops.deq);
    expect(first.map((t) => t.dtype)).toEqual(["int64", "string"]);
    expect(plain(first)).toEqual([0n, "z"]);
    expect(plain(await trainer.run(ops.deqMany))).toEqual([[1n, 2n], ["a", "b"]]);

    // One element left: dequeueMany(2) takes nothing until both are there.
    const pair = started(trainer.run(ops.deqMany));
    await waitForWaiters(w0(), "prio", "dequeue");
    expect(await queueLine(w0(), "prio")).toMatchObject({ size: 1, waiting: [{ kind: "dequeue", elements: 2 }] });
    await enqueue(-5, "first");
    expect(plain(await pair.promise)).toEqual([[-5n, 3n], ["first", "c"]]);

    await expectOpError(enqueue([1, 2], "x"), tf.errors.InvalidArgumentError, "Shape mismatch in tuple component 0. Expected [], got [2]");
    await enqueue(9, "y");
    await loader.run(ops.close);
    await expectOpError(enqueue(1, "late"), tf.errors.CancelledError, "PriorityQueue 'prio' is closed.");
    await expectOpError(trainer.run(ops.deqMany3), tf.errors.OutOfRangeError, insufficient("PriorityQueue", "prio", 3, 1));
    expect(plain(await trainer.run(ops.upTo))).toEqual([[9n], ["y"]]);
    await expectOpError(trainer.run(ops.deq), tf.errors.OutOfRangeError, insufficient("PriorityQueue", "prio", 1, 0));
  });
});
