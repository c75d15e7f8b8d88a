/**
 * Step overhead on inproc: a cached sess.run of a trivial graph on one task and of a two-task
 * graph, beside one bare TensorFlow.js op measured in the same run.
 */
import * as tf from "../src/index.js";
import { initBackend, tfc } from "../src/engine/compute/backend.js";
import type { BenchRow } from "./stats.js";
import { row, sampled, timeAsync, timeSync } from "./stats.js";

export async function runOverhead(iterations = 300): Promise<BenchRow[]> {
  await initBackend();
  const a = tfc.tensor([1, 2, 3, 4]);
  const bareOp = await sampled(
    () =>
      timeSync(() => {
        const c = tfc.add(a, a);
        c.dataSync();
        c.dispose();
      }, iterations * 4).medianUs,
  );
  a.dispose();

  const cluster = await tf.sim.launch({ ps: ["localhost:0"], worker: ["localhost:0"] }, { transport: "inproc", seed: 1 });
  try {
    const g = new tf.Graph();
    const { one, two } = g.asDefault(() => {
      const x = tf.constant([1, 2, 3, 4]);
      const one = tf.add(x, x);
      const p = tf.device("/job:ps/task:0", () => tf.add(x, 1));
      const two = tf.add(p, x);
      return { one, two };
    });
    const sess = new tf.Session(cluster.target("worker", 0), { graph: g });
    const oneTask = await sampled(async () => (await timeAsync(() => sess.run(one), iterations)).medianUs);
    const twoTask = await sampled(async () => (await timeAsync(() => sess.run(two), iterations)).medianUs);
    await sess.close();
    const what = "the engine's fixed cost per step";
    return [
      row({ id: "P1", name: "inproc cached run, 1 task (Const+Add)", unit: "us", value: oneTask, baselineName: "bare tfjs add", baseline: bareOp, goal: { kind: "reference", what } }),
      row({ id: "P1", name: "inproc cached run, 2 tasks (ps -> worker)", unit: "us", value: twoTask, baselineName: "bare tfjs add", baseline: bareOp, goal: { kind: "reference", what } }),
    ];
  } finally {
    await cluster.stop();
  }
}
