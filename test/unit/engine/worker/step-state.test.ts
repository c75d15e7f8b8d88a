/**
 * Per-step and per-session state on the workers stays bounded: failed steps leave no rendezvous
 * table or running partition behind, a session's graphs are bounded by the master's step cache,
 * and deleting a session drops its steps. Servers run in this thread (inproc) so their state
 * can be counted.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import * as tf from "../../../../src/index.js";
import { EngineServer } from "../../../../src/engine/server.js";
import { STEP_CACHE_MAX } from "../../../../src/engine/master/step-cache.js";
import { inprocTransport } from "../../../../src/transport/inproc/inproc-transport.js";
import type { ClusterDef } from "../../../../src/transport/messages.js";

let servers: EngineServer[] = [];
let target = "";

beforeAll(async () => {
  const cluster: ClusterDef = {
    job: [
      { name: "ps", tasks: { 0: inprocTransport.allocateAddress("localhost:0") } },
      { name: "worker", tasks: { 0: inprocTransport.allocateAddress("localhost:0") } },
    ],
  };
  servers = await Promise.all(
    cluster.job.map((j) => EngineServer.start({ cluster, jobName: j.name, taskIndex: 0, transport: inprocTransport, stuckWarnMs: 0 })),
  );
  target = servers[1]!.target;
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

const counts = () => servers.map((s) => s.worker.stateCounts());

it("failed steps that span two tasks leave no per-step state on either", async () => {
  const g = new tf.Graph();
  const { stuck } = g.asDefault(() => {
    const q = tf.device("/job:ps/task:0", () => new tf.FIFOQueue({ capacity: 1, dtypes: ["float32"], shapes: [[]], sharedName: "state_q" }));
    const fromPs = tf.device("/job:ps/task:0", () => tf.constant(3));
    return { stuck: tf.device("/job:worker/task:0", () => tf.add(q.dequeue()[0]!, fromPs)) };
  });
  const sess = new tf.Session(target, { graph: g });
  for (let i = 0; i < 20; i++) {
    await expect(sess.run(stuck, { options: { timeoutInMs: 5 } })).rejects.toBeInstanceOf(tf.errors.DeadlineExceededError);
  }
  for (const c of counts()) expect([c.steps, c.running]).toEqual([0, 0]);
  await sess.close();
});

it("a session's registered graphs are bounded by the step cache; an evicted signature runs again", async () => {
  const g = new tf.Graph();
  const fetches = g.asDefault(() => {
    const base = tf.device("/job:ps/task:0", () => tf.constant(1));
    return Array.from({ length: STEP_CACHE_MAX + 20 }, (_, i) => tf.device("/job:worker/task:0", () => tf.add(base, i)));
  });
  const sess = new tf.Session(target, { graph: g });
  for (const [i, f] of fetches.entries()) expect((await sess.run(f)).item()).toBe(1 + i);
  // Deregistration of evicted signatures is fire-and-forget: let it land.
  await sess.run(fetches[fetches.length - 1]!);
  for (const c of counts()) expect(c.graphs).toBeLessThanOrEqual(STEP_CACHE_MAX);
  expect((await sess.run(fetches[0]!)).item()).toBe(1);
  await sess.close();
  for (const c of counts()) expect([c.sessions, c.graphs, c.steps, c.running]).toEqual([0, 0, 0, 0]);
});
