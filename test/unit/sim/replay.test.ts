/** inproc runs replay from their seed: unseeded random ops and shuffling draw from the seeded environment. */
import { expect, it } from "vitest";
import * as tf from "../../../src/index.js";

async function runOnce(seed: number): Promise<unknown[]> {
  const cluster = await tf.sim.launch({ ps: ["localhost:0"], worker: ["localhost:0"] }, { transport: "inproc", seed });
  try {
    const g = new tf.Graph();
    const { enq, deq, noise } = g.asDefault(() => {
      const q = tf.device("/job:ps/task:0", () => new tf.RandomShuffleQueue({ capacity: 50, minAfterDequeue: 0, dtypes: ["int32"], shapes: [[]], sharedName: "replay_q" }));
      return { enq: q.enqueueMany([tf.range(0, 20, 1, { dtype: "int32" })]), deq: q.dequeueMany(20)[0]!, noise: tf.randomUniform([4]) };
    });
    const sess = new tf.Session(cluster.target("worker", 0), { graph: g });
    await sess.run(enq);
    const order = (await sess.run(deq)).toArray() as number[];
    const values = (await sess.run(noise)).toArray() as number[];
    await sess.close();
    return [order, values];
  } finally {
    await cluster.stop();
  }
}

it("the same seed replays the same shuffle order and random values; another seed differs", async () => {
  const a = await runOnce(5);
  const b = await runOnce(5);
  const c = await runOnce(6);
  expect(b).toEqual(a);
  expect(c).not.toEqual(a);
  expect([...(a[0] as number[])].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
});
