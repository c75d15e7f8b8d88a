/**
 * Queues between sessions (scenario S5; tf-queues-cluster.md §3.1–3.5, §3.8) through real
 * sessions on every transport: the queue lives on /job:ps/task:0, clients run on the workers (and
 * the ps), each with its own graph and session, sharing the queue by `sharedName`.
 */
import { expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { describeOnTransports } from "../helpers/transports.js";
import { waitForWaiters } from "../helpers/wait.js";
import { expectOpError, failure, onPs, plain, queueLine, started, waiters } from "./queue-helpers.js";

/** A client of S5's queue of float pairs: feeds for enqueue / enqueueMany, and the dequeues. */
function pairClient(sharedName: string, name: string) {
  const g = new tf.Graph();
  const ops = g.asDefault(() => {
    const q = onPs(() => new tf.FIFOQueue({ capacity: 10, dtypes: ["float32", "float32"], shapes: [[], []], sharedName, name }));
    const x = tf.placeholder("float32", []);
    const y = tf.placeholder("float32", []);
    const xs = tf.placeholder("float32", [null]);
    const ys = tf.placeholder("float32", [null]);
    const n = tf.placeholder("int32", []);
    return { q, x, y, xs, ys, n, enq: q.enqueue([x, y]), enqMany: q.enqueueMany([xs, ys]), deq: q.dequeue(), deqMany: q.dequeueMany(n), size: q.size() };
  });
  return { g, ...ops };
}

describeOnTransports("queues between sessions (S5)", { ps: 1, worker: 2 }, (ctx) => {
  it("S5: a loader on worker 0 and a trainer on worker 1 share a FIFOQueue of float pairs; full and empty queues wait", async () => {
    // Sharing goes by sharedName: the two graphs name their queue ops differently.
    const loader = pairClient("s5_pairs", "loader_queue");
    const trainer = pairClient("s5_pairs", "trainer_queue");
    await using load = new tf.Session(ctx.target("worker", 0), { graph: loader.g });
    await using train = new tf.Session(ctx.target("worker", 1), { graph: trainer.g });
    const enqueue = (x: number, y: number) => load.run(loader.enq, { feedDict: [[loader.x, x], [loader.y, y]] });
    const enqueueMany = (xs: number[], ys: number[]) => load.run(loader.enqMany, { feedDict: [[loader.xs, xs], [loader.ys, ys]] });
    const dequeueMany = (n: number) => train.run(trainer.deqMany, { feedDict: [[trainer.n, n]] });

    await enqueue(1, 10);
    await enqueueMany([2, 3, 4], [20, 30, 40]);
    expect((await train.run(trainer.size)).item()).toBe(4);
    expect(plain(await train.run(trainer.deq))).toEqual([1, 10]);
    const batch = await dequeueMany(2);
    expect(batch.map((t) => t.shape)).toEqual([[2], [2]]);
    expect(plain(batch)).toEqual([[2, 3], [20, 30]]);
    expect((await load.run(loader.size)).item()).toBe(1);

    // Full: the tenth element fits, the eleventh waits until the trainer takes one.
    await enqueueMany([5, 6, 7, 8, 9, 10, 11, 12, 13], [50, 60, 70, 80, 90, 100, 110, 120, 130]);
    const blocked = started(enqueue(14, 140));
    await waitForWaiters(ctx.target("worker", 1), "s5_pairs", "enqueue");
    expect(blocked.settled).toBe(false);
    expect(await queueLine(ctx.target("worker", 0), "s5_pairs")).toMatchObject({ size: 10, capacity: 10, closed: false });
    expect(plain(await train.run(trainer.deq))).toEqual([4, 40]);
    await blocked.promise;
    expect((await train.run(trainer.size)).item()).toBe(10);
    expect(plain(await dequeueMany(10))).toEqual([
      [5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
      [50, 60, 70, 80, 90, 100, 110, 120, 130, 140],
    ]);

    // Empty: a dequeue waits for the next enqueue.
    const waiting = started(train.run(trainer.deq));
    await waitForWaiters(ctx.target("worker", 0), "s5_pairs", "dequeue");
    expect(waiting.settled).toBe(false);
    await enqueue(15, 150);
    expect(plain(await waiting.promise)).toEqual([15, 150]);

    // Fewer than n: dequeueMany takes what is there and waits for the rest.
    await enqueue(16, 160);
    const many = started(dequeueMany(3));
    await waitForWaiters(ctx.target("worker", 0), "s5_pairs", "dequeue");
    expect(await waiters(ctx.target("ps", 0), "s5_pairs")).toEqual([["dequeue", 2]]);
    expect((await load.run(loader.size)).item()).toBe(0);
    await enqueueMany([17, 18], [170, 180]);
    expect(plain(await many.promise)).toEqual([[16, 17, 18], [160, 170, 180]]);
    expect((await train.run(trainer.size)).item()).toBe(0);
  });

  it("batches larger than the capacity pass through one element at a time", async () => {
    const g = new tf.Graph();
    const { enqMany, deqMany, size } = g.asDefault(() => {
      const q = onPs(() => new tf.FIFOQueue({ capacity: 5, dtypes: ["int32"], shapes: [[]], sharedName: "big_batches" }));
      return { enqMany: q.enqueueMany([Array.from({ length: 10 }, (_, i) => i)]), deqMany: q.dequeueMany(10)[0]!, size: q.size() };
    });
    await using producer = new tf.Session(ctx.target("worker", 0), { graph: g });
    await using consumer = new tf.Session(ctx.target("worker", 1), { graph: g });
    const pushing = started(producer.run(enqMany));
    await waitForWaiters(ctx.target("worker", 0), "big_batches", "enqueue");
    expect(await queueLine(ctx.target("worker", 0), "big_batches")).toMatchObject({ size: 5, waiting: [{ kind: "enqueue", elements: 5 }] });
    expect((await consumer.run(deqMany)).toArray()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await pushing.promise;
    expect((await consumer.run(size)).item()).toBe(0);

    // And a dequeueMany larger than the capacity completes once enough single enqueues came.
    const pulling = started(consumer.run(deqMany));
    await waitForWaiters(ctx.target("worker", 1), "big_batches", "dequeue");
    await producer.run(enqMany);
    expect((await pulling.promise).toArray()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("the count of dequeueMany may come from another op (a second queue)", async () => {
    const g = new tf.Graph();
    const ops = g.asDefault(() => {
      const [q, counts] = onPs(() => ["counted", "counts"].map((sharedName) => new tf.FIFOQueue({ capacity: 10, dtypes: ["int32"], shapes: [[]], sharedName })));
      const batch = q!.dequeueMany(counts!.dequeue()[0]!)[0]!;
      expect(batch.shape).toEqual([null]);
      return { fill: q!.enqueueMany([[1, 2, 3, 4, 5]]), fillCounts: counts!.enqueueMany([[2, 3]]), batch };
    });
    await using sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    await sess.run([ops.fill, ops.fillCounts]);
    expect((await sess.run(ops.batch)).toArray()).toEqual([1, 2]);
    expect((await sess.run(ops.batch)).toArray()).toEqual([3, 4, 5]);
  });

  it("tuples (int32 scalar, float32 3x2) dequeue whole; running one component alone still takes the whole pair", async () => {
    const g = new tf.Graph();
    const ops = g.asDefault(() => {
      const q = onPs(() => new tf.FIFOQueue({ capacity: 10, dtypes: ["int32", "float32"], shapes: [[], [3, 2]], sharedName: "tuples" }));
      const label = tf.placeholder("int32", []);
      const image = tf.placeholder("float32", [3, 2]);
      const [l, m] = q.dequeue();
      return { enq: q.enqueue([label, image]), label, image, l: l!, m: m!, size: q.size() };
    });
    await using loader = new tf.Session(ctx.target("worker", 0), { graph: g });
    await using trainer = new tf.Session(ctx.target("worker", 1), { graph: g });
    const matrix = (k: number) => [[k, k + 1], [k + 2, k + 3], [k + 4, k + 5]];
    for (const k of [5, 10, 15]) await loader.run(ops.enq, { feedDict: [[ops.label, k], [ops.image, matrix(k)]] });

    const [l, m] = await trainer.run([ops.l, ops.m] as const);
    expect([l.dtype, l.shape, l.item()]).toEqual(["int32", [], 5]);
    expect([m.dtype, m.shape, m.toArray()]).toEqual(["float32", [3, 2], matrix(5)]);
    // Only the label is fetched, yet the whole (10, matrix(10)) element leaves the queue.
    expect((await trainer.run(ops.l)).item()).toBe(10);
    expect((await trainer.run(ops.size)).item()).toBe(1);
    expect(plain(await trainer.run([ops.l, ops.m]))).toEqual([15, matrix(15)]);
    expect((await loader.run(ops.size)).item()).toBe(0);
  });

  it("names: enqueue takes a dictionary, every dequeue returns one", async () => {
    const g = new tf.Graph();
    const ops = g.asDefault(() => {
      const q = onPs(
        () => new tf.FIFOQueue({ capacity: 10, dtypes: ["int32", "float32"], shapes: [[], [2]], names: ["label", "features"], sharedName: "named" }),
      );
      expect(q.names).toEqual(["label", "features"]);
      expect(() => q.enqueue([1, [1, 2]] as never)).toThrow("You must enqueue a dictionary in a Queue with names");
      expect(() => q.enqueue({ label: 1, other: [1, 2] } as never)).toThrow("Keys in dictionary to enqueue do not match names of Queue");
      return {
        // Key order does not matter: values go in the order of `names`.
        enq: q.enqueue({ features: [1.5, 2.5], label: 1 }),
        enqMany: q.enqueueMany({ label: [2, 3], features: [[3, 4], [5, 6]] }),
        deq: q.dequeue(),
        deqMany: q.dequeueMany(2),
      };
    });
    await using a = new tf.Session(ctx.target("worker", 0), { graph: g });
    await using b = new tf.Session(ctx.target("worker", 1), { graph: g });
    await a.run(ops.enq);
    await a.run(ops.enqMany);
    const one = await b.run(ops.deq);
    expect(Object.keys(one).sort()).toEqual(["features", "label"]);
    expect(plain(one)).toEqual({ label: 1, features: [1.5, 2.5] });
    expect(plain(await b.run(ops.deqMany))).toEqual({ label: [2, 3], features: [[3, 4], [5, 6]] });
  });

  it("a wrong dtype, shape or component count fails with InvalidArgumentError and leaves the queue as it was", async () => {
    const g = new tf.Graph();
    const ops = g.asDefault(() => {
      const q = onPs(() => new tf.FIFOQueue({ capacity: 10, dtypes: ["int32", "float32"], shapes: [[], [3, 2]], sharedName: "strict" }));
      const anyLabel = tf.placeholder("int32", null);
      const anyImage = tf.placeholder("float32", null);
      // The same queue seen with other dtypes (TF's QueueBase over an existing handle).
      const asFloats = new tf.QueueBase<never>(["float32", "float32"], null, undefined, q.queueRef);
      const asOne = new tf.QueueBase<never>(["int32"], null, undefined, q.queueRef);
      expect(() => q.enqueue([tf.placeholder("float32", []), tf.placeholder("float32", [3, 2])])).toThrow();
      return {
        enq: q.enqueue([anyLabel, anyImage]),
        enqMany: q.enqueueMany([anyLabel, anyImage]),
        badType: asFloats.enqueue([1.5, [[1, 2], [3, 4], [5, 6]]]),
        badCount: asOne.enqueue(7),
        anyLabel,
        anyImage,
        deq: q.dequeue(),
        size: q.size(),
      };
    });
    await using sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    await using other = new tf.Session(ctx.target("worker", 1), { graph: g });
    const image = [[1, 2], [3, 4], [5, 6]];
    await sess.run(ops.enq, { feedDict: [[ops.anyLabel, 1], [ops.anyImage, image]] });

    const bad = (p: Promise<unknown>, message: string) => expectOpError(p, tf.errors.InvalidArgumentError, message);
    await bad(sess.run(ops.enq, { feedDict: [[ops.anyLabel, 2], [ops.anyImage, [[1, 2, 3], [4, 5, 6], [7, 8, 9]]]] }), "Shape mismatch in tuple component 1. Expected [3,2], got [3,3]");
    await bad(sess.run(ops.enq, { feedDict: [[ops.anyLabel, [2, 3]], [ops.anyImage, image]] }), "Shape mismatch in tuple component 0. Expected [], got [2]");
    await bad(
      other.run(ops.enqMany, { feedDict: [[ops.anyLabel, [2, 3]], [ops.anyImage, [image.map((r) => [...r, 0]), image.map((r) => [...r, 0])]]] }),
      "Shape mismatch in tuple component 1. Expected [2,3,2], got [2,3,3]",
    );
    await bad(other.run(ops.badType), "Type mismatch in tuple component 0. Expected int32, got float");
    await bad(other.run(ops.badCount), "Wrong number of components in tuple. Expected 2, got 1");

    expect(await queueLine(ctx.target("worker", 1), "strict")).toMatchObject({ size: 1, closed: false, waiting: [] });
    expect(plain(await other.run(ops.deq))).toEqual([1, image]);
    expect((await sess.run(ops.size)).item()).toBe(0);
  });

  it("a second creator with other attrs fails with TF's InvalidArgumentError texts; a matching one shares the queue", async () => {
    const make = (build: () => tf.QueueBase) => {
      const g = new tf.Graph();
      const q = g.asDefault(() => onPs(build));
      return { g, q, size: g.asDefault(() => q.size()) };
    };
    const fifo = (capacity: number, dtype: "float32" | "int32", shapes: number[][] | null) => () =>
      new tf.FIFOQueue({ capacity, dtypes: [dtype], shapes, sharedName: "q_a" });
    const first = make(fifo(10, "float32", [[1, 1, 2, 3]]));
    await using a = new tf.Session(ctx.target("worker", 0), { graph: first.g });
    expect((await a.run(first.size)).item()).toBe(0);

    const cases: [() => tf.QueueBase, string | RegExp][] = [
      [fifo(15, "float32", [[1, 1, 2, 3]]), "Shared queue 'q_a' has capacity 10 but requested capacity was 15"],
      [fifo(10, "int32", [[1, 1, 2, 3]]), "Shared queue 'q_a' has component types float but requested component types were int32"],
      [
        () => new tf.FIFOQueue({ capacity: 10, dtypes: ["float32", "float32"], shapes: [[1, 1, 2, 3], []], sharedName: "q_a" }),
        "Shared queue 'q_a' has component types float but requested component types were float, float",
      ],
      [fifo(10, "float32", [[1, 1, 2, 4]]), "Shared queue 'q_a' has component shapes [[1,1,2,3]] but requested component shapes were [[1,1,2,4]]"],
      // FIFO shapes compare exactly: unconstrained is not the same as constrained.
      [fifo(10, "float32", null), "Shared queue 'q_a' has component shapes [[1,1,2,3]] but requested component shapes were []"],
      [() => new tf.RandomShuffleQueue({ capacity: 10, minAfterDequeue: 0, dtypes: ["float32"], shapes: [[1, 1, 2, 3]], sharedName: "q_a" }), /RandomShuffleQueueV2/],
    ];
    for (const [build, message] of cases) {
      const second = make(build);
      await using sess = new tf.Session(ctx.target("worker", 1), { graph: second.g });
      await expectOpError(sess.run(second.size), tf.errors.InvalidArgumentError, message);
    }

    // RandomShuffleQueue's own attrs: min_after_dequeue, then seeds (only when the request names seeds).
    const rsq = (minAfterDequeue: number, seed?: number) => () =>
      new tf.RandomShuffleQueue({ capacity: 10, minAfterDequeue, dtypes: ["float32"], sharedName: "q_rsq", ...(seed === undefined ? {} : { seed }) });
    const shuffled = make(rsq(0, 7));
    await using c = new tf.Session(ctx.target("worker", 0), { graph: shuffled.g });
    await c.run(shuffled.size);
    for (const [build, message] of [
      [rsq(5, 7), "Shared queue 'q_rsq' has min_after_dequeue 0 but requested min_after_dequeue was 5."],
      [rsq(0, 8), /^Shared queue 'q_rsq' has random seeds \(\d+, \d+\) but requested seeds are \(\d+, \d+\)\.$/],
    ] as const) {
      const second = make(build);
      await using sess = new tf.Session(ctx.target("worker", 1), { graph: second.g });
      await expectOpError(sess.run(second.size), tf.errors.InvalidArgumentError, message);
    }
    // Seeds (0, 0) ask for "any seeds": they match.
    const anySeeds = make(rsq(0));
    await using d = new tf.Session(ctx.target("worker", 1), { graph: anySeeds.g });
    expect((await d.run(anySeeds.size)).item()).toBe(0);

    // The failed creators changed nothing; a matching one from another client sees the same queue.
    const same = make(fifo(10, "float32", [[1, 1, 2, 3]]));
    const g = first.g;
    const enq = g.asDefault(() => first.q.enqueue([[[[[1, 2, 3], [4, 5, 6]]]]]));
    await a.run(enq);
    await using e = new tf.Session(ctx.target("worker", 1), { graph: same.g });
    expect((await e.run(same.size)).item()).toBe(1);
    expect(await queueLine(ctx.target("worker", 1), "q_a")).toMatchObject({ size: 1, capacity: 10, closed: false });
  });

  it("a shared name starting with '_' is rejected when the queue op runs", async () => {
    const g = new tf.Graph();
    const size = g.asDefault(() => onPs(() => new tf.FIFOQueue({ capacity: 1, dtypes: ["float32"], sharedName: "_private" })).size());
    await using sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    await expectOpError(sess.run(size), tf.errors.InvalidArgumentError, "shared_name cannot start with '_':_private");
  });

  it("queues without a sharedName are private to their node and session, named '_<n>_<node>'", async () => {
    const g = new tf.Graph();
    const ops = g.asDefault(() => {
      const [q1, q2] = onPs(() => [0, 1].map(() => new tf.FIFOQueue({ capacity: 3, dtypes: ["float32"], shapes: [[]] })));
      return { enq1: q1!.enqueue(1), close1: q1!.close(), size1: q1!.size(), size2: q2!.size() };
    });
    await using sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    await using other = new tf.Session(ctx.target("worker", 1), { graph: g });
    await sess.run(ops.enq1);
    await sess.run(ops.enq1);
    // Two queue objects never share, and neither does another session running the same node.
    expect((await sess.run([ops.size1, ops.size2])).map((t) => t.item())).toEqual([2, 0]);
    expect((await other.run(ops.size1)).item()).toBe(0);
    await sess.run(ops.close1);
    await expectOpError(sess.run(ops.enq1), tf.errors.CancelledError, /^FIFOQueue '_\d+_fifo_queue' is closed\.$/);
    await other.run(ops.enq1);
  });

  it("the same sharedName in two containers names two queues", async () => {
    const g = new tf.Graph();
    const [a, b] = g.asDefault(() =>
      ["first_box", "second_box"].map((box) => {
        const q = tf.container(box, () => onPs(() => new tf.FIFOQueue({ capacity: 3, dtypes: ["float32"], shapes: [[]], sharedName: "boxed" })));
        return { enq: q.enqueue(1), size: q.size() };
      }),
    );
    await using sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    await sess.run(a!.enq);
    expect((await sess.run([a!.size, b!.size])).map((t) => t.item())).toEqual([1, 0]);
    const boxes = (await tf.clusterStatus(ctx.target("worker", 1))).filter((r) => r.name === "boxed").map((r) => [r.container, r.details.size]);
    expect(boxes.sort()).toEqual([["first_box", 1], ["second_box", 0]]);
  });

  it("ops built under another device scope still run where the queue lives", async () => {
    const g = new tf.Graph();
    const ops = g.asDefault(() => {
      const q = onPs(() => new tf.FIFOQueue({ capacity: 3, dtypes: ["float32"], shapes: [[]], sharedName: "colocated" }));
      return tf.device("/job:worker/task:1", () => ({ enq: q.enqueue(4), deq: tf.add(q.dequeue()[0]!, 1), size: q.size() }));
    });
    await using sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    await sess.run(ops.enq);
    expect(await queueLine(ctx.target("worker", 0), "colocated")).toMatchObject({ size: 1 });
    expect((await sess.run(ops.deq)).item()).toBe(5);
    expect((await sess.run(ops.size)).item()).toBe(0);
  });

  it("4 producers and 2 consumers on four servers: every element arrives exactly once, each producer's in order", async () => {
    const name = "many_clients";
    const producers = 4;
    const perProducer = 50;
    const g = new tf.Graph();
    const ops = g.asDefault(() => {
      const q = onPs(() => new tf.FIFOQueue({ capacity: 8, dtypes: ["int32"], shapes: [[]], sharedName: name }));
      const one = tf.placeholder("int32", []);
      const many = tf.placeholder("int32", [null]);
      return { enq: q.enqueue(one), enqMany: q.enqueueMany(many), one, many, upTo: q.dequeueUpTo(7)[0]!, deq: q.dequeue()[0]!, close: q.close() };
    });
    const servers = [ctx.target("worker", 0), ctx.target("worker", 1), ctx.target("ps", 0), ctx.target("worker", 1)];
    await using control = new tf.Session(ctx.target("ps", 0), { graph: g });
    const produce = async (p: number): Promise<void> => {
      await using sess = new tf.Session(servers[p]!, { graph: g });
      const ids = Array.from({ length: perProducer }, (_, i) => p * 1000 + i);
      // Single enqueues and batches of up to five, mixed.
      for (let i = 0; i < ids.length; ) {
        const n = 1 + ((i + p) % 5);
        const chunk = ids.slice(i, i + n);
        if (chunk.length === 1) await sess.run(ops.enq, { feedDict: [[ops.one, chunk[0]!]] });
        else await sess.run(ops.enqMany, { feedDict: [[ops.many, chunk]] });
        i += chunk.length;
      }
    };
    const consume = async (c: number): Promise<number[]> => {
      await using sess = new tf.Session(servers[c + 1]!, { graph: g });
      const got: number[] = [];
      for (let round = 0; round < 10_000; round++) {
        const r = await sess.run(c === 0 ? ops.upTo : ops.deq).then(
          (v) => v,
          (e: unknown) => e,
        );
        if (r instanceof tf.errors.OutOfRangeError) return got;
        if (!(r instanceof tf.NDArray)) throw r;
        const v = r.toArray();
        got.push(...((Array.isArray(v) ? v : [v]) as number[]));
      }
      throw new Error("consumer did not finish");
    };
    const consumers = [consume(0), consume(1)];
    await Promise.all(Array.from({ length: producers }, (_, p) => produce(p)));
    await control.run(ops.close);
    const received = await Promise.all(consumers);

    const all = received.flat().sort((x, y) => x - y);
    const expected = Array.from({ length: producers * perProducer }, (_, k) => Math.floor(k / perProducer) * 1000 + (k % perProducer));
    expect(all).toEqual(expected);
    // The queue is FIFO, so each consumer sees each producer's elements in the order they were sent.
    for (const got of received) {
      for (let p = 0; p < producers; p++) {
        const mine = got.filter((id) => Math.floor(id / 1000) === p);
        expect(mine).toEqual([...mine].sort((x, y) => x - y));
      }
    }
    expect(await queueLine(ctx.target("worker", 0), name)).toMatchObject({ size: 0, closed: true, waiting: [] });
    await expect(failure(control.run(ops.deq))).resolves.toBeInstanceOf(tf.errors.OutOfRangeError);
  });
});
