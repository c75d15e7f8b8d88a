/** Deadlines and cancellation of blocked steps: timeoutInMs, operationTimeoutInMs, Session.close. */
import { expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { describeOnTransports } from "../helpers/transports.js";
import { waitForWaiters } from "../helpers/wait.js";

function blockingGraph(sharedName: string) {
  const g = new tf.Graph();
  const ops = g.asDefault(() => {
    const q = tf.device("/job:ps/task:0", () => new tf.FIFOQueue({ capacity: 2, dtypes: ["float32"], shapes: [[]], sharedName }));
    return { deq: q.dequeue()[0]!, enq: q.enqueue(5), size: q.size(), one: tf.constant(1) };
  });
  return { g, ...ops };
}

describeOnTransports("timeouts and cancellation", { ps: 1, worker: 1 }, (ctx) => {
  it("timeoutInMs fails a blocked step with DeadlineExceededError; the session and queue stay usable", async () => {
    const { g, deq, enq, size } = blockingGraph("timeout_q");
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    await expect(sess.run(deq, { options: { timeoutInMs: 100 } })).rejects.toBeInstanceOf(tf.errors.DeadlineExceededError);
    // The cancelled attempt never takes an element later.
    await sess.run(enq);
    expect((await sess.run(size)).item()).toBe(1);
    expect((await sess.run(deq)).item()).toBe(5);
    await sess.close();
  });

  it("config.operationTimeoutInMs is the default deadline of every step", async () => {
    const { g, deq, one } = blockingGraph("op_timeout_q");
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g, config: { operationTimeoutInMs: 100 } });
    await expect(sess.run(deq)).rejects.toBeInstanceOf(tf.errors.DeadlineExceededError);
    expect((await sess.run(one)).item()).toBe(1);
    await sess.close();
  });

  it("closing a session cancels its blocked step with CancelledError mentioning Session::Close", async () => {
    const { g, deq } = blockingGraph("close_q");
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    const pending = sess.run(deq).then(
      () => new Error("should have been cancelled"),
      (e: unknown) => e,
    );
    await waitForWaiters(ctx.target("worker", 0), "close_q", "dequeue");
    await sess.close();
    const err = await pending;
    expect(err).toBeInstanceOf(tf.errors.CancelledError);
    expect((err as Error).message).toContain("Session::Close");
    const status = await tf.clusterStatus(ctx.target("worker", 0));
    expect(status.find((r) => r.name === "close_q")?.details.waiting).toEqual([]);
  });

  it("a blocked op does not block its task: other sessions keep running on it", async () => {
    const { g, deq, enq } = blockingGraph("nonblocking_q");
    const a = new tf.Session(ctx.target("worker", 0), { graph: g });
    const b = new tf.Session(ctx.target("worker", 0), { graph: g });
    const pending = a.run(deq);
    await waitForWaiters(ctx.target("worker", 0), "nonblocking_q", "dequeue");
    await b.run(enq);
    expect((await pending).item()).toBe(5);
    await a.close();
    await b.close();
  });
});
