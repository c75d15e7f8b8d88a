/**
 * Scenario S6, preloading: a data set that fits in memory goes into a variable once, fed through
 * a placeholder into its initializer, instead of being fed on every step. The variable is not
 * trainable and kept out of the global-variables collection (`trainable: false, collections: []`),
 * so no optimizer moves it and no global initializer or Saver touches it. It lives on the ps task,
 * so a client of another server reads mini-batches from it without the data passing again.
 * Run: npx tsx examples/s6-preload.ts [--transport inproc|thread|grpc]
 */
import * as tf from "../src/index.js";
import { runExample } from "./run-example.js";

/** The data set: rows of (x1, x2), as read from the CSV of S6. */
const TRAINING_DATA = [
  [1, 2],
  [4, 5],
  [7, -1],
];

function buildGraph() {
  const graph = new tf.Graph();
  const ops = graph.asDefault(() => {
    const input = tf.placeholder("float32", [null, 2], { name: "input_data" });
    const data = tf.device("/job:ps/task:0", () => new tf.Variable(input, { name: "training_data", trainable: false, collections: [], validateShape: false }));
    const weight = new tf.Variable([[0.5], [0.25]], { name: "weight" });
    const rows = tf.placeholder("int32", [null], { name: "rows" });
    const batch = tf.gather(data, rows);
    return {
      input,
      data,
      rows,
      batch,
      prediction: tf.matMul(batch, weight),
      init: tf.globalVariablesInitializer(),
      globals: tf.globalVariables().map((v) => v.op.name),
      trainables: tf.trainableVariables().map((v) => v.op.name),
    };
  });
  return { graph, ...ops };
}

await runExample("S6: a data set preloaded into a non-trainable variable", { ps: 1, worker: 2 }, async ({ cluster }) => {
  const loader = buildGraph();
  console.log(`global variables: ${JSON.stringify(loader.globals)}, trainable: ${JSON.stringify(loader.trainables)}`);
  {
    await using sess = new tf.Session(cluster.target("worker", 0), { graph: loader.graph });
    await sess.run(loader.data.initializer, { feedDict: [[loader.input, TRAINING_DATA]] });
    await sess.run(loader.init);
    console.log(`fed once on worker 0: training_data has shape ${JSON.stringify((await sess.run(loader.data)).shape)}`);
  }

  // Another client, another server: no feed of the data, only of which rows to take.
  const trainer = buildGraph();
  await using sess = new tf.Session(cluster.target("worker", 1), { graph: trainer.graph });
  for (const rows of [[0, 1], [2]]) {
    const [batch, prediction] = await sess.run([trainer.batch, trainer.prediction], { feedDict: [[trainer.rows, Int32Array.from(rows)]] });
    console.log(`worker 1 batch rows ${JSON.stringify(rows)}: X = ${JSON.stringify(batch!.toArray())}, X·w = ${JSON.stringify(prediction!.toArray())}`);
  }
});
