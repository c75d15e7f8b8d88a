/**
 * Step overhead on inproc: median time of a cached sess.run of a trivial graph on one task and of
 * a two-task graph, printed beside one bare TensorFlow.js op measured in the same run.
 */
import * as tf from "../src/index.js";
import { initBackend, tfc } from "../src/engine/compute/backend.js";
import type { BenchRow } from "./stats.js";
import { timeAsync, timeSync } from "./stats.js";

export async function runOverhead(iterations = 500): Promise<BenchRow[]> {
  await initBackend();
  const a = tfc.tensor([1, 2, 3, 4]);
  const bareOp = timeSync(() => {
    const c = tfc.add(a, a);
    c.dataSync();
    c.dispose();
  }, iterations * 4);
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
    const oneTask = await timeAsync(() => sess.run(one), iterations);
    const twoTask = await timeAsync(() => sess.run(two), iterations);
    await sess.close();
    return [
      { name: "inproc cached run, 1 task (Const+Add)", value: oneTask.medianUs, unit: "us", baselineName: "bare tfjs add", baseline: bareOp.medianUs, ratio: oneTask.medianUs / bareOp.medianUs },
      { name: "inproc cached run, 2 tasks (ps -> worker)", value: twoTask.medianUs, unit: "us", baselineName: "bare tfjs add", baseline: bareOp.medianUs, ratio: twoTask.medianUs / bareOp.medianUs },
    ];
  } finally {
    await cluster.stop();
  }
}
