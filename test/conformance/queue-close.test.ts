/**
 * Closing queues and cancelling blocked queue ops through real sessions on every transport
 * (tf-queues-cluster.md §3.1, §3.5–3.7, §6.1–6.3): close() with and without
 * cancelPendingEnqueues, what enqueues and dequeues do afterwards (with TF's exact texts),
 * zero-size batches, and blocked ops ended by Session.close, timeoutInMs or a failing sibling op.
 */
import { expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { describeOnTransports } from "../helpers/transports.js";
import type { TransportContext } from "../helpers/transports.js";
import { waitForWaiters } from "../helpers/wait.js";
import { expectOpError, failure, onPs, plain, queueLine, started, waiters } from "./queue-helpers.js";

/** A FIFOQueue of float32 scalars on the ps task and the ops the tests run on it. */
function scalarQueue(sharedName: string, capacity: number) {
  const g = new tf.Graph();
  const ops = g.asDefault(() => {
    const q = onPs(() => new tf.FIFOQueue({ capacity, dtypes: ["float32"], shapes: [[]], sharedName }));
    const x = tf.placeholder("float32", []);
    const xs = tf.placeholder("float32", [null]);
    const n = tf.placeholder("int32", []);
    return {
      x,
      xs,
      n,
      enq: q.enqueue(x),
      enqMany: q.enqueueMany(xs),
      deq: q.dequeue()[0]!,
      deqMany: q.dequeueMany(n)[0]!,
      deqUpTo: q.dequeueUpTo(n)[0]!,
      close: q.close(),
      closeAndCancel: q.close({ cancelPendingEnqueues: true }),
      size: q.size(),
      isClosed: q.isClosed(),
    };
  });
  return { g, ...ops };
}

type ScalarQueue = ReturnType<typeof scalarQueue>;

/** One client of a scalar queue: a session on `target` with helpers that feed the placeholders. */
function client(q: ScalarQueue, target: string) {
  const sess = new tf.Session(target, { graph: q.g });
  return {
    sess,
    enqueue: (x: number) => sess.run(q.enq, { feedDict: [[q.x, x]] }),
    enqueueMany: (xs: number[]) => sess.run(q.enqMany, { feedDict: [[q.xs, xs]] }),
    dequeue: async () => (await sess.run(q.deq)).item(),
    dequeueMany: async (n: number) => (await sess.run(q.deqMany, { feedDict: [[q.n, n]] })).toArray(),
    dequeueUpTo: async (n: number) => (await sess.run(q.deqUpTo, { feedDict: [[q.n, n]] })).toArray(),
    close: () => sess.run(q.close),
    closeAndCancel: () => sess.run(q.closeAndCancel),
    size: async () => (await sess.run(q.size)).item(),
    isClosed: async () => (await sess.run(q.isClosed)).item(),
    [Symbol.asyncDispose]: () => sess.close(),
  };
}

const insufficient = (kind: string, name: string, requested: number, size: number) =>
  `${kind} '${name}' is closed and has insufficient elements (requested ${requested}, current size ${size})`;

function tests(ctx: TransportContext): void {
  const w0 = () => ctx.target("worker", 0);
  const w1 = () => ctx.target("worker", 1);

  it("after close(): enqueues fail with CancelledError; dequeues succeed while elements remain, then OutOfRangeError", async () => {
    const q = scalarQueue("closed_fifo", 10);
    await using loader = client(q, w0());
    await using trainer = client(q, w1());
    await loader.enqueueMany([10, 20, 30, 40]);
    expect(await trainer.isClosed()).toBe(false);
    await loader.close();
    expect(await trainer.isClosed()).toBe(true);
    await expectOpError(trainer.enqueue(50), tf.errors.CancelledError, "FIFOQueue 'closed_fifo' is closed.");
    await expectOpError(trainer.enqueueMany([50, 60]), tf.errors.CancelledError, "FIFOQueue 'closed_fifo' is closed.");
    for (const v of [10, 20, 30, 40]) expect(await trainer.dequeue()).toBe(v);
    await expectOpError(trainer.dequeue(), tf.errors.OutOfRangeError, insufficient("FIFOQueue", "closed_fifo", 1, 0));
    expect(await loader.size()).toBe(0);
  });

  it("a second plain close fails with CancelledError 'is already closed'; a cancelling close never fails", async () => {
    const q = scalarQueue("closed_twice", 10);
    await using a = client(q, w0());
    await using b = client(q, w1());
    await a.close();
    await expectOpError(b.close(), tf.errors.CancelledError, "Queue 'closed_twice' is already closed.");
    await b.closeAndCancel();
    await a.closeAndCancel();
    expect(await a.isClosed()).toBe(true);
  });

  it("a dequeue blocked on an empty queue fails with OutOfRangeError once another client closes it", async () => {
    const q = scalarQueue("close_wakes_dequeue", 10);
    await using trainer = client(q, w1());
    await using loader = client(q, w0());
    const blocked = started(trainer.dequeue());
    await waitForWaiters(w0(), "close_wakes_dequeue", "dequeue");
    expect(blocked.settled).toBe(false);
    await loader.close();
    await expectOpError(blocked.promise, tf.errors.OutOfRangeError, insufficient("FIFOQueue", "close_wakes_dequeue", 1, 0));
  });

  it("a blocked dequeueMany fails on close and puts its partial batch back in order (requested = still needed)", async () => {
    // fifo_t testClosedBlockingDequeueManyRestoresPartialBatch, with a (int32, float32) tuple.
    const g = new tf.Graph();
    const ops = g.asDefault(() => {
      const q = onPs(() => new tf.FIFOQueue({ capacity: 4, dtypes: ["int32", "float32"], shapes: [[], []], sharedName: "partial_batch" }));
      return { enqMany: q.enqueueMany([[1, 2, 3], [10, 20, 30]]), deqMany: q.dequeueMany(4), deq: q.dequeue(), close: q.close(), size: q.size() };
    });
    await using trainer = new tf.Session(w1(), { graph: g });
    await using loader = new tf.Session(w0(), { graph: g });
    await loader.run(ops.enqMany);
    const blocked = started(trainer.run(ops.deqMany));
    await waitForWaiters(w0(), "partial_batch", "dequeue");
    // It took the three elements and waits for the fourth.
    expect(await queueLine(w0(), "partial_batch")).toMatchObject({ size: 0, waiting: [{ kind: "dequeue", elements: 1 }] });
    await loader.run(ops.close);
    // Both numbers are read before the put-back: still needed 1, size 0.
    await expectOpError(blocked.promise, tf.errors.OutOfRangeError, insufficient("FIFOQueue", "partial_batch", 1, 0));
    expect((await loader.run(ops.size)).item()).toBe(3);
    for (const pair of [[1, 10], [2, 20], [3, 30]]) expect(plain(await trainer.run(ops.deq))).toEqual(pair);
    expect((await trainer.run(ops.size)).item()).toBe(0);
  });

  it("on a closed queue dequeueMany with too few fails and keeps them; dequeueUpTo returns the rest", async () => {
    const q = scalarQueue("closed_remainder", 10);
    await using loader = client(q, w0());
    await using trainer = client(q, w1());
    await loader.enqueueMany([1, 2, 3, 4]);
    await loader.close();
    await expectOpError(trainer.dequeueMany(5), tf.errors.OutOfRangeError, insufficient("FIFOQueue", "closed_remainder", 5, 4));
    expect(await trainer.dequeueMany(3)).toEqual([1, 2, 3]);
    await expectOpError(trainer.dequeueMany(3), tf.errors.OutOfRangeError, insufficient("FIFOQueue", "closed_remainder", 3, 1));
    expect(await loader.size()).toBe(1);
    expect(await trainer.dequeueUpTo(3)).toEqual([4]);
    await expectOpError(trainer.dequeueUpTo(3), tf.errors.OutOfRangeError, insufficient("FIFOQueue", "closed_remainder", 3, 0));
  });

  it("dequeueUpTo blocks like dequeueMany while open, then completes with what is left once closed", async () => {
    const q = scalarQueue("up_to_on_close", 10);
    await using loader = client(q, w0());
    await using trainer = client(q, w1());
    await loader.enqueueMany([1, 2]);
    const blocked = started(trainer.dequeueUpTo(5));
    await waitForWaiters(w0(), "up_to_on_close", "dequeue");
    expect(await waiters(w0(), "up_to_on_close")).toEqual([["dequeue", 3]]);
    await loader.enqueue(3);
    expect(blocked.settled).toBe(false);
    await loader.close();
    expect(await blocked.promise).toEqual([1, 2, 3]);
  });

  it("a plain close waits behind a blocked enqueue, which is honoured (testBlockingEnqueueBeforeClose)", async () => {
    const q = scalarQueue("close_behind_enqueue", 4);
    await using loader = client(q, w0());
    await using closer = client(q, ctx.target("ps", 0));
    await using trainer = client(q, w1());
    await loader.enqueueMany([10, 20, 30, 40]);
    const enqueue = started(loader.enqueue(50));
    await waitForWaiters(w1(), "close_behind_enqueue", "enqueue");
    const close = started(closer.close());
    await waitForWaiters(w1(), "close_behind_enqueue", "close");
    expect(await queueLine(w1(), "close_behind_enqueue")).toMatchObject({
      size: 4,
      closed: false,
      waiting: [{ kind: "enqueue", elements: 1 }, { kind: "close", elements: 0 }],
    });
    expect([enqueue.settled, close.settled]).toEqual([false, false]);
    expect(await trainer.dequeue()).toBe(10);
    await enqueue.promise;
    await close.promise;
    expect(await trainer.isClosed()).toBe(true);
    for (const v of [20, 30, 40, 50]) expect(await trainer.dequeue()).toBe(v);
    await expectOpError(trainer.dequeue(), tf.errors.OutOfRangeError, insufficient("FIFOQueue", "close_behind_enqueue", 1, 0));
  });

  it("a plain close waits behind a partly done enqueueMany, whose rest still goes in (testBlockingEnqueueManyBeforeClose)", async () => {
    const q = scalarQueue("close_behind_many", 4);
    await using loader = client(q, w0());
    await using closer = client(q, w1());
    await using trainer = client(q, w1());
    await loader.enqueueMany([10, 20, 30]);
    const enqueue = started(loader.enqueueMany([50, 60]));
    await waitForWaiters(w1(), "close_behind_many", "enqueue");
    const close = started(closer.close());
    await waitForWaiters(w1(), "close_behind_many", "close");
    // 50 went in; 60 waits, and the close waits behind it.
    expect(await queueLine(w0(), "close_behind_many")).toMatchObject({ size: 4, closed: false });
    expect(await waiters(w0(), "close_behind_many")).toEqual([["enqueue", 1], ["close", 0]]);
    expect(await trainer.dequeue()).toBe(10);
    await enqueue.promise;
    await close.promise;
    expect(await trainer.dequeueUpTo(10)).toEqual([20, 30, 50, 60]);
  });

  it("close({cancelPendingEnqueues}) closes at once and cancels pending enqueues and closes", async () => {
    const q = scalarQueue("close_and_cancel", 2);
    await using a = client(q, w0());
    await using b = client(q, w1());
    await using c = client(q, ctx.target("ps", 0));
    await using d = client(q, w1());
    await a.enqueueMany([1, 2]);
    const one = started(a.enqueue(3));
    await waitForWaiters(w0(), "close_and_cancel", "enqueue", 1);
    const many = started(b.enqueueMany([4, 5]));
    await waitForWaiters(w0(), "close_and_cancel", "enqueue", 2);
    const close = started(c.close());
    await waitForWaiters(w0(), "close_and_cancel", "close");
    await d.closeAndCancel();
    for (const p of [one, many, close]) await expectOpError(p.promise, tf.errors.CancelledError, "Enqueue operation was cancelled");
    expect(await queueLine(w1(), "close_and_cancel")).toMatchObject({ size: 2, closed: true, waiting: [] });
    expect(await d.dequeueMany(2)).toEqual([1, 2]);
    await expectOpError(d.dequeue(), tf.errors.OutOfRangeError, insufficient("FIFOQueue", "close_and_cancel", 1, 0));
  });

  it("a cancelling close wakes blocked dequeues, which then see the closed queue", async () => {
    const q = scalarQueue("cancel_wakes_dequeue", 5);
    await using loader = client(q, w0());
    await using trainer = client(q, w1());
    await loader.enqueue(1);
    const blocked = started(trainer.dequeueMany(3));
    await waitForWaiters(w0(), "cancel_wakes_dequeue", "dequeue");
    await loader.closeAndCancel();
    await expectOpError(blocked.promise, tf.errors.OutOfRangeError, insufficient("FIFOQueue", "cancel_wakes_dequeue", 2, 0));
    expect(await trainer.dequeueUpTo(3)).toEqual([1]);
  });

  it("zero-size batches succeed on a closed queue; dequeueMany(0) still needs shapes", async () => {
    const g = new tf.Graph();
    const ops = g.asDefault(() => {
      const q = onPs(() => new tf.FIFOQueue({ capacity: 4, dtypes: ["int32", "float32"], shapes: [[], [2]], sharedName: "zero_batches" }));
      const bare = onPs(() => new tf.FIFOQueue({ capacity: 4, dtypes: ["float32"], sharedName: "zero_no_shapes" }));
      const labels = tf.placeholder("int32", [null]);
      const rows = tf.placeholder("float32", [null, 2]);
      return {
        labels,
        rows,
        enqMany: q.enqueueMany([labels, rows]),
        deqMany0: q.dequeueMany(0),
        upTo0: q.dequeueUpTo(0),
        close: q.close(),
        size: q.size(),
        bareMany0: bare.dequeueMany(0),
        bareUpTo: bare.dequeueUpTo(1),
      };
    });
    await using sess = new tf.Session(w0(), { graph: g });
    await using other = new tf.Session(w1(), { graph: g });
    await sess.run(ops.close);
    await sess.run(ops.enqMany, { feedDict: [[ops.labels, tf.ndarray([], { dtype: "int32", shape: [0] })], [ops.rows, tf.ndarray([], { dtype: "float32", shape: [0, 2] })]] });
    for (const batch of [await other.run(ops.deqMany0), await other.run(ops.upTo0)]) {
      expect(batch.map((t) => [t.dtype, t.shape])).toEqual([["int32", [0]], ["float32", [0, 2]]]);
    }
    expect((await other.run(ops.size)).item()).toBe(0);
    const noShapes = "FIFOQueue's DequeueMany and DequeueUpTo require the components to have specified shapes.";
    await expectOpError(other.run(ops.bareMany0), tf.errors.InvalidArgumentError, noShapes);
    await expectOpError(other.run(ops.bareUpTo), tf.errors.InvalidArgumentError, noShapes);
  });

  it("a negative count fails with InvalidArgumentError", async () => {
    const q = scalarQueue("negative_count", 4);
    await using sess = client(q, w0());
    await expectOpError(sess.dequeueMany(-1), tf.errors.InvalidArgumentError, "DequeueManyOp requested -1 < 0 elements");
    await expectOpError(sess.dequeueUpTo(-1), tf.errors.InvalidArgumentError, "DequeueUpToOp requested -1 < 0 elements");
  });

  it("a dequeue blocked in a session that closes is cancelled and never takes a later element", async () => {
    const q = scalarQueue("session_close", 4);
    const trainer = client(q, w1());
    await using loader = client(q, w0());
    const blocked = started(trainer.dequeue());
    await waitForWaiters(w0(), "session_close", "dequeue");
    await trainer.sess.close();
    const err = await failure(blocked.promise);
    expect(err).toBeInstanceOf(tf.errors.CancelledError);
    expect((err as Error).message).toContain("Session::Close");
    expect(await waiters(w0(), "session_close")).toEqual([]);
    await loader.enqueue(7);
    expect(await loader.size()).toBe(1);
    expect(await loader.dequeue()).toBe(7);
  });

  it("a partly filled dequeueMany cancelled by Session.close puts its elements back in order", async () => {
    const q = scalarQueue("session_close_partial", 4);
    const trainer = client(q, w1());
    await using loader = client(q, w0());
    await loader.enqueueMany([1, 2]);
    const blocked = started(trainer.dequeueMany(3));
    await waitForWaiters(w0(), "session_close_partial", "dequeue");
    expect(await queueLine(w0(), "session_close_partial")).toMatchObject({ size: 0, waiting: [{ kind: "dequeue", elements: 1 }] });
    await trainer.sess.close();
    await expect(failure(blocked.promise)).resolves.toBeInstanceOf(tf.errors.CancelledError);
    await loader.enqueue(3);
    expect(await loader.dequeueMany(3)).toEqual([1, 2, 3]);
  });

  it("timeoutInMs ends a blocked dequeue or enqueue with DeadlineExceededError; neither acts later", async () => {
    const q = scalarQueue("timed_out", 1);
    await using sess = client(q, w0());
    await using other = client(q, w1());
    const timeout = { options: { timeoutInMs: 150 } };
    await expectOpError(sess.sess.run(q.deq, timeout), tf.errors.DeadlineExceededError, /.+/);
    expect(await waiters(w1(), "timed_out")).toEqual([]);
    await other.enqueue(1);
    // The queue is full: this enqueue times out, and 2 must not go in when room appears.
    await expectOpError(sess.sess.run(q.enq, { feedDict: [[q.x, 2]], ...timeout }), tf.errors.DeadlineExceededError, /.+/);
    expect(await waiters(w1(), "timed_out")).toEqual([]);
    expect(await other.dequeue()).toBe(1);
    expect(await other.size()).toBe(0);
    await other.enqueue(3);
    expect(await sess.dequeue()).toBe(3);
  });

  it("resetting the queue's container cancels its blocked ops; the next run creates a fresh queue", async () => {
    const g = new tf.Graph();
    const ops = g.asDefault(() => {
      const q = tf.container("resettable", () => onPs(() => new tf.FIFOQueue({ capacity: 2, dtypes: ["float32"], shapes: [[]], sharedName: "reset_q" })));
      return { deq: q.dequeue()[0]!, enq: q.enqueue(3), size: q.size(), close: q.close() };
    });
    await using trainer = new tf.Session(w0(), { graph: g });
    await trainer.run(ops.close);
    await expectOpError(trainer.run(ops.enq), tf.errors.CancelledError, "FIFOQueue 'reset_q' is closed.");
    // Reset from the other worker's master, so only the queue (not the session) goes away here.
    await tf.Session.reset(w1(), ["resettable"]);
    expect((await trainer.run(ops.size)).item()).toBe(0);
    const blocked = started(trainer.run(ops.deq));
    await waitForWaiters(w0(), "reset_q", "dequeue");
    await tf.Session.reset(w1(), ["resettable"]);
    await expectOpError(blocked.promise, tf.errors.CancelledError, "Dequeue operation was cancelled: queue 'reset_q' was destroyed (container 'resettable' was reset)");
    await trainer.run(ops.enq);
    expect((await trainer.run(ops.size)).item()).toBe(1);
  });

  it("a failing sibling op in the same step cancels the blocked dequeue, which never takes a later element", async () => {
    const g = new tf.Graph();
    const ops = g.asDefault(() => {
      const [q, other] = onPs(() => ["sibling_main", "sibling_other"].map((sharedName) => new tf.FIFOQueue({ capacity: 4, dtypes: ["float32"], shapes: [[]], sharedName })));
      const anything = tf.placeholder("float32", null);
      return {
        deq: q!.dequeue()[0]!,
        enq: q!.enqueue(5),
        size: q!.size(),
        otherDeq: other!.dequeue()[0]!,
        otherClose: other!.close(),
        badEnqueue: other!.enqueue(anything),
        anything,
      };
    });
    await using trainer = new tf.Session(w1(), { graph: g });
    await using loader = new tf.Session(w0(), { graph: g });

    // Both dequeues block; closing the other queue fails its dequeue, which fails the step.
    const step = started(trainer.run([ops.deq, ops.otherDeq]));
    await waitForWaiters(w0(), "sibling_main", "dequeue");
    await waitForWaiters(w0(), "sibling_other", "dequeue");
    await loader.run(ops.otherClose);
    await expectOpError(step.promise, tf.errors.OutOfRangeError, insufficient("FIFOQueue", "sibling_other", 1, 0));
    expect(await waiters(w0(), "sibling_main")).toEqual([]);
    await loader.run(ops.enq);
    expect((await loader.run(ops.size)).item()).toBe(1);

    // TF's testDequeueEnqueueFail: a sibling that fails at once (a bad enqueue) ends the step too.
    await loader.run(ops.deq);
    await expectOpError(
      trainer.run([ops.deq, ops.badEnqueue], { feedDict: [[ops.anything, [1, 2]]] }),
      tf.errors.InvalidArgumentError,
      "Shape mismatch in tuple component 0. Expected [], got [2]",
    );
    expect(await waiters(w0(), "sibling_main")).toEqual([]);
    await loader.run(ops.enq);
    expect((await trainer.run(ops.deq)).item()).toBe(5);
  });
}

describeOnTransports("queue close and cancellation", { ps: 1, worker: 2 }, tests);
