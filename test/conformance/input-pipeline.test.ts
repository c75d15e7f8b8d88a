/**
 * Input pipelines on a cluster, on every transport (scenario S7; tf-input-pipeline.md §6–8):
 * producers and batching driven by QueueRunners under a Coordinator from a client of the worker,
 * epochs ending with OutOfRangeError, the coordinator joining cleanly, and nothing left running or
 * waiting on the cluster afterwards. Also a failing runner stopping the pipeline, five loops of
 * one enqueue op draining an input queue, a queue fed by one client and read by another, and S7's
 * CSV readers: five read loops of one reader through one QueueRunner, and five readers at once.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { decodeCsv, TextLineReader } from "../../src/graph/ops/io.js";
import { Coordinator } from "../../src/train/coordinator.js";
import { batch, shuffleBatch, shuffleBatchJoin } from "../../src/train/input-batch.js";
import { rangeInputProducer, stringInputProducer } from "../../src/train/input.js";
import type { LoopThread } from "../../src/train/loop-thread.js";
import { addQueueRunner, QueueRunner, startQueueRunners, unstartedQueueRunners } from "../../src/train/queue-runner.js";
import { describeOnTransports } from "../helpers/transports.js";

/** A bound on every step, so a broken pipeline fails the test instead of hanging it. */
const STEP = { options: { timeoutInMs: 20_000 } };

type Fetch = Parameters<tf.Session["run"]>[0];

/** Runs `fetch` until it fails (bounded); the failure must be OutOfRangeError. */
async function drainToEnd(sess: tf.Session, fetch: Fetch, maxRuns = 500): Promise<unknown[]> {
  const values: unknown[] = [];
  for (let i = 0; i < maxRuns; i++) {
    try {
      values.push(await sess.run(fetch, STEP));
    } catch (err) {
      expect(err).toBeInstanceOf(tf.errors.OutOfRangeError);
      return values;
    }
  }
  throw new Error(`no OutOfRangeError after ${maxRuns} runs`);
}

const nums = (x: unknown) => ((x as tf.NDArray).toArray() as (number | bigint)[]).map(Number);

/** Every resource of `container` on the cluster, none with an op still waiting on it. */
async function expectNothingWaiting(target: string, container: string): Promise<void> {
  const mine = (await tf.clusterStatus(target)).filter((r) => r.container === container);
  // Queues list their waiting ops; readers count them.
  const waiting = (w: unknown) => (Array.isArray(w) ? w.length : typeof w === "number" ? w : 0);
  for (const r of mine) expect([r.name, waiting(r.details.waiting)]).toEqual([r.name, 0]);
}

async function stopAndJoin(coord: Coordinator, threads: LoopThread[]): Promise<void> {
  coord.requestStop();
  await coord.join(threads, { stopGracePeriodMs: 10_000 });
  expect(threads.filter((t) => t.isAlive()).map((t) => t.name)).toEqual([]);
}

/** S7's sharded data set: five CSV files with a header and four rows each; x2 missing in row 3. */
const SHARDS = 5;
const ROWS = 4;
let dataDir = "";
let shardFiles: string[] = [];
beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), "tfcluster-s7-"));
  shardFiles = Array.from({ length: SHARDS }, (_, f) => {
    const path = join(dataDir, `data-${f}.csv`);
    const rows = Array.from({ length: ROWS }, (_, r) => `${f * 100 + r}.,${r === 3 ? "" : r},${f}`);
    writeFileSync(path, ["x1, x2, target", ...rows].join("\n") + "\n");
    return path;
  });
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Every (x1, x2, target) of the data set, x2 defaulting to -1, sorted by x1. */
function expectedRows(): number[][] {
  return shardFiles.flatMap((_, f) => Array.from({ length: ROWS }, (_, r) => [f * 100 + r, r === 3 ? -1 : r, f]));
}

/** One CSV line read and parsed: [stack([x1, x2]), target] (S6's defaults: -1.0, -1.0, -1). */
function readInstance(reader: TextLineReader, files: tf.FIFOQueue): [tf.Tensor, tf.Tensor] {
  const [, line] = reader.read(files);
  const [x1, x2, target] = decodeCsv(line, [[-1.0], [-1.0], Int32Array.of(-1)]);
  return [tf.stack([x1!, x2!]), target!];
}

function rowsOf(batches: unknown[]): number[][] {
  return batches
    .flatMap((b) => {
      const [xs, ys] = b as tf.NDArray[];
      const x = xs!.toArray() as number[][];
      const y = nums(ys);
      return x.map((pair, i) => [pair[0]!, pair[1]!, y[i]!]);
    })
    .sort((a, b) => a[0]! - b[0]!);
}

function initOps(): tf.Operation {
  return tf.group(tf.globalVariablesInitializer(), tf.localVariablesInitializer());
}

describeOnTransports("input pipelines", { ps: 1, worker: 1 }, (ctx) => {
  it("rangeInputProducer + batch: ordered batches for 3 epochs, the tail dropped, OutOfRange, a clean join", async () => {
    const g = new tf.Graph();
    const ops = g.asDefault(() =>
      tf.container("pipeline_batch", () => {
        const i = rangeInputProducer(10, { numEpochs: 3, shuffle: false }).dequeue()[0]!;
        return { batch: batch([i, tf.mul(i, i)], 4), init: initOps() };
      }),
    );
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    await sess.run(ops.init);
    const coord = new Coordinator();
    const threads = startQueueRunners(sess, { coord });
    expect(unstartedQueueRunners(sess)).toEqual([]);
    const batches = await drainToEnd(sess, ops.batch);
    const seen = batches.map((b) => nums((b as tf.NDArray[])[0]));
    const all = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    expect(seen.flat()).toEqual([...all, ...all, ...all].slice(0, 28));
    expect(batches.map((b) => nums((b as tf.NDArray[])[1]))[2]).toEqual([64, 81, 0, 1]);
    await stopAndJoin(coord, threads);
    await expectNothingWaiting(ctx.target("worker", 0), "pipeline_batch");
    await sess.close();
  });

  it("shuffled stringInputProducer + shuffleBatch pinned to the worker: every file name numEpochs times", async () => {
    const g = new tf.Graph();
    const files = ["a.csv", "b.csv", "c.csv", "d.csv"];
    const ops = g.asDefault(() =>
      tf.container("pipeline_shuffle", () =>
        tf.device("/job:worker/task:0", () => {
          const name = stringInputProducer(files, { numEpochs: 5, seed: 11 }).dequeue()[0]!;
          const out = shuffleBatch({ name }, 6, { capacity: 12, minAfterDequeue: 3, seed: 5, allowSmallerFinalBatch: true });
          return { out, init: initOps() };
        }),
      ),
    );
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    await sess.run(ops.init);
    const coord = new Coordinator();
    const threads = startQueueRunners(sess, { coord });
    const batches = await drainToEnd(sess, ops.out);
    const names = batches.flatMap((b) => (b as { name: tf.NDArray }).name.toArray() as string[]);
    expect(batches.map((b) => (b as { name: tf.NDArray }).name.shape[0])).toEqual([6, 6, 6, 2]);
    expect([...names].sort()).toEqual(files.flatMap((f) => Array<string>(5).fill(f)).sort());
    await stopAndJoin(coord, threads);
    await expectNothingWaiting(ctx.target("worker", 0), "pipeline_shuffle");
    await sess.close();
  });

  it("a failing runner stops the coordinator: the consumer gets OutOfRange, join re-raises the cause", async () => {
    const g = new tf.Graph();
    const ops = g.asDefault(() =>
      tf.container("pipeline_uninit", () => ({ batch: batch([rangeInputProducer(4, { numEpochs: 1 }).dequeue()[0]!], 2) })),
    );
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    const coord = new Coordinator();
    const threads = startQueueRunners(sess, { coord });
    await expect(sess.run(ops.batch, STEP)).rejects.toBeInstanceOf(tf.errors.OutOfRangeError);
    const err = await coord.join(threads, { stopGracePeriodMs: 10_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(tf.errors.FailedPreconditionError);
    expect((err as Error).message).toContain("input_producer/limit_epochs/epochs");
    expect(threads.filter((t) => t.isAlive())).toEqual([]);
    await expectNothingWaiting(ctx.target("worker", 0), "pipeline_uninit");
    await sess.close();
  });

  it("five loops of one enqueue op drain an input queue; the output closes once all five have seen its end", async () => {
    const g = new tf.Graph();
    const ops = g.asDefault(() =>
      tf.container("pipeline_five", () => {
        const input = new tf.FIFOQueue({ capacity: 100, dtypes: "int32", shapes: [[]] });
        const output = new tf.FIFOQueue({ capacity: 8, dtypes: "int32", shapes: [[]] });
        const move = output.enqueue(tf.mul(input.dequeue()[0]!, 10));
        addQueueRunner(new QueueRunner(output, [move, move, move, move, move]));
        return { fill: input.enqueueMany(tf.range(0, 60)), close: input.close(), take: output.dequeueUpTo(7)[0]! };
      }),
    );
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    await sess.run(ops.fill);
    await sess.run(ops.close);
    const coord = new Coordinator();
    const threads = startQueueRunners(sess, { coord });
    expect(threads.length).toBe(5 + 1);
    const got = (await drainToEnd(sess, ops.take)).flatMap(nums);
    expect(got.sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i * 10));
    await stopAndJoin(coord, threads);
    await sess.close();
  });

  it("a loader client runs the runners; a trainer on another server reads the shared queue", async () => {
    const loaderGraph = new tf.Graph();
    const loader = loaderGraph.asDefault(() =>
      tf.container("pipeline_shared", () => {
        stringInputProducer(["x", "y", "z"], { numEpochs: 2, shuffle: false, sharedName: "shared_files" });
        return { init: initOps() };
      }),
    );
    const trainerGraph = new tf.Graph();
    const take = trainerGraph.asDefault(() =>
      tf.container("pipeline_shared", () => new tf.FIFOQueue({ capacity: 32, dtypes: "string", shapes: [[]], sharedName: "shared_files" }).dequeue()[0]!),
    );
    const loaderSess = new tf.Session(ctx.target("worker", 0), { graph: loaderGraph });
    const trainerSess = new tf.Session(ctx.target("ps", 0), { graph: trainerGraph });
    await loaderSess.run(loader.init);
    const coord = new Coordinator();
    const threads = startQueueRunners(loaderSess, { coord });
    const got = (await drainToEnd(trainerSess, take)).map((v) => (v as tf.NDArray).item());
    expect(got).toEqual(["x", "y", "z", "x", "y", "z"]);
    expect(unstartedQueueRunners(trainerSess)).toEqual([]);
    await stopAndJoin(coord, threads);
    await expectNothingWaiting(ctx.target("worker", 0), "pipeline_shared");
    await Promise.all([loaderSess.close(), trainerSess.close()]);
  });

  it("S7: one reader, five read loops through one QueueRunner; the instance queue closes after the last file", async () => {
    const g = new tf.Graph();
    const ops = g.asDefault(() =>
      tf.container("s7_loops", () => {
        const files = stringInputProducer(shardFiles, { numEpochs: 1, shuffle: false });
        const instances = new tf.RandomShuffleQueue({
          capacity: 10,
          minAfterDequeue: 2,
          dtypes: ["float32", "int32"],
          shapes: [[2], []],
          sharedName: "shared_instance_q",
        });
        const enqueue = instances.enqueue(readInstance(new TextLineReader({ skipHeaderLines: 1 }), files));
        addQueueRunner(new QueueRunner(instances, Array.from({ length: 5 }, () => enqueue)));
        return { take: instances.dequeueUpTo(2), init: initOps() };
      }),
    );
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    await sess.run(ops.init);
    const coord = new Coordinator();
    const threads = startQueueRunners(sess, { coord });
    expect(threads.length).toBe(1 + 1 + 5 + 1);
    const batches = await drainToEnd(sess, ops.take);
    expect(rowsOf(batches)).toEqual(expectedRows());
    await stopAndJoin(coord, threads);
    await expectNothingWaiting(ctx.target("worker", 0), "s7_loops");
    await sess.close();
  });

  it("S7: five readers read five files at once into shuffleBatchJoin; every row once, then OutOfRange", async () => {
    const g = new tf.Graph();
    const ops = g.asDefault(() =>
      tf.container("s7_readers", () => {
        const files = stringInputProducer(shardFiles, { numEpochs: 1, seed: 3 });
        const examples = Array.from({ length: 5 }, () => readInstance(new TextLineReader({ skipHeaderLines: 1 }), files));
        const batchOut = shuffleBatchJoin(examples, 3, { capacity: 10, minAfterDequeue: 2, allowSmallerFinalBatch: true, seed: 1 });
        return { batch: batchOut, init: initOps() };
      }),
    );
    const [qr] = g.getCollection<QueueRunner>(tf.GraphKeys.QUEUE_RUNNERS).slice(-1);
    expect(qr!.enqueueOps.length).toBe(5);
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    await sess.run(ops.init);
    const coord = new Coordinator();
    const threads = startQueueRunners(sess, { coord });
    const batches = await drainToEnd(sess, ops.batch);
    expect(batches.map((b) => (b as tf.NDArray[])[1]!.shape[0]!).reduce((a, b) => a + b, 0)).toBe(SHARDS * ROWS);
    expect(rowsOf(batches)).toEqual(expectedRows());
    await stopAndJoin(coord, threads);
    await expectNothingWaiting(ctx.target("worker", 0), "s7_readers");
    await sess.close();
  });
});
