/**
 * P6, queue throughput across tasks, each figure beside a floor measured in the same run on the
 * same cluster. A FIFOQueue of [784] float32 rows lives on /job:ps/task:0; the session is on
 * /job:worker/task:0.
 *  - enqueueMany of a 1024x784 batch read from a Variable on the worker (worker → ps), and
 *    dequeueMany(1024) consumed on the worker (ps → worker), GB/s, beside the same transport's
 *    16 MiB Variable move ps → worker inside a step (goal: queues add no per-row copies);
 *  - one [784] element enqueued and dequeued per step, steps/s, beside a plain cross-task step
 *    on the same cluster (so the ratio is what the queue ops cost on top of the step).
 * The client never receives a batch: dequeue steps return a scalar.
 */
import * as tf from "../src/index.js";
import { medianStepUs, MOVE_BYTES, sink, step, withCluster } from "./run-transports.js";
import type { BenchTransport } from "./run-transports.js";
import type { BenchRow, Spread } from "./stats.js";
import { row, sampled, spreadOf, summarize } from "./stats.js";

const ROW = 784;
const BATCH = 1024;
const BATCH_BYTES = BATCH * ROW * 4;
/** Batches enqueued before they are dequeued again, per round; the queue holds them all. */
const BATCHES_PER_ROUND = 4;
const CAPACITY = 2 * BATCHES_PER_ROUND * BATCH;
const STEP_TIMEOUT_MS = 30_000;

const ROUNDS: Record<BenchTransport, number> = { inproc: 5, thread: 5, grpc: 5 };
const SINGLE_STEPS: Record<BenchTransport, number> = { inproc: 200, thread: 150, grpc: 50 };

interface QueueFigures {
  /** One sample per round: GB/s of the round's enqueueMany steps, then of its dequeueMany steps. */
  enqueueGbPerSec: Spread;
  dequeueGbPerSec: Spread;
  /** GB/s of a 16 MiB Variable moved ps → worker in a step, same cluster: the transport's own floor. */
  moveGbPerSec: Spread;
  singleStepsPerSec: Spread;
  /** A plain cross-task step (Const on ps added on worker) on the same cluster. */
  plainStepsPerSec: Spread;
}

function buildGraph(): { g: tf.Graph; init: tf.Operation[]; enqueue: tf.Operation; dequeued: tf.Tensor; single: tf.Tensor; plain: tf.Tensor; moved: tf.Tensor } {
  const g = new tf.Graph();
  const ops = g.asDefault(() => {
    const [q, q1, onPs, big] = tf.device("/job:ps/task:0", () => [
      new tf.FIFOQueue({ capacity: CAPACITY, dtypes: ["float32"], shapes: [[ROW]], sharedName: "bench_batches" }),
      new tf.FIFOQueue({ capacity: 16, dtypes: ["float32"], shapes: [[ROW]], sharedName: "bench_single" }),
      tf.constant(1),
      new tf.Variable(tf.zeros([MOVE_BYTES / 4]), { name: "big" }),
    ] as const);
    return tf.device("/job:worker/task:0", () => {
      const batch = new tf.Variable(tf.zeros([BATCH, ROW]), { name: "batch" });
      const element = new tf.Variable(tf.zeros([ROW]), { name: "element" });
      // Queue ops are colocated with their queue: they run on ps whatever the device scope says.
      const enqueue = q.enqueueMany([batch.value()]);
      const dequeued = sink(q.dequeueMany(BATCH)[0]!);
      const enqueueOne = q1.enqueue([element.value()]);
      const [one] = tf.controlDependencies([enqueueOne], () => q1.dequeue());
      const init = [batch.initializer, element.initializer, big.initializer];
      return { init, enqueue, dequeued, single: sink(one!), plain: tf.add(onPs, tf.constant(2)), moved: sink(big.value()) };
    });
  });
  return { g, ...ops };
}

async function timedGbPerSec(sess: tf.Session, fetch: tf.Tensor | tf.Operation, times: number, bytes: number): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await step(sess, fetch);
    ms.push(performance.now() - t0);
  }
  return bytes / 1e9 / (summarize(ms).medianUs / 1000);
}

async function queueFigures(transport: BenchTransport): Promise<QueueFigures> {
  return withCluster(transport, async (cluster) => {
    const { g, init, enqueue: enqueueOp, dequeued, single, plain, moved } = buildGraph();
    const sess = new tf.Session(cluster.target("worker", 0), { graph: g });
    try {
      await sess.run(init, { options: { timeoutInMs: STEP_TIMEOUT_MS } });
      const enqueue: number[] = [];
      const dequeue: number[] = [];
      const move: number[] = [];
      // Round 0 warms up (builds the partitions); the queue is empty again after every round.
      for (let round = 0; round <= ROUNDS[transport]; round++) {
        const e = await timedGbPerSec(sess, enqueueOp, BATCHES_PER_ROUND, BATCH_BYTES);
        const d = await timedGbPerSec(sess, dequeued, BATCHES_PER_ROUND, BATCH_BYTES);
        const m = await timedGbPerSec(sess, moved, 2, MOVE_BYTES);
        if (round === 0) continue;
        enqueue.push(e);
        dequeue.push(d);
        move.push(m);
      }
      const n = SINGLE_STEPS[transport];
      const singleStepsPerSec = await sampled(async () => 1e6 / (await medianStepUs(sess, single, n, 10)));
      const plainStepsPerSec = await sampled(async () => 1e6 / (await medianStepUs(sess, plain, n, 10)));
      return { enqueueGbPerSec: spreadOf(enqueue), dequeueGbPerSec: spreadOf(dequeue), moveGbPerSec: spreadOf(move), singleStepsPerSec, plainStepsPerSec };
    } finally {
      await sess.close();
    }
  });
}

export async function runQueues(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const transport of ["inproc", "thread", "grpc"] as const) {
    const f = await queueFigures(transport);
    const moveName = `${transport} 16 MiB Variable ps -> worker in a step, same cluster`;
    const goal = { kind: "ratio" as const, op: ">=" as const, target: 0.7, what: "the same transport's 16 MiB move" };
    rows.push(
      row({ id: "P6", name: `${transport} queue enqueueMany 1024x784 f32, worker -> ps`, unit: "GB/s", value: f.enqueueGbPerSec, baselineName: moveName, baseline: f.moveGbPerSec, goal }),
      row({ id: "P6", name: `${transport} queue dequeueMany(1024), ps -> worker`, unit: "GB/s", value: f.dequeueGbPerSec, baselineName: moveName, baseline: f.moveGbPerSec, goal }),
      row({ id: "ref", name: `${transport} queue 1-element enqueue+dequeue step`, unit: "steps/s", value: f.singleStepsPerSec, baselineName: "plain cross-task step, same cluster", baseline: f.plainStepsPerSec, goal: { kind: "reference", what: "1x = queue ops free" } }),
    );
  }
  return rows;
}
