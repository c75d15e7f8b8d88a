/**
 * Steps die with their callers (TF's gRPC master cancels a step whose call is cancelled): a run
 * whose signal aborts is cancelled on every task at once, its blocked ops fail, a partly filled
 * dequeueMany puts its elements back, and no orphaned step takes a later element.
 */
import { expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { describeOnTransports } from "../helpers/transports.js";
import { waitFor, waitForWaiters } from "../helpers/wait.js";

function queueOn(device: string, sharedName: string) {
  return tf.device(device, () => new tf.FIFOQueue({ capacity: 10, dtypes: ["float32"], shapes: [[]], sharedName }));
}

/** Resolves once nothing waits on any of the named queues. */
function waitForNoWaiters(target: string, names: string[]) {
  return waitFor(async () => {
    const all = await tf.clusterStatus(target);
    return names.every((n) => ((all.find((r) => r.name === n)?.details.waiting ?? []) as unknown[]).length === 0);
  }, `no waiters on ${names.join(", ")}`);
}

describeOnTransports("steps die with their callers", { ps: 1, worker: 1 }, (ctx) => {
  it("an aborted run is cancelled on the cluster; the next element enqueued stays in the queue", async () => {
    const g = new tf.Graph();
    const { deq, enq, size } = g.asDefault(() => {
      const q = queueOn("/job:ps/task:0", "caller_abort_q");
      return { deq: q.dequeue()[0]!, enq: q.enqueue(7), size: q.size() };
    });
    const target = ctx.target("worker", 0);
    const sess = new tf.Session(target, { graph: g });
    const caller = new AbortController();
    const pending = sess.run(deq, { signal: caller.signal }).catch((e: unknown) => e);
    await waitForWaiters(target, "caller_abort_q", "dequeue");
    caller.abort();
    expect(await pending).toBeInstanceOf(tf.errors.CancelledError);
    await waitForNoWaiters(target, ["caller_abort_q"]);
    await sess.run(enq);
    expect((await sess.run(size)).item()).toBe(1);
    expect((await sess.run(deq)).item()).toBe(7);
    await sess.close();
  });

  it("a partly filled dequeueMany of an aborted run puts its elements back, in order", async () => {
    const g = new tf.Graph();
    const { many, fill, size, two } = g.asDefault(() => {
      const q = queueOn("/job:ps/task:0", "caller_partial_q");
      return { many: q.dequeueMany(3)[0]!, fill: q.enqueueMany([[1, 2]]), size: q.size(), two: q.dequeueMany(2)[0]! };
    });
    const target = ctx.target("worker", 0);
    const sess = new tf.Session(target, { graph: g });
    await sess.run(fill);
    const caller = new AbortController();
    const pending = sess.run(many, { signal: caller.signal }).catch((e: unknown) => e);
    await waitForWaiters(target, "caller_partial_q", "dequeue");
    caller.abort();
    expect(await pending).toBeInstanceOf(tf.errors.CancelledError);
    await waitForNoWaiters(target, ["caller_partial_q"]);
    expect((await sess.run(size)).item()).toBe(2);
    expect(Array.from((await sess.run(two)).data as Float32Array)).toEqual([1, 2]);
    await sess.close();
  });

  it("a step blocked on two tasks is cancelled on both", async () => {
    const g = new tf.Graph();
    const { both } = g.asDefault(() => {
      const a = queueOn("/job:ps/task:0", "caller_two_a");
      const b = queueOn("/job:worker/task:0", "caller_two_b");
      return { both: [a.dequeue()[0]!, b.dequeue()[0]!] };
    });
    const target = ctx.target("worker", 0);
    const sess = new tf.Session(target, { graph: g });
    const caller = new AbortController();
    const pending = sess.run(both, { signal: caller.signal }).catch((e: unknown) => e);
    await waitForWaiters(target, "caller_two_a", "dequeue");
    await waitForWaiters(target, "caller_two_b", "dequeue");
    caller.abort();
    expect(await pending).toBeInstanceOf(tf.errors.CancelledError);
    await waitForNoWaiters(target, ["caller_two_a", "caller_two_b"]);
    await sess.close();
  });

  it("a signal aborted before the run starts fails it with CancelledError and runs nothing", async () => {
    const g = new tf.Graph();
    const { enq, size } = g.asDefault(() => {
      const q = queueOn("/job:ps/task:0", "caller_early_q");
      return { enq: q.enqueue(1), size: q.size() };
    });
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    const caller = new AbortController();
    caller.abort();
    await expect(sess.run(enq, { signal: caller.signal })).rejects.toBeInstanceOf(tf.errors.CancelledError);
    expect((await sess.run(size)).item()).toBe(0);
    await sess.close();
  });
});
