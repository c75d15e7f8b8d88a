/**
 * Queue throughput across tasks, each figure beside a floor measured in the same run. A FIFOQueue
 * of [784] float32 rows lives on /job:ps/task:0; the session is on /job:worker/task:0.
 *  - enqueueMany of a 1024x784 batch read from a Variable on the worker (worker → ps), and
 *    dequeueMany(1024) consumed on the worker (ps → worker), GB/s, beside the transport's bare
 *    tensor move (thread: SAB ring; grpc: grpc-js stream; inproc: memcpy);
 *  - one [784] element enqueued and dequeued per step, steps/s, beside a plain cross-task step
 *    on the same cluster (so the ratio is what the queue ops cost on top of the step).
 * The client never receives a batch: dequeue steps return a scalar.
 */
import * as tf from "../src/index.js";
import { bareGrpcServerStream } from "./grpc-baseline.js";
import { medianStepUs, memcpyGbPerSec, row, sink, step, withCluster } from "./run-transports.js";
import type { BenchTransport } from "./run-transports.js";
import type { BenchRow } from "./stats.js";
import { summarize } from "./stats.js";
import { bareRingCopy } from "./thread-baseline.js";

const ROW = 784;
const BATCH = 1024;
const BATCH_BYTES = BATCH * ROW * 4;
/** Batches enqueued before they are dequeued again, per round; the queue holds them all. */
const BATCHES_PER_ROUND = 4;
const CAPACITY = 2 * BATCHES_PER_ROUND * BATCH;
const STEP_TIMEOUT_MS = 30_000;

const ROUNDS: Record<BenchTransport, number> = { inproc: 8, thread: 8, grpc: 5 };
const SINGLE_STEPS: Record<BenchTransport, number> = { inproc: 500, thread: 300, grpc: 100 };

interface QueueFigures {
  enqueueGbPerSec: number;
  dequeueGbPerSec: number;
  singleStepsPerSec: number;
  /** A plain cross-task step (Const on ps added on worker) on the same cluster. */
  plainStepsPerSec: number;
}

function buildGraph(): { g: tf.Graph; init: tf.Operation[]; enqueue: tf.Operation; dequeued: tf.Tensor; single: tf.Tensor; plain: tf.Tensor } {
  const g = new tf.Graph();
  const ops = g.asDefault(() => {
    const [q, q1, onPs] = tf.device("/job:ps/task:0", () => [
      new tf.FIFOQueue({ capacity: CAPACITY, dtypes: ["float32"], shapes: [[ROW]], sharedName: "bench_batches" }),
      new tf.FIFOQueue({ capacity: 16, dtypes: ["float32"], shapes: [[ROW]], sharedName: "bench_single" }),
      tf.constant(1),
    ] as const);
    return tf.device("/job:worker/task:0", () => {
      const batch = new tf.Variable(tf.zeros([BATCH, ROW]), { name: "batch" });
      const element = new tf.Variable(tf.zeros([ROW]), { name: "element" });
      // Queue ops are colocated with their queue: they run on ps whatever the device scope says.
      const enqueue = q.enqueueMany([batch.value()]);
      const dequeued = sink(q.dequeueMany(BATCH)[0]!);
      const enqueueOne = q1.enqueue([element.value()]);
      const [one] = tf.controlDependencies([enqueueOne], () => q1.dequeue());
      return { init: [batch.initializer, element.initializer], enqueue, dequeued, single: sink(one!), plain: tf.add(onPs, tf.constant(2)) };
    });
  });
  return { g, ...ops };
}

async function queueFigures(transport: BenchTransport): Promise<QueueFigures> {
  return withCluster(transport, async (cluster) => {
    const { g, init, enqueue, dequeued, single, plain } = buildGraph();
    const sess = new tf.Session(cluster.target("worker", 0), { graph: g });
    try {
      await sess.run(init, { options: { timeoutInMs: STEP_TIMEOUT_MS } });
      const enqueueMs: number[] = [];
      const dequeueMs: number[] = [];
      // Round 0 warms up (builds both partitions); the queue is empty again after every round.
      for (let round = 0; round <= ROUNDS[transport]; round++) {
        for (let i = 0; i < BATCHES_PER_ROUND; i++) {
          const t0 = performance.now();
          await step(sess, enqueue);
          if (round > 0) enqueueMs.push(performance.now() - t0);
        }
        for (let i = 0; i < BATCHES_PER_ROUND; i++) {
          const t0 = performance.now();
          await step(sess, dequeued);
          if (round > 0) dequeueMs.push(performance.now() - t0);
        }
      }
      const gbPerSec = (ms: number[]): number => BATCH_BYTES / 1e9 / (summarize(ms).medianUs / 1000);
      const n = SINGLE_STEPS[transport];
      const singleUs = await medianStepUs(sess, single, n, 20);
      const plainUs = await medianStepUs(sess, plain, n, 20);
      return { enqueueGbPerSec: gbPerSec(enqueueMs), dequeueGbPerSec: gbPerSec(dequeueMs), singleStepsPerSec: 1e6 / singleUs, plainStepsPerSec: 1e6 / plainUs };
    } finally {
      await sess.close();
    }
  });
}

/** The transport's bare tensor move in GB/s, measured now. */
async function bareMove(transport: BenchTransport): Promise<{ name: string; gbPerSec: number }> {
  if (transport === "thread") return { name: "bare SAB ring 16 MiB", gbPerSec: (await bareRingCopy(16 << 20)).gbPerSec };
  if (transport === "grpc") return { name: "bare grpc-js stream 16 MiB in 1 MiB", gbPerSec: (await bareGrpcServerStream(16 << 20, 1 << 20, 6)).mbPerSec / 1000 };
  return { name: "memcpy 3 MiB, preallocated", gbPerSec: memcpyGbPerSec(BATCH_BYTES) };
}

export async function runQueues(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const transport of ["inproc", "thread", "grpc"] as const) {
    const bare = await bareMove(transport);
    const f = await queueFigures(transport);
    const move = transport === "inproc" ? { kind: "reference" as const, what: "kernel cost, no transport" } : { kind: "reference" as const, what: "transport's bare move" };
    rows.push(
      row(`${transport} queue enqueueMany 1024x784 f32, worker -> ps`, f.enqueueGbPerSec, "GB/s", bare.name, bare.gbPerSec, move),
      row(`${transport} queue dequeueMany(1024), ps -> worker`, f.dequeueGbPerSec, "GB/s", bare.name, bare.gbPerSec, move),
      row(`${transport} queue 1-element enqueue+dequeue step`, f.singleStepsPerSec, "steps/s", "plain cross-task step, same cluster", f.plainStepsPerSec, { kind: "reference", what: "1x = queue ops free" }),
    );
  }
  return rows;
}
