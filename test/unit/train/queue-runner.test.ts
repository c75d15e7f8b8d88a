/**
 * QueueRunner semantics through local sessions, after TF's queue_runner_test.py
 * (tf-input-pipeline.md §7): loops per enqueue op, close by the last loop to see its input end,
 * errors with and without a coordinator, the cancel op on stop, one set of loops per session,
 * the QUEUE_RUNNERS collection, and the forgotten-runner diagnostic.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import * as tf from "../../../src/index.js";
import { countUpTo } from "../../../src/graph/ops/count-up-to.js";
import { Coordinator } from "../../../src/train/coordinator.js";
import type { LoopThread } from "../../../src/train/loop-thread.js";
import {
  addQueueRunner,
  QueueRunner,
  startQueueRunners,
  unstartedQueueRunners,
  warnIfBlockedOnUnstartedQueueRunners,
} from "../../../src/train/queue-runner.js";

const sessions: tf.Session[] = [];
function session(g: tf.Graph): tf.Session {
  const s = new tf.Session(undefined, { graph: g });
  sessions.push(s);
  return s;
}

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(sessions.splice(0).map((s) => s.close()));
});

const joinAll = (threads: LoopThread[]) => Promise.all(threads.map((t) => t.done));

/** A quiet stderr for tests whose runners are expected to log exceptions. */
function muteStderr() {
  return vi.spyOn(process.stderr, "write").mockImplementation(() => true);
}

/** TF's fixture: an int64 variable counted up to each limit, a float queue the runner "feeds". */
function counters(limits: number[]) {
  const g = new tf.Graph();
  const built = g.asDefault(() => {
    const v = new tf.Variable(tf.constant(0, { dtype: "int64" }), { name: "var" });
    const ops = limits.map((l) => countUpTo(v, l));
    const queue = new tf.FIFOQueue({ capacity: 10, dtypes: "float32" });
    return { v, ops, queue, init: tf.globalVariablesInitializer() };
  });
  return { g, ...built };
}

async function valueOf(sess: tf.Session, v: tf.Variable): Promise<number> {
  return Number((await sess.run(v.value())).item());
}

describe("QueueRunner loops", () => {
  it("runs the op until OutOfRange ends it cleanly (testBasic)", async () => {
    const { g, v, ops, queue, init } = counters([3]);
    const sess = session(g);
    await sess.run(init);
    const qr = new QueueRunner(queue, ops);
    const threads = qr.createThreads(sess);
    expect(threads.map((t) => t.name)).toEqual(["QueueRunnerThread-fifo_queue-ResourceCountUpTo:0"]);
    expect(threads[0]!.started).toBe(false);
    for (const t of threads) t.start();
    await joinAll(threads);
    expect(qr.exceptionsRaised).toEqual([]);
    expect(await valueOf(sess, v)).toBe(3);
  });

  it("one loop per op (testTwoOps)", async () => {
    const g = new tf.Graph();
    const { v0, v1, ops, queue, init } = g.asDefault(() => {
      const v0 = new tf.Variable(tf.constant(0, { dtype: "int64" }), { name: "var0" });
      const v1 = new tf.Variable(tf.constant(0, { dtype: "int64" }), { name: "var1" });
      return {
        v0,
        v1,
        ops: [countUpTo(v0, 3), countUpTo(v1, 30)],
        queue: new tf.FIFOQueue({ capacity: 10, dtypes: "float32" }),
        init: tf.globalVariablesInitializer(),
      };
    });
    const sess = session(g);
    await sess.run(init);
    const qr = new QueueRunner(queue, ops);
    const threads = qr.createThreads(sess, { start: true });
    expect(threads.length).toBe(2);
    await joinAll(threads);
    expect([await valueOf(sess, v0), await valueOf(sess, v1)]).toEqual([3, 30]);
  });

  it("keeps other errors in exceptionsRaised without a coordinator (testExceptionsCaptured)", async () => {
    muteStderr();
    const other = new tf.Graph();
    const foreign = other.asDefault(() => [tf.noOp({ name: "i_fail" }), tf.noOp({ name: "so_fail" })]);
    const { g, queue } = counters([]);
    const sess = session(g);
    const qr = new QueueRunner(queue, foreign);
    const threads = qr.createThreads(sess, { start: true });
    await joinAll(threads);
    expect(qr.exceptionsRaised.length).toBe(2);
    for (const e of qr.exceptionsRaised) expect(String((e as Error).message)).toContain("is not an element of this session's graph");
    expect(threads.every((t) => t.error !== undefined)).toBe(true);
    // The queue stays open: consumers would wait (TF's behaviour without a coordinator).
    expect((await sess.run(queue.isClosed())).item()).toBe(false);
  });

  it("moves elements between queues and closes the output when the input ends (testRealDequeueEnqueue)", async () => {
    const g = new tf.Graph();
    const ops = g.asDefault(() => {
      const q0 = new tf.FIFOQueue({ capacity: 3, dtypes: "float32" });
      const q1 = new tf.FIFOQueue({ capacity: 10, dtypes: "float32" });
      const enqueue = q1.enqueue(q0.dequeue()[0]!);
      return { q0, q1, enqueue, fill: q0.enqueue(10), close0: q0.close(), take: q1.dequeue()[0]! };
    });
    const sess = session(g);
    const qr = new QueueRunner(ops.q1, [ops.enqueue]);
    const threads = qr.createThreads(sess, { start: true });
    await sess.run(ops.fill);
    await sess.run(ops.fill);
    await sess.run(ops.close0);
    await joinAll(threads);
    expect(qr.exceptionsRaised).toEqual([]);
    expect((await sess.run(ops.take)).item()).toBe(10);
    expect((await sess.run(ops.take)).item()).toBe(10);
    await expect(sess.run(ops.take)).rejects.toThrow(/is closed and has insufficient elements \(requested 1, current size 0\)/);
  });

  it("closes the queue only when the last of its loops has seen the end", async () => {
    const g = new tf.Graph();
    const ops = g.asDefault(() => {
      const a = new tf.Variable(tf.constant(0, { dtype: "int64" }), { name: "a" });
      const b = new tf.Variable(tf.constant(0, { dtype: "int64" }), { name: "b" });
      const q = new tf.FIFOQueue({ capacity: 100, dtypes: "int64" });
      return { q, ops: [q.enqueue(countUpTo(a, 3)), q.enqueue(countUpTo(b, 30))], init: tf.globalVariablesInitializer() };
    });
    const sess = session(g);
    await sess.run(ops.init);
    const closed = g.asDefault(() => ops.q.isClosed());
    const size = g.asDefault(() => ops.q.size());
    const qr = new QueueRunner(ops.q, ops.ops);
    const threads = qr.createThreads(sess, { start: true });
    await threads[0]!.done;
    if (threads[1]!.isAlive()) expect((await sess.run(closed)).item()).toBe(false);
    await joinAll(threads);
    expect([(await sess.run(closed)).item(), (await sess.run(size)).item()]).toEqual([true, 33]);
  });

  it("a coordinator stopped before the start keeps the loops from running (testRespectCoordShouldStop)", async () => {
    const { g, v, ops, queue, init } = counters([3]);
    const sess = session(g);
    await sess.run(init);
    const coord = new Coordinator();
    coord.requestStop();
    const threads = new QueueRunner(queue, ops).createThreads(sess, { coord, start: true });
    expect(threads.map((t) => t.name)).toEqual(["QueueRunnerThread-fifo_queue-ResourceCountUpTo:0", "QueueRunnerThread-fifo_queue-close_on_stop"]);
    await coord.join();
    expect(await valueOf(sess, v)).toBe(0);
  });

  it("another error stops the coordinator, whose join re-raises it (testRequestStopOnException)", async () => {
    const other = new tf.Graph();
    const foreign = other.asDefault(() => tf.noOp({ name: "not_an_op" }));
    const { g, queue } = counters([]);
    const sess = session(g);
    const coord = new Coordinator();
    const qr = new QueueRunner(queue, [foreign]);
    qr.createThreads(sess, { coord, start: true });
    await expect(coord.join()).rejects.toThrow("is not an element of this session's graph");
    expect(qr.exceptionsRaised).toEqual([]);
  });

  it("with a coordinator, the stop cancels an enqueue blocked on a full queue (testGracePeriod)", async () => {
    const g = new tf.Graph();
    const ops = g.asDefault(() => {
      const q = new tf.FIFOQueue({ capacity: 1, dtypes: "float32" });
      return { q, enqueue: q.enqueue(1), size: q.size() };
    });
    const sess = session(g);
    const coord = new Coordinator();
    const threads = new QueueRunner(ops.q, [ops.enqueue]).createThreads(sess, { coord, start: true });
    while (Number((await sess.run(ops.size)).item()) < 1) await new Promise((r) => setTimeout(r, 1));
    coord.requestStop();
    await coord.join(threads, { stopGracePeriodMs: 1000 });
    expect(threads.every((t) => !t.isAlive())).toBe(true);
  });

  it("keeps one set of loops per session (testIgnoreMultiStarts, testMultipleSessions)", async () => {
    const g = new tf.Graph();
    const ops = g.asDefault(() => {
      const q = new tf.FIFOQueue({ capacity: 1, dtypes: "float32" });
      return { q, enqueue: q.enqueue(1) };
    });
    const a = session(g);
    const b = session(g);
    const coord = new Coordinator();
    const qr = new QueueRunner(ops.q, [ops.enqueue]);
    const first = qr.createThreads(a, { coord, start: true });
    expect(first.length).toBe(2);
    expect(qr.createThreads(a, { coord, start: true })).toEqual([]);
    const other = qr.createThreads(b, { coord, start: true });
    expect(other.length).toBe(2);
    expect(other[0]).not.toBe(first[0]);
    coord.requestStop();
    await coord.join([], { stopGracePeriodMs: 5000 });
  });

  it("a new set of loops once the previous one has ended (testThreads)", async () => {
    muteStderr();
    const other = new tf.Graph();
    const bad = other.asDefault(() => tf.noOp({ name: "bad_op" }));
    const { g, ops, queue, init } = counters([3]);
    const sess = session(g);
    await sess.run(init);
    const qr = new QueueRunner(queue, [ops[0]!, bad]);
    await joinAll(qr.createThreads(sess, { start: true }));
    expect(qr.exceptionsRaised.length).toBe(1);
    const again = qr.createThreads(sess, { start: true });
    expect(again.length).toBe(2);
    await joinAll(again);
    expect(qr.exceptionsRaised.length).toBe(1);
  });

  it("queueClosedExceptionTypes decides which errors end a loop cleanly", async () => {
    const g = new tf.Graph();
    const ops = g.asDefault(() => {
      const q0 = new tf.FIFOQueue({ capacity: 3, dtypes: "float32" });
      const q1 = new tf.FIFOQueue({ capacity: 3, dtypes: "float32" });
      // Enqueues onto a closed queue fail with CancelledError, not OutOfRangeError.
      return { q0, q1, enqueue: q1.enqueue(1), close1: q1.close() };
    });
    const sess = session(g);
    await sess.run(ops.close1);
    const qr = new QueueRunner(ops.q1, [ops.enqueue], { queueClosedExceptionTypes: [tf.errors.CancelledError] });
    await joinAll(qr.createThreads(sess, { start: true }));
    expect(qr.exceptionsRaised).toEqual([]);
  });
});

describe("QueueRunner construction", () => {
  it("default close and cancel ops close the queue, the cancel op cancelling pending enqueues", () => {
    const { g, ops, queue } = counters([3]);
    const qr = new QueueRunner(queue, ops);
    expect(qr.name).toBe("fifo_queue");
    const attrs = (op: tf.Operation) => g.toGraphDef().node.find((n) => n.name === op.name)!.attr;
    expect([qr.closeOp.type, attrs(qr.closeOp).cancel_pending_enqueues]).toEqual(["QueueCloseV2", { b: false }]);
    expect([qr.cancelOp.type, attrs(qr.cancelOp).cancel_pending_enqueues]).toEqual(["QueueCloseV2", { b: true }]);
  });

  it("TF's build-time errors", () => {
    const { ops, queue } = counters([3]);
    expect(() => new QueueRunner(queue, [])).toThrow("Must provide queue and enqueue_ops.");
    expect(() => new QueueRunner(queue, ops, { queueClosedExceptionTypes: [] })).toThrow(TypeError);
    expect(() => new QueueRunner(queue, ops, { queueClosedExceptionTypes: [RangeError] })).toThrow(
      "queueClosedExceptionTypes, when provided, must be a non-empty list of tf.errors types",
    );
  });
});

describe("QUEUE_RUNNERS and startQueueRunners", () => {
  it("addQueueRunner registers in the collection; startQueueRunners starts every runner (testStartQueueRunners)", async () => {
    const { g, v, ops, queue, init } = counters([3]);
    const qr = new QueueRunner(queue, ops);
    addQueueRunner(qr);
    expect(g.getCollection(tf.GraphKeys.QUEUE_RUNNERS)).toEqual([qr]);
    const sess = session(g);
    await sess.run(init);
    const threads = startQueueRunners(sess);
    expect(threads.every((t) => t.started)).toBe(true);
    await joinAll(threads);
    expect(await valueOf(sess, v)).toBe(3);
  });

  it("start: false creates the loops without starting them; another collection can be named", async () => {
    const { g, ops, queue } = counters([3]);
    addQueueRunner(new QueueRunner(queue, ops), "my_runners");
    const sess = session(g);
    expect(startQueueRunners(sess, { start: false, collection: "my_runners" }).map((t) => t.started)).toEqual([false]);
  });

  it("warns when no runners were defined; refuses what is not a session", () => {
    const write = muteStderr();
    const sess = session(new tf.Graph());
    expect(startQueueRunners(sess)).toEqual([]);
    expect(write.mock.calls.map((c) => String(c[0])).join("")).toContain("was called when no queue runners were defined");
    expect(() => startQueueRunners({} as tf.Session)).toThrow("sess must be a `tf.Session` object. Given class: Object");
  });
});

describe("forgotten queue runners", () => {
  it("unstartedQueueRunners lists the runners never started in this session", async () => {
    const { g, ops, queue, init } = counters([3]);
    const qr = new QueueRunner(queue, ops);
    addQueueRunner(qr);
    const a = session(g);
    const b = session(g);
    expect(unstartedQueueRunners(a)).toEqual([qr]);
    await a.run(init);
    await joinAll(startQueueRunners(a));
    expect(unstartedQueueRunners(a)).toEqual([]);
    expect(unstartedQueueRunners(b)).toEqual([qr]);
  });

  it("a step blocked while runners were never started logs one warning per session, naming the queues", async () => {
    const g = new tf.Graph();
    const ops = g.asDefault(() => {
      const q = new tf.FIFOQueue({ capacity: 4, dtypes: "float32", name: "examples" });
      addQueueRunner(new QueueRunner(q, [q.enqueue(1)]));
      return { take: q.dequeue()[0]! };
    });
    const sess = session(g);
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    let release!: () => void;
    const step = new Promise<void>((resolve) => (release = resolve));
    warnIfBlockedOnUnstartedQueueRunners(sess, step, { warnAfterMs: 5, warn });
    await new Promise((r) => setTimeout(r, 30));
    expect(warnings.length).toBe(1);
    expect(warnings[0]).toContain("1 queue runner(s) never started in this session (queues: examples)");
    expect(warnings[0]).toContain("tf.train.startQueueRunners(sess, {coord})");
    warnIfBlockedOnUnstartedQueueRunners(sess, new Promise(() => {}), { warnAfterMs: 1, warn });
    await new Promise((r) => setTimeout(r, 20));
    expect(warnings.length).toBe(1);
    release();
    void ops;
  });

  it("no warning for a step that finishes in time, or once the runners are started", async () => {
    const g = new tf.Graph();
    const ops = g.asDefault(() => {
      const q = new tf.FIFOQueue({ capacity: 4, dtypes: "float32" });
      addQueueRunner(new QueueRunner(q, [q.enqueue(1)]));
      return { take: q.dequeue()[0]! };
    });
    const sess = session(g);
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    warnIfBlockedOnUnstartedQueueRunners(sess, Promise.resolve(), { warnAfterMs: 5, warn });
    const coord = new Coordinator();
    startQueueRunners(sess, { coord });
    const step = sess.run(ops.take);
    warnIfBlockedOnUnstartedQueueRunners(sess, new Promise(() => {}), { warnAfterMs: 5, warn });
    expect((await step).item()).toBe(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(warnings).toEqual([]);
    coord.requestStop();
    await coord.join();
  });
});
