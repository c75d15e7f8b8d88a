/**
 * Scenario S7: many readers in parallel over a sharded data set of five CSV files (a temporary
 * directory). First one reader whose enqueue op runs in five loops of one QueueRunner, then five
 * readers (one read + decodeCsv + enqueue each) run by one QueueRunner. stringInputProducer feeds
 * the file names (its own runner, in QUEUE_RUNNERS); startQueueRunners starts every loop under a
 * Coordinator; the QueueRunner closes the instance queue once every loop hit the end of the input,
 * so the trainer (a client of another server) reads until OutOfRange; the Coordinator then stops
 * and joins all loops together.
 * Run: npx tsx examples/s7-parallel-readers.ts [--transport inproc|thread|grpc]
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "../src/index.js";
import { runExample } from "./run-example.js";

const SHARDS = 5;
const ROWS_PER_SHARD = 4;

/** Shard f holds rows (100f + r, r, f); x2 is missing in each shard's last row. */
function writeShards(dir: string): string[] {
  return Array.from({ length: SHARDS }, (_, f) => {
    const path = join(dir, `data-${f}.csv`);
    const rows = Array.from({ length: ROWS_PER_SHARD }, (_, r) => `${f * 100 + r}.,${r === ROWS_PER_SHARD - 1 ? "" : r},${f}`);
    writeFileSync(path, ["x1, x2, target", ...rows].join("\n") + "\n");
    return path;
  });
}

function instanceQueue(): tf.RandomShuffleQueue {
  return new tf.RandomShuffleQueue({ capacity: 10, minAfterDequeue: 2, dtypes: ["float32", "int32"], shapes: [[2], []], sharedName: "shared_instance_q" });
}

/** read + decodeCsv + enqueue: one instance per run. */
function readAndPush(reader: tf.TextLineReader, files: tf.FIFOQueue, instances: tf.RandomShuffleQueue): tf.Operation {
  const [, line] = reader.read(files);
  const [x1, x2, target] = tf.decodeCsv(line, [[-1.0], [-1.0], Int32Array.of(-1)]);
  return instances.enqueue([tf.stack([x1!, x2!]), target!]);
}

function loaderGraph(container: string, files: string[], readers: "one" | "five") {
  const graph = new tf.Graph();
  const init = graph.asDefault(() =>
    tf.container(container, () => {
      const instances = instanceQueue();
      tf.device("/job:worker/task:0", () => {
        const filenames = tf.train.stringInputProducer(files, { numEpochs: 1, shuffle: false });
        const enqueueOps =
          readers === "one"
            ? Array<tf.Operation>(5).fill(readAndPush(new tf.TextLineReader({ skipHeaderLines: 1 }), filenames, instances))
            : Array.from({ length: 5 }, () => readAndPush(new tf.TextLineReader({ skipHeaderLines: 1 }), filenames, instances));
        tf.train.addQueueRunner(new tf.train.QueueRunner(instances, enqueueOps));
      });
      // numEpochs counts in a local variable.
      return tf.localVariablesInitializer();
    }),
  );
  return { graph, init };
}

/** The trainer: mini-batches of up to 3 until the closed instance queue is empty. */
async function train(target: string, container: string): Promise<number[][]> {
  const graph = new tf.Graph();
  const minibatch = graph.asDefault(() => tf.container(container, () => instanceQueue().dequeueUpTo(3)));
  await using sess = new tf.Session(target, { graph });
  const rows: number[][] = [];
  for (;;) {
    try {
      const [x, y] = await sess.run(minibatch, { options: { timeoutInMs: 30_000 } });
      const targets = y!.toArray() as number[];
      (x!.toArray() as number[][]).forEach((pair, i) => rows.push([pair[0]!, pair[1]!, targets[i]!]));
    } catch (err) {
      if (err instanceof tf.errors.OutOfRangeError) return rows;
      throw err;
    }
  }
}

async function pipeline(cluster: tf.sim.SimCluster, files: string[], readers: "one" | "five"): Promise<void> {
  const container = `s7_${readers}`;
  const loader = loaderGraph(container, files, readers);
  await using sess = new tf.Session(cluster.target("worker", 0), { graph: loader.graph });
  await sess.run(loader.init);
  const coord = new tf.train.Coordinator();
  const threads = tf.train.startQueueRunners(sess, { coord });
  const rows = await train(cluster.target("worker", 1), container);
  coord.requestStop();
  await coord.join(threads, { stopGracePeriodMs: 10_000 });
  const label = readers === "one" ? "one reader, five loops" : "five readers";
  const perShard = Array.from({ length: SHARDS }, (_, f) => rows.filter((r) => r[2] === f).length);
  const distinct = new Set(rows.map((r) => r[0])).size;
  console.log(`${label}: ${threads.length} runner threads started, trainer got ${rows.length} rows (${distinct} distinct), per file ${JSON.stringify(perShard)}`);
  console.log(`${label}: missing x2 read as ${JSON.stringify([...new Set(rows.filter((r) => r[0]! % 100 === ROWS_PER_SHARD - 1).map((r) => r[1]))])}`);
  console.log(`${label}: coordinator stopped; loops still alive: ${threads.filter((t) => t.isAlive()).length}`);
}

await runExample("S7: many readers in parallel", { ps: 1, worker: 2 }, async ({ cluster }) => {
  const dir = mkdtempSync(join(tmpdir(), "tfcluster-s7-"));
  try {
    const files = writeShards(dir);
    await pipeline(cluster, files, "one");
    await pipeline(cluster, files, "five");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
