/**
 * Scenario S6: loading data without passing it through the client. my_test.csv (written to a
 * temporary directory) is read by reader ops inside the graph, on the worker: a TextLineReader
 * skipping the header reads one line per run from a filename queue, decodeCsv fills the missing
 * x2 with -1.0, and the instance [x1, x2] with its target goes into the RandomShuffleQueue
 * `shared_instance_q`. The loader runs the enqueue until OutOfRange (no more files), then closes
 * the instance queue; a trainer (another client, another server) takes mini-batches of 2: the
 * first two instances, then the last one.
 * Run: npx tsx examples/s6-csv-pipeline.ts [--transport inproc|thread|grpc]
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "../src/index.js";
import { opErrorOf, runExample } from "./run-example.js";

/** The instance queue, as both clients declare it: they share it by name. */
function instanceQueue(): tf.RandomShuffleQueue {
  return new tf.RandomShuffleQueue({ capacity: 10, minAfterDequeue: 2, dtypes: ["float32", "int32"], shapes: [[2], []], sharedName: "shared_instance_q" });
}

function loaderGraph(csvPath: string) {
  const graph = new tf.Graph();
  const ops = graph.asDefault(() => {
    const instances = instanceQueue();
    return tf.device("/job:worker/task:0", () => {
      const filenames = new tf.FIFOQueue({ capacity: 10, dtypes: "string", shapes: [[]], name: "filename_queue" });
      const [, line] = new tf.TextLineReader({ skipHeaderLines: 1 }).read(filenames);
      // The defaults set the column types too: float, float, int32.
      const [x1, x2, target] = tf.decodeCsv(line, [[-1.0], [-1.0], Int32Array.of(-1)]);
      return {
        enqueueFilename: filenames.enqueue(csvPath),
        closeFilenames: filenames.close(),
        enqueueInstance: instances.enqueue([tf.stack([x1!, x2!]), target!]),
        closeInstances: instances.close(),
      };
    });
  });
  return { graph, ...ops };
}

async function load(target: string, csvPath: string): Promise<void> {
  const l = loaderGraph(csvPath);
  await using sess = new tf.Session(target, { graph: l.graph });
  await sess.run(l.enqueueFilename);
  await sess.run(l.closeFilenames);
  let loaded = 0;
  for (;;) {
    const err = await opErrorOf(() => sess.run(l.enqueueInstance));
    if (err === null) {
      loaded++;
      continue;
    }
    if (!(err instanceof tf.errors.OutOfRangeError)) throw err;
    console.log(`loader: ${loaded} instances enqueued, then ${err.name} (no more files)`);
    break;
  }
  await sess.run(l.closeInstances);
}

async function trainer(target: string): Promise<void> {
  const graph = new tf.Graph();
  const minibatch = graph.asDefault(() => instanceQueue().dequeueUpTo(2));
  await using sess = new tf.Session(target, { graph });
  for (let i = 1; ; i++) {
    let batch: tf.NDArray[];
    try {
      batch = await sess.run(minibatch);
    } catch (err) {
      if (!(err instanceof tf.errors.OutOfRangeError)) throw err;
      console.log(`trainer: ${err.name}, the instance queue is closed and empty`);
      return;
    }
    const [x, y] = batch;
    console.log(`trainer batch ${i}: X = ${JSON.stringify(x!.toArray())}, y = ${JSON.stringify(y!.toArray())}`);
  }
}

await runExample("S6: a CSV file read inside the graph into a shared queue", { ps: 1, worker: 2 }, async ({ cluster }) => {
  const dir = mkdtempSync(join(tmpdir(), "tfcluster-s6-"));
  try {
    const csvPath = join(dir, "my_test.csv");
    writeFileSync(csvPath, "x1, x2, target\n1.,2.,0\n4.,5,1\n7.,,0\n");
    await load(cluster.target("worker", 0), csvPath);
    await trainer(cluster.target("worker", 1));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
