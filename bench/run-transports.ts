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
import type { BenchRow, Spread } from "./stats.js";
import { repeat, row, sampled, spreadOf, summarize } from "./stats.js";
import { bareAtomicsPingPong, bareRingCopy, threadTransportFigures } from "./thread-baseline.js";

export type BenchTransport = "inproc" | "thread" | "grpc";

const MiB = 1024 * 1024;
/** Every step is bounded: a stuck step fails the suite instead of hanging `npm run bench`. */
const STEP_TIMEOUT_MS = 30_000;

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

export interface CrossTaskFigures {
  /** µs of the cached two-task step: SAMPLES samples, each the median of a batch of steps. */
  crossUs: Spread;
  /** µs of the same graph with everything on worker 0 (no cross-task edge). */
  oneTaskUs: Spread;
  /** MB/s (1e6 B/s) of a step that moves 16 MiB ps → worker. */
  moveMbPerSec: Spread;
}

/** Steps per latency sample per transport, sized so that the whole `npm run bench` stays within minutes on 2 cores. */
const STEPS_PER_SAMPLE: Record<BenchTransport, number> = { inproc: 400, thread: 400, grpc: 100 };
const MOVES_PER_SAMPLE = 3;
export const MOVE_BYTES = 16 * MiB;

export async function crossTaskFigures(transport: BenchTransport): Promise<CrossTaskFigures> {
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
      const n = STEPS_PER_SAMPLE[transport];
      const crossUs = await sampled(() => medianStepUs(sess, ops.cross, n, 50));
      const oneTaskUs = await sampled(() => medianStepUs(sess, ops.oneTask, n, 50));
      const moveMbPerSec = await sampled(async () => MOVE_BYTES / 1e6 / ((await medianStepUs(sess, ops.moved, MOVES_PER_SAMPLE, 1)) / 1e6));
      return { crossUs, oneTaskUs, moveMbPerSec };
    } finally {
      await sess.close();
    }
  });
}

export async function runInprocTransport(): Promise<BenchRow[]> {
  const inproc = await crossTaskFigures("inproc");
  const memcpy = await sampled(() => memcpyGbPerSec(MOVE_BYTES) * 1000);
  return [
    row({ id: "ref", name: "inproc cached run, result crosses tasks (ps+worker Add)", unit: "us", value: inproc.crossUs, baselineName: "same graph on 1 task", baseline: inproc.oneTaskUs, goal: { kind: "reference", what: "cost of one cross-task edge" } }),
    row({ id: "ref", name: "inproc 16 MiB Variable ps -> worker in a step", unit: "MB/s", value: inproc.moveMbPerSec, baselineName: "memcpy 16 MiB, preallocated", baseline: memcpy, goal: { kind: "reference", what: "in-process floor" } }),
  ];
}

/** P2 and P4: the thread transport's cached cross-task step and 16 MiB move, beside bare Atomics and a bare SAB ring. */
export async function runThreadTransport(): Promise<BenchRow[]> {
  // Baselines just before the figures they are held against: the machine is shared and noisy.
  const atomics = await sampled(async () => (await bareAtomicsPingPong("wait", 600, 100)).medianUs);
  // The transport waits with Atomics.waitAsync (no event loop is ever blocked): its own floor.
  const atomicsAsync = await sampled(async () => (await bareAtomicsPingPong("waitAsync", 600, 100)).medianUs);
  const ring = await sampled(async () => (await bareRingCopy(MOVE_BYTES)).gbPerSec * 1000);
  const alone = await repeat(() => threadTransportFigures(300));
  const thread = await crossTaskFigures("thread");
  const aloneRtt = spreadOf(alone.map((f) => f.rttMedianUs));
  const aloneTensor = spreadOf(alone.map((f) => f.tensorGbPerSec * 1000));
  return [
    row({ id: "P2", name: "thread cached cross-task step", unit: "us", value: thread.crossUs, baselineName: "bare Atomics.wait ping-pong RTT", baseline: atomics, goal: { kind: "ratio", op: "<=", target: 2.5, what: "the bare ping" } }),
    row({ id: "ref", name: "thread transport alone: ListDevices RTT main<->worker (no engine)", unit: "us", value: aloneRtt, baselineName: "bare Atomics.waitAsync ping-pong RTT", baseline: atomicsAsync, goal: { kind: "reference", what: "transport share of the step" } }),
    row({ id: "P4", name: "thread 16 MiB Variable ps -> worker in a step", unit: "MB/s", value: thread.moveMbPerSec, baselineName: "bare SAB ring 16 MiB", baseline: ring, goal: { kind: "ratio", op: ">=", target: 0.5, what: "the bare ring" } }),
    row({ id: "ref", name: "thread transport alone: 16 MiB tensor one way (no engine)", unit: "MB/s", value: aloneTensor, baselineName: "bare SAB ring 16 MiB", baseline: ring, goal: { kind: "reference", what: "transport share of the move" } }),
    row({ id: "ref", name: "copy 1 MiB into a SharedArrayBuffer, dst-src offset = 5 mod 8", unit: "GB/s", value: await sampled(() => sabCopyGbPerSec(5)), baselineName: "same copy, equal alignment", baseline: await sampled(() => sabCopyGbPerSec(0)), goal: { kind: "reference", what: "V8 copies SAB bytes one at a time unless aligned alike" } }),
  ];
}

/** P3 and P5: the grpc transport's cached cross-task step and 16 MiB move, beside bare grpc-js. */
export async function runGrpcTransport(): Promise<BenchRow[]> {
  const ping = await sampled(async () => (await bareGrpcUnaryPing(300, 50)).medianUs);
  const stream = await sampled(async () => (await bareGrpcServerStream(MOVE_BYTES, MiB, 3)).mbPerSec);
  const alone = await repeat(() => grpcTransportFigures(300, 3));
  const grpc = await crossTaskFigures("grpc");
  return [
    row({ id: "P3", name: "grpc cached cross-task step", unit: "us", value: grpc.crossUs, baselineName: "bare grpc-js unary ping RTT", baseline: ping, goal: { kind: "ratio", op: "<=", target: 3, what: "the bare ping" } }),
    row({ id: "ref", name: "grpc transport alone: ListDevices RTT (no engine)", unit: "us", value: spreadOf(alone.map((f) => f.medianUs)), baselineName: "bare grpc-js unary ping RTT", baseline: ping, goal: { kind: "reference", what: "transport share of the step" } }),
    row({ id: "P5", name: "grpc 16 MiB Variable ps -> worker in a step", unit: "MB/s", value: grpc.moveMbPerSec, baselineName: "bare grpc-js stream 16 MiB in 1 MiB", baseline: stream, goal: { kind: "ratio", op: ">=", target: 0.9, what: "the bare stream" } }),
    row({ id: "ref", name: "grpc transport alone: 16 MiB RecvTensor (no engine)", unit: "MB/s", value: spreadOf(alone.map((f) => f.tensorMbPerSec)), baselineName: "bare grpc-js stream 16 MiB in 1 MiB", baseline: stream, goal: { kind: "reference", what: "transport share of the move" } }),
  ];
}
