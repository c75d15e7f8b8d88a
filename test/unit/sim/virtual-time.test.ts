/** tf.sim.launch with virtualTime: deadlines and timers run on the cluster's simulated clock. */
import { expect, it } from "vitest";
import * as tf from "../../../src/index.js";

it("a 60 s deadline on a blocked dequeue fires at 60 s of virtual time; the queue stays usable", async () => {
  const cluster = await tf.sim.launch({ ps: ["localhost:0"], worker: ["localhost:0"] }, { transport: "inproc", seed: 1, virtualTime: true });
  try {
    const g = new tf.Graph();
    const { enq, deq } = g.asDefault(() => {
      const q = tf.device("/job:ps/task:0", () => new tf.FIFOQueue({ capacity: 2, dtypes: ["float32"], sharedName: "vt_q" }));
      return { enq: q.enqueue([tf.constant(4)]), deq: q.dequeue()[0]! };
    });
    const sess = new tf.Session(cluster.target("worker", 0), { graph: g });
    const start = cluster.clock.nowMs();
    await expect(sess.run(deq, { options: { timeoutInMs: 60_000 } })).rejects.toBeInstanceOf(tf.errors.DeadlineExceededError);
    const elapsed = cluster.clock.nowMs() - start;
    expect(elapsed).toBeGreaterThanOrEqual(60_000);
    expect(elapsed).toBeLessThan(61_000);
    await sess.run(enq);
    expect((await sess.run(deq)).item()).toBe(4);
    expect(sess.clock).toBe(cluster.clock);
    await sess.close();
  } finally {
    await cluster.stop();
  }
});

it("two clusters in one process keep their own clocks", async () => {
  const a = await tf.sim.launch({ ps: ["localhost:0"] }, { transport: "inproc", seed: 1, virtualTime: true });
  const b = await tf.sim.launch({ ps: ["localhost:0"] }, { transport: "inproc", seed: 1, virtualTime: true });
  try {
    const g = new tf.Graph();
    const deq = g.asDefault(() => new tf.FIFOQueue({ capacity: 1, dtypes: ["float32"], sharedName: "two_q" }).dequeue()[0]!);
    const sa = new tf.Session(a.target("ps", 0), { graph: g });
    await expect(sa.run(deq, { options: { timeoutInMs: 5_000 } })).rejects.toBeInstanceOf(tf.errors.DeadlineExceededError);
    expect(a.clock.nowMs()).toBeGreaterThanOrEqual(5_000);
    expect(b.clock.nowMs()).toBe(0);
    await sa.close();
  } finally {
    await a.stop();
    await b.stop();
  }
});

it("virtualTime needs inproc", async () => {
  await expect(tf.sim.launch({ ps: ["localhost:0"] }, { transport: "thread", virtualTime: true })).rejects.toBeInstanceOf(tf.errors.InvalidArgumentError);
});

it("MonitoredTrainingSession on a virtual-time cluster runs its hooks and waits on the cluster's clock", async () => {
  const cluster = await tf.sim.launch({ worker: ["localhost:0"] }, { transport: "inproc", seed: 1, virtualTime: true });
  try {
    const g = new tf.Graph();
    const train = g.asDefault(() => tf.assignAdd(tf.train.getOrCreateGlobalStep(), tf.constant(1, { dtype: "int64" })));
    // A hook told the clock (ClockUser) sees the one MonitoredSession hands it.
    let hookClock: unknown = null;
    const hook = Object.assign(new tf.train.SessionRunHook(), { useClock: (c: unknown) => (hookClock = c) });
    const sess = await tf.train.MonitoredTrainingSession({ master: cluster.target("worker", 0), graph: g, hooks: [new tf.train.StopAtStepHook({ lastStep: 3 }), hook] });
    expect(sess.clock).toBe(cluster.clock);
    expect(hookClock).toBe(cluster.clock);
    while (!sess.shouldStop()) await sess.run(train);
    await sess.close();
  } finally {
    await cluster.stop();
  }
});
