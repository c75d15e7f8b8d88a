/**
 * Restarts are new incarnations: every task start draws a fresh 64-bit incarnation (in its device
 * attributes); a restarted master never reuses an old session handle, so a new session never
 * inherits an old session's isolated state; a step that spans a peer's restart fails Aborted.
 */
import { expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { describeOnTransports } from "../helpers/transports.js";

const incarnationOf = async (sess: tf.Session, task: string) => (await sess.listDevices()).find((d) => d.name.startsWith(task))!.incarnation;

describeOnTransports("restarts are new incarnations", { ps: 1, worker: 1 }, (ctx) => {
  it("each task reports a 64-bit incarnation; a restarted task reports a new one, the others keep theirs", async () => {
    const before = new tf.Session(ctx.target("worker", 0), { graph: new tf.Graph() });
    const devices = await before.listDevices();
    for (const d of devices) {
      expect(typeof d.incarnation).toBe("bigint");
      expect(d.incarnation > 0n && d.incarnation < 2n ** 64n).toBe(true);
    }
    const ps = await incarnationOf(before, "/job:ps/replica:0/task:0");
    const worker = await incarnationOf(before, "/job:worker/replica:0/task:0");
    expect(ps).not.toBe(worker);
    await before.close();
    await ctx.cluster.restart("ps", 0);
    const after = new tf.Session(ctx.target("worker", 0), { graph: new tf.Graph() });
    expect(await incarnationOf(after, "/job:ps/replica:0/task:0")).not.toBe(ps);
    expect(await incarnationOf(after, "/job:worker/replica:0/task:0")).toBe(worker);
    await after.close();
  }, 60_000);

  it("a step that spans a peer's restart fails with AbortedError, never with stale data", async () => {
    const g = new tf.Graph();
    const sum = g.asDefault(() => {
      const a = tf.device("/job:ps/task:0", () => tf.constant(2));
      return tf.device("/job:worker/task:0", () => tf.add(a, 1));
    });
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    expect((await sess.run(sum)).item()).toBe(3);
    await ctx.cluster.restart("ps", 0);
    await expect(sess.run(sum)).rejects.toBeInstanceOf(tf.errors.AbortedError);
    await sess.close();
  }, 60_000);

  it("a restarted master never hands a new session the old session's isolated variables", async () => {
    const g = new tf.Graph();
    const { v, init } = g.asDefault(() => {
      const v = tf.device("/job:ps/task:0", () => new tf.Variable(5, { name: "isolated_v" }));
      return { v, init: v.initializer };
    });
    const config = { isolateSessionState: true };
    const old = new tf.Session(ctx.target("worker", 0), { graph: g, config });
    await old.run(init);
    expect((await old.run(v)).item()).toBe(5);
    // The master dies without closing its session; it comes back with the same seed.
    await ctx.cluster.restart("worker", 0);
    const fresh = new tf.Session(ctx.target("worker", 0), { graph: g, config });
    await expect(fresh.run(v)).rejects.toBeInstanceOf(tf.errors.FailedPreconditionError);
    await fresh.close();
  }, 60_000);
});
