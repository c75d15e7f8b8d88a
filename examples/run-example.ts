/**
 * What every scenario example shares: the `--transport inproc|thread|grpc` flag (default thread),
 * a cluster of its own started with tf.sim.launch and always stopped, and exit code 1 on failure.
 * @example
 * await runExample("S2: ops pinned anywhere", {ps: 1, worker: 2}, async (cluster) => { ... });
 */
import { Command, InvalidArgumentError, Option } from "commander";
import * as tf from "../src/index.js";

export type Transport = "inproc" | "thread" | "grpc";

/** Job name → number of tasks; each task gets a free port on this host. */
export type ClusterShape = Record<string, number>;

export interface ExampleContext {
  cluster: tf.sim.SimCluster;
  transport: Transport;
}

function transportName(value: string): Transport {
  if (value !== "inproc" && value !== "thread" && value !== "grpc") throw new InvalidArgumentError(`expected inproc, thread or grpc, got '${value}'`);
  return value;
}

function parseTransport(title: string): Transport {
  const program = new Command()
    .description(title)
    .addOption(new Option("--transport <name>", "inproc | thread | grpc").argParser(transportName).default("thread"))
    .parse(process.argv);
  return program.opts<{ transport: Transport }>().transport;
}

function addresses(shape: ClusterShape): Record<string, string[]> {
  return Object.fromEntries(Object.entries(shape).map(([job, n]) => [job, Array.from({ length: n }, () => "localhost:0")]));
}

/** Parses the flags, launches the cluster, runs `body`, stops the cluster whatever happened. */
export async function runExample(
  title: string,
  shape: ClusterShape,
  body: (ctx: ExampleContext) => Promise<void>,
  launchOptions: { virtualGpus?: number } = {},
): Promise<void> {
  const transport = parseTransport(title);
  try {
    const cluster = await tf.sim.launch(addresses(shape), { transport, seed: 7, ...launchOptions });
    try {
      console.log(`${title} (cluster ${cluster.spec.toString()} on ${transport})`);
      await body({ cluster, transport });
    } finally {
      await cluster.stop();
    }
  } catch (err) {
    console.error(err);
    process.exitCode = 1;
  }
}

/** Runs `fn` and returns the OpError it fails with (null if it succeeds), to print what TF raises. */
export async function opErrorOf(fn: () => Promise<unknown>): Promise<tf.errors.OpError | null> {
  try {
    await fn();
    return null;
  } catch (err) {
    if (err instanceof tf.errors.OpError) return err;
    throw err;
  }
}

/** A float printed the way the scenario text prints it: 1 → "1.0". */
export function fmt(x: unknown): string {
  const n = Number(x);
  return Number.isInteger(n) ? n.toFixed(1) : String(n);
}

/**
 * Resolves once an op of `kind` waits on the queue shared as `sharedName`, as `tf.clusterStatus`
 * reports it (polled, bounded): how an example shows that a full or empty queue makes an op wait.
 */
export async function waitUntilWaiting(target: string, sharedName: string, kind: "enqueue" | "dequeue", timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const queue = (await tf.clusterStatus(target)).find((r) => r.name === sharedName);
    const waiting = (queue?.details.waiting ?? []) as { kind: string }[];
    if (waiting.some((w) => w.kind === kind)) return;
    if (performance.now() > deadline) throw new Error(`no ${kind} waited on queue '${sharedName}' within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
