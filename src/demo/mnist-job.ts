/**
 * The main job (`npm start`, `tfcluster demo`): MNIST digits read from sharded TFRecord files by
 * the graph's own pipeline, an MLP whose parameters live on the ps tasks, several worker clients
 * training it concurrently through MonitoredTrainingSession (the chief initializes or restores,
 * the others wait), checkpoints and summaries in a log directory TensorBoard reads, and — with
 * `killPsAt` — a ps crash in the middle that the job survives by restoring the last checkpoint.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "../index.js";
import type { TransportName } from "../transport/services.js";
import { prepareMnist, readDigits } from "./mnist-data.js";
import type { Digits } from "./mnist-data.js";
import { buildWorkerModel } from "./mnist-model.js";
import type { WorkerModel } from "./mnist-model.js";
import type { Progress } from "./progress.js";

export interface JobOptions {
  transport: TransportName;
  workers: number;
  ps: number;
  steps: number;
  batchSize: number;
  learningRate: number;
  sync: boolean;
  logdir?: string;
  checkpointDir?: string;
  cacheDir?: string;
  /** Kills ps task 0 when the chief's global step reaches this, then restarts it. */
  killPsAt?: number;
  /** Targets of running servers (`--worker-targets`): train on a real cluster instead of launching one. */
  cluster?: tf.train.ClusterSpec;
  seed: number;
}

export interface JobResult {
  accuracy: number;
  globalStep: number;
  checkpoint: string | null;
  logdir: string;
  tracePath: string;
  recoveries: string[];
}

const STEP_TIMEOUT_MS = 120_000;

async function trainWorker(
  model: WorkerModel,
  index: number,
  target: string,
  options: JobOptions,
  checkpointDir: string,
  progress: Progress,
  onStep: (step: number) => Promise<void>,
): Promise<void> {
  const isChief = index === 0;
  const bar = progress.worker(index, options.steps, options.batchSize);
  const sess = await tf.train.MonitoredTrainingSession({
    master: target,
    isChief,
    checkpointDir: isChief ? checkpointDir : undefined,
    hooks: [new tf.train.StopAtStepHook({ lastStep: options.steps }), ...model.syncHook(isChief)],
    saveCheckpointSteps: Math.max(10, Math.round(options.steps / 10)),
    saveSummariesSteps: Math.max(10, Math.round(options.steps / 20)),
    logStepCountSteps: 0,
    // The demo's cluster is local: poll for the chief's model, and retry a recovery, every half second (TF: 30 s).
    recoveryWaitSecs: 0.5,
    config: { operationTimeoutInMs: STEP_TIMEOUT_MS },
    graph: model.graph,
  });
  try {
    while (!sess.shouldStop()) {
      const [, loss, step] = (await sess.run([model.trainOp, model.loss, model.globalStep])) as [null, tf.NDArray, tf.NDArray];
      const s = Number(step.item());
      bar.update(s, loss.item() as number);
      if (isChief) await onStep(s);
    }
  } finally {
    await sess.close();
  }
}

/** Test accuracy of the trained weights (live on the ps tasks), fed the held-out digits. */
async function evaluate(model: WorkerModel, target: string, test: Digits, tracePath: string): Promise<{ accuracy: number; step: number }> {
  const sess = new tf.Session(target, { graph: model.graph });
  try {
    const feedDict: [tf.Tensor, tf.NDArray][] = [
      [model.testImages, tf.ndarray(test.images, { shape: [test.count, 784] })],
      [model.testLabels, tf.ndarray(test.labels, { shape: [test.count] })],
    ];
    const runMetadata: tf.RunMetadata = {};
    const [accuracy, step] = (await sess.run([model.accuracy, model.globalStep], { feedDict, options: { traceLevel: "full", timeoutInMs: STEP_TIMEOUT_MS }, runMetadata })) as tf.NDArray[];
    writeFileSync(tracePath, tf.timeline(runMetadata));
    return { accuracy: accuracy!.item() as number, step: Number(step!.item()) };
  } finally {
    await sess.close();
  }
}

function clusterShape(options: JobOptions): Record<string, string[]> {
  const local = (n: number): string[] => Array.from({ length: n }, () => "localhost:0");
  return { ps: local(options.ps), worker: local(options.workers) };
}

export async function runMnistJob(options: JobOptions, progress: Progress): Promise<JobResult> {
  const logdir = options.logdir ?? mkdtempSync(join(tmpdir(), "tfcluster-mnist-logs-"));
  // As TF's MonitoredTrainingSession: summaries go to the checkpoint folder unless told otherwise.
  const checkpointDir = options.checkpointDir ?? logdir;
  mkdirSync(checkpointDir, { recursive: true });
  const files = await prepareMnist(options.cacheDir);
  const launched = options.cluster ? null : await tf.sim.launch(clusterShape(options), { transport: options.transport, seed: options.seed });
  const spec = options.cluster ?? launched!.spec;
  const target = (i: number): string => (launched ? launched.target("worker", i) : `grpc://${spec.taskAddress("worker", i)}`);
  const recoveries: string[] = [];
  try {
    progress.note(`cluster on ${options.transport}: ${spec.numTasks("ps")} ps, ${spec.numTasks("worker")} workers; data ${files.dir}`);
    const models = Array.from({ length: options.workers }, (_, i) =>
      buildWorkerModel({ cluster: spec, workerIndex: i, workers: options.workers, trainShards: files.trainShards, batchSize: options.batchSize, learningRate: options.learningRate, sync: options.sync, seed: options.seed }),
    );
    const resumeFrom = await tf.train.latestCheckpoint(checkpointDir);
    if (resumeFrom) progress.note(`resuming: the chief restores ${resumeFrom}`);
    let killed = false;
    const onStep = async (step: number): Promise<void> => {
      if (options.killPsAt === undefined || killed || step < options.killPsAt || !launched) return;
      killed = true;
      await launched.kill("ps", 0);
      progress.note(`ps task 0 killed at global step ${step}: its variables are gone`);
      await launched.restart("ps", 0);
      const note = `ps task 0 restarted at step ${step}; the workers recover from the chief's last checkpoint in ${checkpointDir}`;
      recoveries.push(note);
      progress.note(note);
    };
    await Promise.all(models.map((m, i) => trainWorker(m, i, target(i), options, checkpointDir, progress, onStep)));
    progress.stop();
    const test = await readDigits(files.testFile);
    const tracePath = join(logdir, "trace-eval-step.json");
    const { accuracy, step } = await evaluate(models[0]!, target(0), test, tracePath);
    return { accuracy, globalStep: step, checkpoint: await tf.train.latestCheckpoint(checkpointDir), logdir, tracePath, recoveries };
  } finally {
    progress.stop();
    await launched?.stop();
  }
}
