/**
 * P9, training throughput of the main job's model (src/demo): examples/s of the MLP trained from
 * its TFRecord pipeline by one in-process session with no cluster, beside 2 workers + 2 ps on
 * `thread` and on `grpc` (asynchronous, one client per worker, as `npm start` trains), and the
 * pipeline's records/s alone (dequeues of mini-batches, no training).
 */
import * as tf from "../src/index.js";
import { prepareMnist } from "../src/demo/mnist-data.js";
import { buildWorkerModel } from "../src/demo/mnist-model.js";
import type { WorkerModel } from "../src/demo/mnist-model.js";
import type { BenchTransport } from "./run-transports.js";
import type { BenchRow, Spread } from "./stats.js";
import { row, spreadOf } from "./stats.js";

const BATCH = 100;
const WARMUP_STEPS = 20;
const STEPS_PER_SAMPLE = 40;
const SAMPLES = 5;
const STEP_TIMEOUT_MS = 120_000;

interface Trainer {
  models: WorkerModel[];
  sessions: tf.Session[];
  coords: tf.train.Coordinator[];
}

async function startTrainers(models: WorkerModel[], targets: (string | undefined)[]): Promise<Trainer> {
  const sessions = models.map((m, i) => new tf.Session(targets[i], { graph: m.graph, config: { operationTimeoutInMs: STEP_TIMEOUT_MS } }));
  // The first worker initializes the shared variables; every worker its own pipeline's state.
  await sessions[0]!.run(models[0]!.graph.asDefault(() => tf.globalVariablesInitializer()));
  await Promise.all(sessions.map((s, i) => s.run(models[i]!.graph.asDefault(() => tf.localVariablesInitializer()))));
  const coords = sessions.map((s, i) => {
    const coord = new tf.train.Coordinator();
    models[i]!.graph.asDefault(() => tf.train.startQueueRunners(s, { coord }));
    return coord;
  });
  return { models, sessions, coords };
}

async function stopTrainers(t: Trainer): Promise<void> {
  for (const c of t.coords) c.requestStop();
  await Promise.all(t.sessions.map((s) => s.close()));
}

/** Examples/s of every worker stepping `steps` times concurrently, SAMPLES samples after a warm-up. */
async function examplesPerSec(t: Trainer, fetch: (m: WorkerModel) => tf.Tensor | tf.Operation): Promise<Spread> {
  const round = async (steps: number): Promise<number> => {
    const t0 = performance.now();
    await Promise.all(t.models.map(async (m, i) => {
      for (let s = 0; s < steps; s++) await t.sessions[i]!.run(fetch(m));
    }));
    return (steps * BATCH * t.models.length) / ((performance.now() - t0) / 1000);
  };
  await round(WARMUP_STEPS);
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) samples.push(await round(STEPS_PER_SAMPLE));
  return spreadOf(samples);
}

async function local(shards: string[], fetch: (m: WorkerModel) => tf.Tensor | tf.Operation): Promise<Spread> {
  const model = buildWorkerModel({ cluster: null, workerIndex: 0, workers: 1, trainShards: shards, batchSize: BATCH, learningRate: 0.5, sync: false, seed: 1 });
  const t = await startTrainers([model], [undefined]);
  try {
    return await examplesPerSec(t, fetch);
  } finally {
    await stopTrainers(t);
  }
}

async function distributed(transport: BenchTransport, shards: string[]): Promise<Spread> {
  const cluster = await tf.sim.launch({ ps: ["localhost:0", "localhost:0"], worker: ["localhost:0", "localhost:0"] }, { transport, seed: 1 });
  try {
    const models = [0, 1].map((i) => buildWorkerModel({ cluster: cluster.spec, workerIndex: i, workers: 2, trainShards: shards, batchSize: BATCH, learningRate: 0.5, sync: false, seed: 1 }));
    const t = await startTrainers(models, [cluster.target("worker", 0), cluster.target("worker", 1)]);
    try {
      return await examplesPerSec(t, (m) => m.trainOp);
    } finally {
      await stopTrainers(t);
    }
  } finally {
    await cluster.stop();
  }
}

export async function runTraining(): Promise<BenchRow[]> {
  const files = await prepareMnist();
  const localTrain = await local(files.trainShards, (m) => m.trainOp);
  // The pipeline alone: a mini-batch dequeued (the loss needs it) without the update.
  const pipeline = await local(files.trainShards, (m) => m.loss);
  const thread = await distributed("thread", files.trainShards);
  const grpc = await distributed("grpc", files.trainShards);
  const name = (t: string): string => `MNIST MLP training, 2 workers + 2 ps on ${t}, async`;
  const localName = "one in-process session, no cluster";
  return [
    row({ id: "P9", name: name("thread"), unit: "examples/s", value: thread, baselineName: localName, baseline: localTrain, goal: { kind: "ratio", op: ">=", target: 1.3, what: "the local session" } }),
    row({ id: "ref", name: name("grpc"), unit: "examples/s", value: grpc, baselineName: localName, baseline: localTrain, goal: { kind: "reference", what: "the same job over real processes" } }),
    row({ id: "ref", name: "MNIST pipeline alone (TFRecord -> parseSingleExample -> shuffleBatchJoin), one session", unit: "records/s", value: pipeline, baselineName: "with training", baseline: localTrain, goal: { kind: "reference", what: "how much of a step the input costs" } }),
  ];
}
