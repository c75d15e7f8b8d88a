/**
 * Input-pipeline throughput:
 *  - P7: a batched CSV pipeline on one task (a private session): `readUpTo` + `decodeCsv` over a
 *    1 M-line file, lines/s, with the kernel pool at 2 threads beside 1 thread;
 *  - P8: the seed's pipeline on `thread`: five TextLineReaders, each `read` + `decodeCsv` + one
 *    `enqueue` per record, run by a QueueRunner of five loops under a Coordinator; records/s
 *    beside the same pipeline with one reader.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "../src/index.js";
import type { ConfigProto } from "../src/index.js";
import { sink, withCluster } from "./run-transports.js";
import type { BenchRow, Spread } from "./stats.js";
import { row, sampled } from "./stats.js";

const STEP_TIMEOUT_MS = 60_000;
const CSV_LINES = 1_000_000;
const READ_UP_TO = 10_000;
const SHARDS = 5;
const LINES_PER_SHARD = 3_000;
const CONSUMER_BATCH = 500;

function csvLines(n: number, offset = 0): string {
  const parts = new Array<string>(n);
  for (let i = 0; i < n; i++) parts[i] = `${(i + offset) % 1000}.5,${i % 7}.25,${i % 2}`;
  return parts.join("\n") + "\n";
}

/** Lines/s of readUpTo + decodeCsv over `file`, one sample; `config` sizes the kernel pool. */
async function csvLinesPerSec(file: string, config: ConfigProto): Promise<number> {
  const g = new tf.Graph();
  const ops = g.asDefault(() => {
    const files = new tf.FIFOQueue({ capacity: 4, dtypes: ["string"], shapes: [[]] });
    const reader = new tf.TextLineReader();
    const [, lines] = reader.readUpTo(files, READ_UP_TO);
    const [x1, x2, label] = tf.decodeCsv(lines, [[0.0], [0.0], Int32Array.of(0)]);
    return { enqueueFile: files.enqueue([file]), count: sink(tf.add(tf.add(x1!, x2!), tf.cast(label!, "float32"))) };
  });
  const sess = new tf.Session(undefined, { graph: g, config });
  try {
    await sess.run(ops.enqueueFile);
    // A first batch warms the partition up; the file is then read to its end.
    let seen = ((await sess.run(ops.count, { options: { timeoutInMs: STEP_TIMEOUT_MS } })) as tf.NDArray).item() as number;
    const t0 = performance.now();
    let timed = 0;
    while (seen < CSV_LINES) {
      const n = ((await sess.run(ops.count, { options: { timeoutInMs: STEP_TIMEOUT_MS } })) as tf.NDArray).item() as number;
      seen += n;
      timed += n;
    }
    return timed / ((performance.now() - t0) / 1000);
  } finally {
    await sess.close();
  }
}

async function runCsv(dir: string): Promise<BenchRow[]> {
  const file = join(dir, "big.csv");
  writeFileSync(file, csvLines(CSV_LINES));
  // interOpParallelismThreads is TF's knob for the kernel pool; 1 keeps every kernel on the task's thread.
  const one = await sampled(() => csvLinesPerSec(file, { interOpParallelismThreads: 1 } as ConfigProto));
  const two = await sampled(() => csvLinesPerSec(file, { interOpParallelismThreads: 2 } as ConfigProto));
  return [
    row({ id: "P7", name: "CSV pipeline, readUpTo(10000) + decodeCsv, 1 M lines, one task, pool of 2", unit: "lines/s", value: two, baselineName: "same, pool of 1", baseline: one, goal: { kind: "value", op: ">=", target: 2e6 } }),
    row({ id: "P7", name: "CSV pipeline speed-up from 1 to 2 pool threads", unit: "lines/s", value: two, baselineName: "pool of 1", baseline: one, goal: { kind: "ratio", op: ">=", target: 1.6, what: "1 thread" } }),
  ];
}

/** Records/s of the seed's pipeline with `readers` readers on a thread cluster; SAMPLES samples. */
async function seedPipeline(shards: string[], readers: number): Promise<Spread> {
  return withCluster("thread", async (cluster) => {
    const g = new tf.Graph();
    const ops = g.asDefault(() =>
      tf.device("/job:worker/task:0", () => {
        const files = new tf.FIFOQueue({ capacity: 64, dtypes: ["string"], shapes: [[]], name: "files" });
        const instances = new tf.FIFOQueue({ capacity: 2000, dtypes: ["float32", "int32"], shapes: [[2], []], name: "instances" });
        const enqueues = Array.from({ length: readers }, () => {
          const [, line] = new tf.TextLineReader().read(files);
          const [x1, x2, target] = tf.decodeCsv(line, [[0.0], [0.0], Int32Array.of(0)]);
          return instances.enqueue([tf.stack([x1!, x2!]), target!]);
        });
        const [features] = instances.dequeueMany(CONSUMER_BATCH);
        return { files, instances, enqueues, consumed: sink(features!), enqueueFiles: files.enqueueMany([shards]) };
      }),
    );
    const sess = new tf.Session(cluster.target("worker", 0), { graph: g });
    const coord = new tf.train.Coordinator();
    const runner = new tf.train.QueueRunner(ops.instances, ops.enqueues);
    const threads = runner.createThreads(sess, { coord, start: true });
    const perSample = SHARDS * LINES_PER_SHARD;
    const consume = async (records: number): Promise<void> => {
      for (let got = 0; got < records; got += CONSUMER_BATCH) await sess.run(ops.consumed, { options: { timeoutInMs: STEP_TIMEOUT_MS } });
    };
    try {
      await sess.run(ops.enqueueFiles);
      await consume(perSample); // warm-up: every partition built, every reader past its first file
      return await sampled(async () => {
        await sess.run(ops.enqueueFiles);
        const t0 = performance.now();
        await consume(perSample);
        return perSample / ((performance.now() - t0) / 1000);
      });
    } finally {
      coord.requestStop();
      await sess.run(ops.files.close({ cancelPendingEnqueues: true }));
      await coord.join(threads, { stopGracePeriodMs: 10_000 }).catch(() => {});
      await sess.close();
    }
  });
}

async function runSeed(dir: string): Promise<BenchRow[]> {
  const shards = Array.from({ length: SHARDS }, (_, i) => {
    const f = join(dir, `shard-${i}.csv`);
    writeFileSync(f, csvLines(LINES_PER_SHARD, i * LINES_PER_SHARD));
    return f;
  });
  const one = await seedPipeline(shards, 1);
  const five = await seedPipeline(shards, SHARDS);
  return [
    row({ id: "P8", name: "seed pipeline on thread: 5 readers, read + decodeCsv + 1 enqueue per record", unit: "records/s", value: five, baselineName: "same with 1 reader", baseline: one, goal: { kind: "value", op: ">=", target: 20_000, what: "(TF 1.x users report 8-17 k/s)" } }),
  ];
}

export async function runPipeline(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "tfcluster-bench-"));
  try {
    return [...(await runCsv(dir)), ...(await runSeed(dir))];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
