/**
 * `tfcluster demo` (= `npm start`): the main job — MNIST trained by several workers on a local
 * cluster, with progress bars, checkpoints, TensorBoard summaries and an optional ps crash.
 */
import { Command, InvalidArgumentError as CliArgError } from "commander";
import { readFileSync } from "node:fs";
import { runMnistJob } from "../demo/mnist-job.js";
import type { JobOptions } from "../demo/mnist-job.js";
import { makeProgress } from "../demo/progress.js";
import { ClusterSpec } from "../train/cluster-spec.js";
import type { TransportName } from "../transport/services.js";

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliArgError(`expected a positive integer, got '${value}'`);
  return n;
}

function rate(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new CliArgError(`expected a positive number, got '${value}'`);
  return n;
}

function transport(value: string): TransportName {
  if (value !== "inproc" && value !== "thread" && value !== "grpc") throw new CliArgError(`expected inproc, thread or grpc, got '${value}'`);
  return value;
}

/** The parsed flags: the job's options, with `--sync` optional and `--cluster` a file name. */
type DemoFlags = Omit<JobOptions, "sync" | "cluster"> & { sync?: boolean; cluster?: string };

export function addDemoCommand(program: Command): void {
  program
    .command("demo")
    .description("train an MLP on MNIST digits with ps and worker tasks on a local cluster (the main job)")
    .option("--transport <name>", "inproc | thread | grpc", transport, "thread")
    .option("--workers <n>", "worker tasks, one training client each", positive, 2)
    .option("--ps <n>", "parameter-server tasks", positive, 2)
    .option("--steps <n>", "global steps to train", positive, 600)
    .option("--batch-size <n>", "examples per mini-batch", positive, 100)
    .option("--learning-rate <x>", "gradient-descent learning rate", rate, 0.5)
    .option("--sync", "synchronous training through SyncReplicasOptimizer (default: asynchronous)")
    .option("--logdir <dir>", "summaries, checkpoints and the trace (default: a new temporary folder)")
    .option("--checkpoint-dir <dir>", "checkpoints; a re-run with the same folder resumes from it (default: the logdir)")
    .option("--cache-dir <dir>", "where the TFRecord shards of the digits are written once")
    .option("--kill-ps-at <step>", "kill ps task 0 at this global step and restart it: the job recovers from the last checkpoint", positive)
    .option("--cluster <file>", "train on running `tfcluster server` tasks (grpc) named in this cluster JSON instead of launching them")
    .option("--seed <n>", "seed of the cluster, the split and the model", positive, 1)
    .action(async (flags: DemoFlags) => {
      const options: JobOptions = {
        transport: flags.cluster ? "grpc" : flags.transport,
        workers: flags.workers,
        ps: flags.ps,
        steps: flags.steps,
        batchSize: flags.batchSize,
        learningRate: flags.learningRate,
        sync: flags.sync === true,
        seed: flags.seed,
        ...(flags.logdir ? { logdir: flags.logdir } : {}),
        ...(flags.checkpointDir ? { checkpointDir: flags.checkpointDir } : {}),
        ...(flags.cacheDir ? { cacheDir: flags.cacheDir } : {}),
        ...(flags.killPsAt ? { killPsAt: flags.killPsAt } : {}),
        ...(flags.cluster ? { cluster: clusterFrom(flags.cluster) } : {}),
      };
      if (options.cluster) {
        options.workers = options.cluster.numTasks("worker");
        options.ps = options.cluster.numTasks("ps");
      }
      const write = (line: string): void => void process.stdout.write(`${line}\n`);
      const result = await runMnistJob(options, makeProgress(write, process.stdout.isTTY === true));
      write(`test accuracy: ${result.accuracy.toFixed(4)} on 2000 held-out digits (global step ${result.globalStep})`);
      for (const r of result.recoveries) write(`recovered: ${r}`);
      write(`checkpoint: ${result.checkpoint ?? "(none)"}`);
      write(`TensorBoard: tensorboard --logdir ${result.logdir}`);
      write(`Chrome trace of one step: ${result.tracePath} (open in chrome://tracing or ui.perfetto.dev)`);
    });
}

function clusterFrom(path: string): ClusterSpec {
  const parsed = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  return new ClusterSpec((parsed.cluster ?? parsed) as ConstructorParameters<typeof ClusterSpec>[0]);
}
