/**
 * Partitions on the thread transport (a fault table in shared memory that every task thread
 * obeys). Model: messages across a cut are lost, so a step needing both sides fails with
 * DeadlineExceededError at its deadline; steps on one side keep working; after heal() a new
 * session reaches both sides again.
 */
import { expect, it } from "vitest";
import * as tf from "../../../src/index.js";

it("thread: a worker–ps partition times steps out, the worker alone still works, heal restores", async () => {
  const cluster = await tf.sim.launch({ ps: ["localhost:0"], worker: ["localhost:0"] }, { transport: "thread", seed: 1 });
  try {
    const g = new tf.Graph();
    const { v, read, local } = g.asDefault(() => {
      const v = tf.device("/job:ps/task:0", () => new tf.Variable(3, { name: "tf_v" }));
      return { v, read: tf.add(v.value(), 0), local: tf.device("/job:worker/task:0", () => tf.add(tf.constant(1), 1)) };
    });
    const sess = new tf.Session(cluster.target("worker", 0), { graph: g, config: { operationTimeoutInMs: 500 } });
    await sess.run(v.initializer);
    expect((await sess.run(read)).item()).toBe(3);
    cluster.partition(["/job:worker/task:0"], ["/job:ps/task:0"]);
    const t = tf.device("/job:ps/task:0", () => g.asDefault(() => tf.add(v.value(), 1)));
    await expect(sess.run(t)).rejects.toBeInstanceOf(tf.errors.DeadlineExceededError);
    expect((await sess.run(local)).item()).toBe(2);
    cluster.heal();
    const after = new tf.Session(cluster.target("worker", 0), { graph: g, config: { operationTimeoutInMs: 5_000 } });
    expect((await after.run(t)).item()).toBe(4);
    await after.close();
    await sess.close().catch(() => undefined);
  } finally {
    await cluster.stop();
  }
}, 60_000);

it("thread: a partition between the client and a task leaves its calls unanswered until their deadline", async () => {
  const cluster = await tf.sim.launch({ worker: ["localhost:0"] }, { transport: "thread", seed: 2 });
  try {
    const g = new tf.Graph();
    const c = g.asDefault(() => tf.add(tf.constant(1), 1));
    const sess = new tf.Session(cluster.target("worker", 0), { graph: g, config: { operationTimeoutInMs: 300 } });
    expect((await sess.run(c)).item()).toBe(2);
    cluster.partition(["client"], ["/job:worker/task:0"]);
    await expect(sess.run(c)).rejects.toBeInstanceOf(tf.errors.DeadlineExceededError);
    cluster.heal();
    expect((await sess.run(c)).item()).toBe(2);
    await sess.close();
  } finally {
    await cluster.stop();
  }
}, 60_000);
