/** Faults: a task killed mid-step fails that step with UnavailableError naming it; others keep working. */
import { expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { describeOnTransports } from "../helpers/transports.js";
import { waitForWaiters } from "../helpers/wait.js";

describeOnTransports("faults", { ps: 1, worker: 1 }, (ctx) => {
  it("killing a task mid-step fails the step with UnavailableError naming the task; restart brings it back empty", async () => {
    const g = new tf.Graph();
    const { blocked, local, v } = g.asDefault(() => {
      const q = tf.device("/job:ps/task:0", () => new tf.FIFOQueue({ capacity: 1, dtypes: ["float32"], sharedName: "fault_q" }));
      const v = tf.device("/job:ps/task:0", () => new tf.Variable(3, { name: "fault_v" }));
      const blocked = tf.add(q.dequeue()[0]!, 1);
      const local = tf.device("/job:worker/task:0", () => tf.add(tf.constant(1), 1));
      return { blocked, local, v };
    });
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    await sess.run(v.initializer);
    expect((await sess.run(local)).item()).toBe(2);

    const pending = sess.run(blocked, { options: { timeoutInMs: 30_000 } }).then(
      () => new Error("the step should have failed"),
      (e: unknown) => e,
    );
    // Mid-step: the dequeue is blocked on the ps task when it dies.
    await waitForWaiters(ctx.target("worker", 0), "fault_q", "dequeue");
    await ctx.cluster.kill("ps", 0);
    const err = await pending;
    expect(err).toBeInstanceOf(tf.errors.UnavailableError);
    expect((err as Error).message).toContain("/job:ps/replica:0/task:0");

    // Steps that do not touch the dead task keep working.
    expect((await sess.run(local)).item()).toBe(2);

    await ctx.cluster.restart("ps", 0);
    const fresh = new tf.Session(ctx.target("worker", 0), { graph: g });
    await expect(fresh.run(v)).rejects.toBeInstanceOf(tf.errors.FailedPreconditionError);
    await fresh.run(v.initializer);
    expect((await fresh.run(v)).item()).toBe(3);
    await fresh.close();
    await sess.close();
  });
});
