/**
 * Cross-task cost on every transport, each figure beside a bare floor measured in the same run:
 *  1. latency of a cached `sess.run` whose result crosses tasks (Const on ps + Const on worker,
 *     added on worker; session on worker 0): thread vs a bare Atomics ping-pong between two
 *     threads, grpc vs a bare grpc-js unary ping, inproc vs the same graph on one task;
 *  2. a 16 MiB float32 Variable on ps consumed on worker inside the step (ps → worker), MB/s:
 *     thread vs a bare SharedArrayBuffer ring, grpc vs a bare grpc-js server stream, inproc vs memcpy.
 * Also the transport alone (no engine) on the same two figures, to tell transport from engine cost,
 * and one copy into shared memory aligned and misaligned, the bound of a ring whose payloads land
 * at arbitrary offsets.
 * The client never receives the 16 MiB: the step returns a scalar.
 */
import * as tf from "../src/index.js";
import { bareGrpcServerStream, bareGrpcUnaryPing, grpcTransportFigures } from "./grpc-baseline.js";
import type { BenchRow } from "./stats.js";
import { summarize } from "./stats.js";
import { bareAtomicsPingPong, bareRingCopy, threadTransportFigures } from "./thread-baseline.js";

export type BenchTransport = "inproc" | "thread" | "grpc";

const MiB = 1024 * 1024;
/** Every step is bounded: a stuck step fails the suite instead of hanging `npm run bench`. */
const STEP_TIMEOUT_MS = 30_000;

/** What a row is held to: `value / baseline` at most or at least `ratio`, or nothing (reference). */
export type Goal = { kind: "atMost" | "atLeast"; ratio: number; what: string } | { kind: "reference"; what: string };

export function row(name: string, value: number, unit: string, baselineName: string, baseline: number, goal: Goal): BenchRow {
  const ratio = value / baseline;
  let verdict = "";
  if (goal.kind === "atMost") verdict = ratio <= goal.ratio ? "met" : "MISSED";
  if (goal.kind === "atLeast") verdict = ratio >= goal.ratio ? "met" : "MISSED";
  const text = goal.kind === "reference" ? `reference: ${goal.what}` : `${goal.kind === "atMost" ? "≤" : "≥"} ${goal.ratio}x ${goal.what}: ${verdict}`;
  return { name, value, unit, baselineName, baseline, ratio, goal: text };
}

/** Launches a ps + worker cluster, runs `fn`, always stops it. */
export async function withCluster<T>(transport: BenchTransport, fn: (cluster: tf.sim.SimCluster) => Promise<T>): Promise<T> {
  const cluster = await tf.sim.launch({ ps: ["localhost:0"], worker: ["localhost:0"] }, { transport, seed: 1 });
  try {
    return await fn(cluster);
  } finally {
    await cluster.stop();
  }
}

/**
 * Consumes `x` on the current device and returns its element count, an int32 scalar. The
 * PlaceholderWithDefault hides the static shape, so Size is not folded into a Const at graph
 * build time: `x` must really arrive at this device, but no kernel reads its bytes, so the step
 * time is the transfer plus the step's fixed cost, without a reduction's compute.
 */
export function sink(x: tf.Tensor): tf.Tensor {
  return tf.size(tf.placeholderWithDefault(x, null));
}

/** A cached run of `fetches`, bounded by STEP_TIMEOUT_MS. */
export function step(sess: tf.Session, fetches: tf.Tensor | tf.Operation): Promise<unknown> {
  return sess.run(fetches, { options: { timeoutInMs: STEP_TIMEOUT_MS } });
}

/** Median µs of `iterations` sequential steps after `warmup` (the first runs build the partitions). */
export async function medianStepUs(sess: tf.Session, fetches: tf.Tensor | tf.Operation, iterations: number, warmup: number): Promise<number> {
  for (let i = 0; i < warmup; i++) await step(sess, fetches);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await step(sess, fetches);
    samples.push((performance.now() - t0) * 1000);
  }
  return summarize(samples).medianUs;
}

/** GB/s of copying `bytes` into a preallocated buffer on this thread (median of 9): the in-process floor. */
export function memcpyGbPerSec(bytes: number): number {
  const src = new Uint8Array(bytes).fill(7);
  const dst = new Uint8Array(bytes).fill(1);
  const samples: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    dst.set(src);
    if (i > 0) samples.push((performance.now() - t0) * 1000);
  }
  return bytes / 1e9 / (summarize(samples).medianUs / 1e6);
}

/**
 * GB/s of TypedArray.set of 1 MiB from ordinary memory into a SharedArrayBuffer at an offset that
 * differs from the source's by `skewBytes` mod 8. V8 copies to and from shared memory word by word
 * only when both sides are aligned alike, byte by byte otherwise: a ring that puts a tensor after
 * a variable-length header pays this on both ends.
 */
export function sabCopyGbPerSec(skewBytes: number): number {
  const bytes = 1 << 20;
  const src = new Uint8Array(bytes).fill(7);
  const dst = new Uint8Array(new SharedArrayBuffer(bytes + 64));
  const samples: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    dst.set(src, 8 + skewBytes);
    if (i > 0) samples.push((performance.now() - t0) * 1000);
  }
  return bytes / 1e9 / (summarize(samples).medianUs / 1e6);
}

interface CrossTaskFigures {
  /** Median µs of the cached two-task step. */
  crossUs: number;
  /** Median µs of the same graph with everything on worker 0 (no cross-task edge). */
  oneTaskUs: number;
  /** MB/s (1e6 B/s) of a step that moves 16 MiB ps → worker. */
  moveMbPerSec: number;
}

/** Iterations per transport, sized so that the whole `npm run bench` stays near three minutes on 2 cores. */
const LATENCY_ITERATIONS: Record<BenchTransport, number> = { inproc: 2000, thread: 2000, grpc: 500 };
const MOVE_REPEATS = 10;
const MOVE_BYTES = 16 * MiB;

async function crossTaskFigures(transport: BenchTransport): Promise<CrossTaskFigures> {
  return withCluster(transport, async (cluster) => {
    const g = new tf.Graph();
    const ops = g.asDefault(() => {
      const onPs = tf.device("/job:ps/task:0", () => tf.constant(1));
      const big = tf.device("/job:ps/task:0", () => new tf.Variable(tf.zeros([MOVE_BYTES / 4]), { name: "big" }));
      return tf.device("/job:worker/task:0", () => {
        const local = tf.constant(2);
        return { cross: tf.add(onPs, local), oneTask: tf.add(tf.constant(1), local), big, moved: sink(big.value()) };
      });
    });
    const sess = new tf.Session(cluster.target("worker", 0), { graph: g });
    try {
      await sess.run(ops.big.initializer, { options: { timeoutInMs: STEP_TIMEOUT_MS } });
      const n = LATENCY_ITERATIONS[transport];
      const crossUs = await medianStepUs(sess, ops.cross, n, 100);
      const oneTaskUs = await medianStepUs(sess, ops.oneTask, n, 100);
      const moveUs = await medianStepUs(sess, ops.moved, MOVE_REPEATS, 2);
      return { crossUs, oneTaskUs, moveMbPerSec: MOVE_BYTES / 1e6 / (moveUs / 1e6) };
    } finally {
      await sess.close();
    }
  });
}

export async function runTransports(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];

  const inproc = await crossTaskFigures("inproc");
  const memcpy = memcpyGbPerSec(MOVE_BYTES) * 1000;
  rows.push(
    row("inproc cached run, result crosses tasks (ps+worker Add)", inproc.crossUs, "us", "same graph on 1 task", inproc.oneTaskUs, { kind: "reference", what: "cost of one cross-task edge" }),
    row("inproc 16 MiB Variable ps -> worker in a step", inproc.moveMbPerSec, "MB/s", "memcpy 16 MiB, preallocated", memcpy, { kind: "reference", what: "in-process floor" }),
  );

  // Baselines just before the figures they are held against: the machine is shared and noisy.
  const atomics = await bareAtomicsPingPong("wait", 3000, 300);
  // The transport waits with Atomics.waitAsync (no event loop is ever blocked): its own floor.
  const atomicsAsync = await bareAtomicsPingPong("waitAsync", 3000, 300);
  const ring = await bareRingCopy(MOVE_BYTES);
  const threadAlone = await threadTransportFigures(1000);
  const thread = await crossTaskFigures("thread");
  rows.push(
    row("thread cached run, result crosses tasks", thread.crossUs, "us", "bare Atomics.wait ping-pong RTT", atomics.medianUs, { kind: "atMost", ratio: 2, what: "the bare ping" }),
    row("thread transport alone: ListDevices RTT main<->worker (no engine)", threadAlone.rttMedianUs, "us", "bare Atomics.waitAsync ping-pong RTT", atomicsAsync.medianUs, { kind: "reference", what: "transport share of the step" }),
    row("thread 16 MiB Variable ps -> worker in a step", thread.moveMbPerSec, "MB/s", "bare SAB ring 16 MiB", ring.gbPerSec * 1000, { kind: "atLeast", ratio: 0.5, what: "the bare ring" }),
    row("copy 1 MiB into a SharedArrayBuffer, dst-src offset = 5 mod 8", sabCopyGbPerSec(5), "GB/s", "same copy, equal alignment", sabCopyGbPerSec(0), { kind: "reference", what: "V8 copies SAB bytes one at a time unless aligned alike" }),
    row("thread transport alone: 16 MiB tensor one way (no engine)", threadAlone.tensorGbPerSec * 1000, "MB/s", "bare SAB ring 16 MiB", ring.gbPerSec * 1000, { kind: "reference", what: "transport share of the move" }),
  );

  const ping = await bareGrpcUnaryPing(1000, 100);
  const stream = await bareGrpcServerStream(MOVE_BYTES, MiB, 6);
  const grpcAlone = await grpcTransportFigures(1000, 6);
  const grpc = await crossTaskFigures("grpc");
  rows.push(
    row("grpc cached run, result crosses tasks", grpc.crossUs, "us", "bare grpc-js unary ping RTT", ping.medianUs, { kind: "atMost", ratio: 1.5, what: "the bare ping" }),
    row("grpc transport alone: ListDevices RTT (no engine)", grpcAlone.medianUs, "us", "bare grpc-js unary ping RTT", ping.medianUs, { kind: "reference", what: "transport share of the step" }),
    row("grpc 16 MiB Variable ps -> worker in a step", grpc.moveMbPerSec, "MB/s", "bare grpc-js stream 16 MiB in 1 MiB", stream.mbPerSec, { kind: "atLeast", ratio: 1, what: "the bare stream" }),
    row("grpc transport alone: 16 MiB RecvTensor (no engine)", grpcAlone.tensorMbPerSec, "MB/s", "bare grpc-js stream 16 MiB in 1 MiB", stream.mbPerSec, { kind: "reference", what: "transport share of the move" }),
  );
  return rows;
}
