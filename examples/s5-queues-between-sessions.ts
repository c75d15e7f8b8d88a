/**
 * Scenario S5: queues between sessions. A loader client (on worker 0) pushes pairs of floats into
 * a FIFOQueue of capacity 10; a trainer client (on worker 1, another graph) pulls one or a
 * mini-batch. They share the queue by `sharedName`, not by op name. A full queue makes enqueue
 * wait, `close()` ends the stream; then a tuple queue, a PaddingFIFOQueue and a RandomShuffleQueue.
 * Run: npx tsx examples/s5-queues-between-sessions.ts [--transport inproc|thread|grpc]
 */
import * as tf from "../src/index.js";
import { opErrorOf, runExample, waitUntilWaiting } from "./run-example.js";

const show = (v: tf.NDArray | tf.NDArray[]) => JSON.stringify(Array.isArray(v) ? v.map((t) => t.toArray()) : v.toArray());

/** One client's view of the pair queue: its own graph, its own name for the queue op. */
function pairClient(name: string) {
  const graph = new tf.Graph();
  const ops = graph.asDefault(() => {
    const q = new tf.FIFOQueue({ capacity: 10, dtypes: ["float32", "float32"], shapes: [[], []], sharedName: "pairs", name });
    const xs = tf.placeholder("float32", [null]);
    const ys = tf.placeholder("float32", [null]);
    return { xs, ys, enqueue: q.enqueue([1, 10]), enqueueMany: q.enqueueMany([xs, ys]), dequeue: q.dequeue(), dequeueMany: q.dequeueMany(4), upTo: q.dequeueUpTo(20), close: q.close(), size: q.size() };
  });
  return { graph, ...ops };
}

async function pairs(cluster: tf.sim.SimCluster): Promise<void> {
  const loader = pairClient("loader_queue");
  const trainer = pairClient("trainer_queue");
  await using load = new tf.Session(cluster.target("worker", 0), { graph: loader.graph });
  await using train = new tf.Session(cluster.target("worker", 1), { graph: trainer.graph });
  const enqueueMany = (xs: number[]) => load.run(loader.enqueueMany, { feedDict: [[loader.xs, xs], [loader.ys, xs.map((x) => x * 10)]] });

  await load.run(loader.enqueue);
  await enqueueMany([2, 3, 4, 5, 6]);
  console.log(`trainer dequeue: ${show(await train.run(trainer.dequeue))}`);
  console.log(`trainer dequeueMany(4): ${show(await train.run(trainer.dequeueMany))}`);

  await enqueueMany([7, 8, 9, 10, 11, 12, 13, 14, 15]);
  const blocked = enqueueMany([16]);
  await waitUntilWaiting(cluster.target("worker", 1), "pairs", "enqueue");
  console.log(`queue full (size ${(await train.run(trainer.size)).item()}): the loader's enqueue waits`);
  console.log(`trainer dequeue: ${show(await train.run(trainer.dequeue))}`);
  await blocked;
  console.log(`the waiting enqueue went in: size ${(await train.run(trainer.size)).item()}`);

  await load.run(loader.close);
  console.log(`enqueue after close: ${(await opErrorOf(() => load.run(loader.enqueue)))?.name}`);
  await train.run(trainer.dequeueMany);
  await train.run(trainer.dequeueMany);
  console.log(`dequeueMany(4) with 2 left after close: ${(await opErrorOf(() => train.run(trainer.dequeueMany)))?.name}`);
  console.log(`dequeueUpTo(20) after close: ${show(await train.run(trainer.upTo))}`);
  console.log(`dequeue once drained: ${(await opErrorOf(() => train.run(trainer.dequeue)))?.name}`);
}

/** (int32 scalar, float32 3x2) pairs: fetching one part alone still takes the whole pair. */
async function tuples(cluster: tf.sim.SimCluster): Promise<void> {
  const graph = new tf.Graph();
  const ops = graph.asDefault(() => {
    const q = new tf.FIFOQueue({ capacity: 10, dtypes: ["int32", "float32"], shapes: [[], [3, 2]], sharedName: "tuples" });
    const [label, image] = q.dequeue();
    const matrix = (k: number) => [[k, k], [k, k], [k, k]];
    return { fill: q.enqueueMany([tf.constant([1, 2], { dtype: "int32" }), [matrix(1), matrix(2)]]), label: label!, image: image!, size: q.size() };
  });
  await using sess = new tf.Session(cluster.target("worker", 1), { graph });
  await sess.run(ops.fill);
  console.log(`tuple queue: label alone = ${(await sess.run(ops.label)).item()}, size after = ${(await sess.run(ops.size)).item()}`);
  const [label, image] = await sess.run([ops.label, ops.image]);
  console.log(`tuple queue: label = ${label!.item()}, image shape = ${JSON.stringify(image!.shape)}`);
}

/** Matrices 3x2, 1x1 and 2x4 come out of dequeueMany(3) as one 3x3x4 batch padded with zeros. */
async function padding(cluster: tf.sim.SimCluster): Promise<void> {
  const graph = new tf.Graph();
  const ops = graph.asDefault(() => {
    const q = new tf.PaddingFIFOQueue({ capacity: 10, dtypes: ["float32"], shapes: [[null, null]], sharedName: "padded" });
    const m = tf.placeholder("float32", null);
    return { m, enqueue: q.enqueue(m), batch: q.dequeueMany(3)[0]! };
  });
  await using sess = new tf.Session(cluster.target("worker", 0), { graph });
  for (const m of [[[1, 2], [3, 4], [5, 6]], [[7]], [[8, 9, 10, 11], [12, 13, 14, 15]]]) await sess.run(ops.enqueue, { feedDict: [[ops.m, m]] });
  const batch = await sess.run(ops.batch);
  console.log(`padded batch shape ${JSON.stringify(batch.shape)}: ${show(batch)}`);
}

/** 22 floats, capacity 50, minAfterDequeue 10: two dequeueMany(5) succeed, the third waits until close. */
async function shuffle(cluster: tf.sim.SimCluster): Promise<void> {
  const graph = new tf.Graph();
  const ops = graph.asDefault(() => {
    const q = new tf.RandomShuffleQueue({ capacity: 50, minAfterDequeue: 10, dtypes: ["float32"], shapes: [[]], sharedName: "shuffled" });
    return { fill: q.enqueueMany([Array.from({ length: 22 }, (_, i) => i)]), take: q.dequeueMany(5)[0]!, close: q.close(), size: q.size() };
  });
  await using load = new tf.Session(cluster.target("worker", 0), { graph });
  await using train = new tf.Session(cluster.target("worker", 1), { graph });
  await load.run(ops.fill);
  for (let i = 1; i <= 2; i++) console.log(`shuffled dequeueMany(5) #${i}: ${(await train.run(ops.take)).shape[0]} values`);
  const third = train.run(ops.take);
  await waitUntilWaiting(cluster.target("worker", 0), "shuffled", "dequeue");
  console.log(`shuffled dequeueMany(5) #3 waits (size ${(await load.run(ops.size)).item()}, minAfterDequeue 10)`);
  await load.run(ops.close);
  console.log(`after close, #3 got ${(await third).shape[0]} values; ${(await load.run(ops.size)).item()} left`);
}

await runExample("S5: queues between sessions", { ps: 1, worker: 2 }, async ({ cluster }) => {
  await pairs(cluster);
  await tuples(cluster);
  await padding(cluster);
  await shuffle(cluster);
});
