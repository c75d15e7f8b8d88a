/**
 * The main job's graph, built once per worker client (between-graph replication, as TF 1.x's
 * distributed MNIST): the input pipeline on the worker's own task, an MLP 784-128-10 whose
 * variables `replicaDeviceSetter` spreads over the ps tasks, and the training op — asynchronous,
 * or synchronous through SyncReplicasOptimizer.
 */
import * as tf from "../index.js";
import { CLASSES, PIXELS } from "./mnist-data.js";

const HIDDEN = 128;
const READERS = 3;

export interface ModelOptions {
  /** The cluster whose ps tasks hold the variables; null builds the model for one in-process session. */
  cluster: tf.train.ClusterSpec | null;
  workerIndex: number;
  workers: number;
  trainShards: string[];
  batchSize: number;
  learningRate: number;
  sync: boolean;
  seed: number;
}

export interface WorkerModel {
  graph: tf.Graph;
  globalStep: tf.Variable;
  trainOp: tf.Operation;
  loss: tf.Tensor;
  /** Fed with held-out images and labels: the fraction classified right. */
  accuracy: tf.Tensor;
  testImages: tf.Tensor;
  testLabels: tf.Tensor;
  /** The chief's and every worker's hooks that synchronous training needs (empty when async). */
  syncHook: (isChief: boolean) => tf.train.SessionRunHook[];
}

/** stringInputProducer over the shards → READERS TFRecordReaders → parseSingleExample → shuffleBatchJoin. */
function inputPipeline(options: ModelOptions): { images: tf.Tensor; labels: tf.Tensor } {
  const files = tf.train.stringInputProducer(options.trainShards, { seed: options.seed + options.workerIndex });
  const examples = Array.from({ length: READERS }, () => {
    const [, serialized] = new tf.TFRecordReader().read(files);
    const features = tf.parseSingleExample(serialized, {
      image: new tf.io.FixedLenFeature([PIXELS], "float32"),
      label: new tf.io.FixedLenFeature([], "int64"),
    });
    return [features.image as tf.Tensor, tf.cast(features.label as tf.Tensor, "int32")];
  });
  const [images, labels] = tf.train.shuffleBatchJoin(examples, options.batchSize, {
    capacity: 20 * options.batchSize,
    minAfterDequeue: 5 * options.batchSize,
    seed: options.seed + options.workerIndex,
  }) as tf.Tensor[];
  return { images: images!, labels: labels! };
}

function mlp(images: tf.Tensor, seed: number): tf.Tensor {
  const layer = (x: tf.Tensor, name: string, inputs: number, outputs: number, activate: boolean): tf.Tensor =>
    tf.variableScope(name, () => {
      const w = tf.getVariable("weights", { shape: [inputs, outputs], initializer: tf.glorotUniformInitializer(seed) });
      const b = tf.getVariable("biases", { shape: [outputs], initializer: tf.zerosInitializer() });
      const z = tf.add(tf.matMul(x, w), b);
      return activate ? tf.relu(z) : z;
    });
  return layer(layer(images, "hidden", PIXELS, HIDDEN, true), "softmax_linear", HIDDEN, CLASSES, false);
}

export function buildWorkerModel(options: ModelOptions): WorkerModel {
  const graph = new tf.Graph();
  const workerDevice = `/job:worker/task:${options.workerIndex}`;
  const placement = options.cluster ? tf.train.replicaDeviceSetter({ cluster: options.cluster, workerDevice }) : null;
  const built = graph.asDefault(() =>
    tf.device(placement, () => {
      const globalStep = tf.train.getOrCreateGlobalStep();
      const { images, labels } = inputPipeline(options);
      const logits = tf.variableScope("model", () => mlp(images, options.seed));
      const loss = tf.reduceMean(tf.nn.sparseSoftmaxCrossEntropyWithLogits({ labels, logits }), undefined, false);
      tf.summary.scalar("loss", loss);
      const base = new tf.train.GradientDescentOptimizer(options.learningRate);
      let sro: tf.train.SyncReplicasOptimizer | null = null;
      let trainOp: tf.Operation;
      if (options.sync) {
        sro = new tf.train.SyncReplicasOptimizer(base, { replicasToAggregate: options.workers, totalNumReplicas: options.workers });
        trainOp = sro.minimize(loss, { globalStep });
      } else {
        trainOp = base.minimize(loss, { globalStep });
      }
      // Evaluation on fed held-out digits, with the same weights (reused by name).
      const testImages = tf.placeholder("float32", [null, PIXELS], { name: "test_images" });
      const testLabels = tf.placeholder("int32", [null], { name: "test_labels" });
      const testLogits = tf.variableScope("model", () => mlp(testImages, options.seed), { reuse: true });
      const right = tf.equal(tf.cast(tf.argMax(testLogits, 1), "int32"), testLabels);
      const accuracy = tf.reduceMean(tf.cast(right, "float32"));
      const syncHook = (isChief: boolean): tf.train.SessionRunHook[] => (sro ? [sro.makeSessionRunHook(isChief)] : []);
      return { globalStep, trainOp, loss, accuracy, testImages, testLabels, syncHook };
    }),
  );
  return { graph, ...built };
}
