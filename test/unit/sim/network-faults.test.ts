/**
 * inproc faults as the real world makes them. Model: a partition loses messages both ways, so a
 * call across it is unanswered until its deadline (DeadlineExceeded), and after heal() the same
 * calls work; a delay adds latency to one direction; kill is a crash: the blocked caller sees
 * UnavailableError at once, and a restart is a new incarnation with empty state.
 */
import { expect, it } from "vitest";
import * as tf from "../../../src/index.js";

async function withCluster(fn: (c: tf.sim.SimCluster) => Promise<void>): Promise<void> {
  const cluster = await tf.sim.launch({ ps: ["localhost:0"], worker: ["localhost:0"] }, { transport: "inproc", seed: 9, virtualTime: true, trace: true });
  try {
    await fn(cluster);
  } finally {
    await cluster.stop();
  }
}

function graph() {
  const g = new tf.Graph();
  const ops = g.asDefault(() => {
    const v = tf.device("/job:ps/task:0", () => new tf.Variable(3, { name: "nf_v" }));
    const local = tf.device("/job:worker/task:0", () => tf.add(tf.constant(1), 1));
    return { v, read: tf.add(v.value(), 0), local };
  });
  return { g, ...ops };
}

it("a partition between worker and ps makes their steps time out; the worker alone works; heal restores", async () => {
  await withCluster(async (cluster) => {
    const { g, v, read } = graph();
    const sess = new tf.Session(cluster.target("worker", 0), { graph: g, config: { operationTimeoutInMs: 10_000 } });
    await sess.run(v.initializer);
    cluster.partition(["/job:worker/task:0"], ["/job:ps/task:0"]);
    const t0 = cluster.clock.nowMs();
    await expect(sess.run(read)).rejects.toBeInstanceOf(tf.errors.DeadlineExceededError);
    expect(cluster.clock.nowMs() - t0).toBeGreaterThanOrEqual(10_000);
    cluster.heal();
    // A new session: the old one's graph registration was lost in the partition (it has no deadline).
    const after = new tf.Session(cluster.target("worker", 0), { graph: g, config: { operationTimeoutInMs: 10_000 } });
    expect((await after.run(read)).item()).toBe(3);
    expect(cluster.trace.some((e) => e.includes("drop"))).toBe(true);
    await after.close();
    // The old master session is still waiting on its lost registration: its close is bounded, and resolves.
    await sess.close();
  });
});

it("a partition from the client leaves its calls unanswered until their deadline", async () => {
  await withCluster(async (cluster) => {
    const { g, local } = graph();
    const sess = new tf.Session(cluster.target("worker", 0), { graph: g, config: { operationTimeoutInMs: 3_000 } });
    expect((await sess.run(local)).item()).toBe(2);
    cluster.partition(["client"], ["/job:worker/task:0"]);
    await expect(sess.run(local)).rejects.toBeInstanceOf(tf.errors.DeadlineExceededError);
    cluster.heal();
    expect((await sess.run(local)).item()).toBe(2);
    await sess.close();
  });
});

it("delay adds latency on one direction, measured on the virtual clock", async () => {
  await withCluster(async (cluster) => {
    const { g, v, read } = graph();
    const sess = new tf.Session(cluster.target("worker", 0), { graph: g });
    await sess.run(v.initializer);
    const t0 = cluster.clock.nowMs();
    await sess.run(read);
    const base = cluster.clock.nowMs() - t0;
    cluster.delay("/job:worker/task:0", "/job:ps/task:0", 250);
    const t1 = cluster.clock.nowMs();
    await sess.run(read);
    expect(cluster.clock.nowMs() - t1 - base).toBeGreaterThanOrEqual(250);
    cluster.delay("/job:worker/task:0", "/job:ps/task:0", 0);
    await sess.close();
  });
});

it("kill is a crash: the blocked step fails Unavailable at once, restart brings an empty incarnation", async () => {
  await withCluster(async (cluster) => {
    const g = new tf.Graph();
    const { deq, v } = g.asDefault(() => {
      const q = tf.device("/job:ps/task:0", () => new tf.FIFOQueue({ capacity: 1, dtypes: ["float32"], sharedName: "crash_q" }));
      return { deq: q.dequeue()[0]!, v: tf.device("/job:ps/task:0", () => new tf.Variable(1, { name: "crash_v" })) };
    });
    const sess = new tf.Session(cluster.target("worker", 0), { graph: g });
    await sess.run(v.initializer);
    const pending = sess.run(deq, { options: { timeoutInMs: 60_000 } }).then(() => null, (e: unknown) => e);
    cluster.clock.setTimer(1_000, () => void cluster.kill("ps", 0));
    const err = await pending;
    expect(err).toBeInstanceOf(tf.errors.UnavailableError);
    expect(cluster.clock.nowMs()).toBeLessThan(2_000);
    await cluster.restart("ps", 0);
    await expect(new tf.Session(cluster.target("worker", 0), { graph: g }).run(v)).rejects.toBeInstanceOf(tf.errors.FailedPreconditionError);
    expect(cluster.trace.some((e) => e.includes("crash /job:ps/task:0"))).toBe(true);
    await sess.close();
  });
});
