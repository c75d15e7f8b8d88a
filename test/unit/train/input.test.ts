/**
 * The input helpers through local sessions, after TF's input_test.py (tf-input-pipeline.md §8):
 * graph structure and names, epochs ending with OutOfRangeError, shuffling, slicing, batching
 * (final batches, padding, structures), joins, shuffle batches, and TF's build-time errors.
 * Also the ops under them: ResourceCountUpTo and RandomShuffle.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as tf from "../../../src/index.js";
import { countUpTo, randomShuffle } from "../../../src/graph/ops/count-up-to.js";
import { Coordinator } from "../../../src/train/coordinator.js";
import { batch, batchJoin, shuffleBatch, shuffleBatchJoin } from "../../../src/train/input-batch.js";
import { inputProducer, limitEpochs, rangeInputProducer, sliceInputProducer, stringInputProducer } from "../../../src/train/input.js";
import type { QueueRunner } from "../../../src/train/queue-runner.js";
import { startQueueRunners } from "../../../src/train/queue-runner.js";

const sessions: tf.Session[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
});

/** A local session on `g` with variables initialised and, unless told otherwise, the runners started. */
async function open(g: tf.Graph, options: { init?: boolean } = {}) {
  const sess = new tf.Session(undefined, { graph: g });
  sessions.push(sess);
  if (options.init ?? true) {
    const init = g.asDefault(() => tf.group(tf.globalVariablesInitializer(), tf.localVariablesInitializer()));
    await sess.run(init);
  }
  const coord = new Coordinator();
  const threads = g.getCollection(tf.GraphKeys.QUEUE_RUNNERS).length > 0 ? startQueueRunners(sess, { coord }) : [];
  const finish = async () => {
    coord.requestStop();
    await coord.join(threads, { stopGracePeriodMs: 5000 });
  };
  return { sess, coord, threads, finish };
}

type Fetch = Parameters<tf.Session["run"]>[0];

/** Runs `fetch` until OutOfRangeError (bounded); returns the values and the error. */
async function drain(sess: tf.Session, fetch: Fetch, maxRuns = 1000): Promise<{ values: unknown[]; end: unknown }> {
  const values: unknown[] = [];
  for (let i = 0; i < maxRuns; i++) {
    try {
      values.push(await sess.run(fetch));
    } catch (end) {
      return { values, end };
    }
  }
  throw new Error(`no OutOfRangeError after ${maxRuns} runs`);
}

const arr = (x: unknown) => (x as tf.NDArray).toArray();
const nums = (x: unknown) => (arr(x) as (number | bigint)[]).map(Number);
const opsOf = (g: tf.Graph) => g.getOperations().map((o) => [o.name, o.type]);
const runnersOf = (g: tf.Graph) => g.getCollection<QueueRunner>(tf.GraphKeys.QUEUE_RUNNERS);

describe("countUpTo and randomShuffle", () => {
  it("countUpTo gives the values before each increment, then OutOfRange 'Reached limit of N'", async () => {
    const g = new tf.Graph();
    const { v, next } = g.asDefault(() => {
      const v = new tf.Variable(0, { dtype: "int32", name: "counter" });
      return { v, next: countUpTo(v, 3) };
    });
    expect([next.op.type, next.op.name, next.dtype, next.shape, next.op.device]).toEqual(["ResourceCountUpTo", "ResourceCountUpTo", "int32", [], ""]);
    const { sess, finish } = await open(g);
    const { values, end } = await drain(sess, next);
    expect(values.map((x) => (x as tf.NDArray).item())).toEqual([0, 1, 2]);
    expect(end).toBeInstanceOf(tf.errors.OutOfRangeError);
    expect((end as Error).message).toBe("Reached limit of 3");
    expect((await sess.run(v.value())).item()).toBe(3);
    await finish();
  });

  it("countUpTo refuses non-integer variables at build time and uninitialised ones at run time", async () => {
    const g = new tf.Graph();
    const { next } = g.asDefault(() => {
      expect(() => countUpTo(new tf.Variable(0.5, { name: "f" }), 3)).toThrow(TypeError);
      return { next: countUpTo(new tf.Variable(0, { dtype: "int64", name: "never_init" }), 3) };
    });
    const sess = new tf.Session(undefined, { graph: g });
    sessions.push(sess);
    await expect(sess.run(next)).rejects.toThrow(/FailedPrecondition|Attempting to use uninitialized value never_init/);
    await expect(sess.run(next)).rejects.toBeInstanceOf(tf.errors.FailedPreconditionError);
  });

  it("randomShuffle permutes rows (kept whole), a new order per run, repeatable with a seed", async () => {
    const build = () => {
      const g = new tf.Graph();
      const s = g.asDefault(() => randomShuffle(tf.constant([[0, 0], [1, 1], [2, 2], [3, 3], [4, 4], [5, 5], [6, 6], [7, 7]]), { seed: 5 }));
      return { g, s };
    };
    const runs = async () => {
      const { g, s } = build();
      expect([s.op.type, s.shape]).toEqual(["RandomShuffle", [8, 2]]);
      const sess = new tf.Session(undefined, { graph: g });
      sessions.push(sess);
      const out: number[][][] = [];
      for (let i = 0; i < 5; i++) out.push(arr(await sess.run(s)) as number[][]);
      return out;
    };
    const a = await runs();
    for (const rows of a) {
      expect(rows.every(([x, y]) => x === y)).toBe(true);
      expect(rows.map((r) => r[0]).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    }
    expect(new Set(a.map((r) => JSON.stringify(r))).size).toBeGreaterThan(1);
    expect(await runs()).toEqual(a);
  });
});

describe("limitEpochs", () => {
  it("lets the tensor be evaluated numEpochs times, then OutOfRange (testNoLimit / testLimit)", async () => {
    const g = new tf.Graph();
    const { love, same } = g.asDefault(() => {
      const t = tf.constant("Love Me");
      return { love: limitEpochs(t, 2), same: limitEpochs(t) };
    });
    expect(same.op.type).toBe("Const");
    const { sess, finish } = await open(g);
    const { values, end } = await drain(sess, love);
    expect(values.map((x) => (x as tf.NDArray).item())).toEqual(["Love Me", "Love Me"]);
    expect((end as Error).message).toBe("Reached limit of 2");
    await finish();
  });

  it("builds TF's structure: a local int64 'epochs' variable and an Identity named after the scope", () => {
    const g = new tf.Graph();
    const out = g.asDefault(() => limitEpochs(tf.constant([1, 2]), 3));
    expect(out.op.name).toBe("limit_epochs");
    expect(out.op.type).toBe("Identity");
    expect(out.op.controlInputs.map((o) => [o.name, o.type])).toEqual([["limit_epochs/ResourceCountUpTo", "ResourceCountUpTo"]]);
    const locals = g.asDefault(() => tf.localVariables());
    expect(locals.map((v) => [v.op.name, v.dtype, v.trainable])).toEqual([["limit_epochs/epochs", "int64", false]]);
    expect(g.asDefault(() => [tf.globalVariables().length, tf.trainableVariables().length])).toEqual([0, 0]);
    expect(g.asDefault(() => limitEpochs(tf.constant(1), 1)).op.name).toBe("limit_epochs_1");
  });

  it("refuses numEpochs <= 0", () => {
    new tf.Graph().asDefault(() => {
      expect(() => limitEpochs(tf.constant(1), 0)).toThrow("num_epochs must be > 0 not 0.");
      expect(() => limitEpochs(tf.constant(1), -1)).toThrow(RangeError);
    });
  });
});

describe("producers", () => {
  it("stringInputProducer builds TF's graph: queue op 'input_producer', one runner, sharedName", () => {
    const g = new tf.Graph();
    const q = g.asDefault(() => stringInputProducer(["a", "b"], { numEpochs: 2, sharedName: "files", capacity: 7 }));
    expect(q.name).toBe("input_producer");
    expect(opsOf(g)).toEqual(expect.arrayContaining([
      ["input_producer/Const", "Const"],
      ["input_producer/RandomShuffle", "RandomShuffle"],
      ["input_producer/limit_epochs/epochs", "VarHandleOp"],
      ["input_producer/limit_epochs", "Identity"],
      ["input_producer", "FIFOQueueV2"],
      ["input_producer/input_producer_EnqueueMany", "QueueEnqueueManyV2"],
    ]));
    const node = g.toGraphDef().node.find((n) => n.name === "input_producer")!;
    expect(node.attr.shared_name).toEqual({ s: "files" });
    expect(node.attr.capacity).toEqual({ i: 7 });
    expect(node.attr.shapes).toEqual({ list: { shape: [[]] } });
    const [qr] = runnersOf(g);
    expect(runnersOf(g).length).toBe(1);
    expect(qr!.name).toBe("input_producer");
    expect(qr!.enqueueOps.map((o) => o.name)).toEqual(["input_producer/input_producer_EnqueueMany"]);
    expect(g.asDefault(() => stringInputProducer(["c"])).name).toBe("input_producer_1");
  });

  it("stringInputProducer without shuffle: the list numEpochs times, then OutOfRange (testNoShuffle)", async () => {
    const g = new tf.Graph();
    const strings = ["to", "be", "or", "not", "to", "be"];
    const { all, one } = g.asDefault(() => {
      const q = stringInputProducer(strings, { numEpochs: 3, shuffle: false });
      return { all: q.dequeueMany(18)[0]!, one: q.dequeue()[0]! };
    });
    const { sess, finish } = await open(g);
    expect(arr(await sess.run(all))).toEqual([...strings, ...strings, ...strings]);
    await expect(sess.run(one)).rejects.toThrow(/FIFOQueue '.*input_producer' is closed and has insufficient elements \(requested 1, current size 0\)/);
    await finish();
  });

  it("stringInputProducer shuffles each epoch on its own: every window of an epoch is a permutation (testShuffle)", async () => {
    const g = new tf.Graph();
    const all = g.asDefault(() => stringInputProducer(["a", "b", "c"], { numEpochs: 60, seed: 3 }).dequeueMany(180)[0]!);
    const { sess, finish } = await open(g);
    const got = arr(await sess.run(all)) as string[];
    const epochs = Array.from({ length: 60 }, (_, i) => got.slice(3 * i, 3 * i + 3).join(""));
    for (const e of epochs) expect([...e].sort().join("")).toBe("abc");
    expect(new Set(epochs).size).toBeGreaterThanOrEqual(4);
    await finish();
  });

  it("stringInputProducer refuses an empty list at build time", () => {
    new tf.Graph().asDefault(() => {
      expect(() => stringInputProducer([])).toThrow("string_input_producer requires a non-null input tensor");
    });
  });

  it("without localVariablesInitializer the runner fails, the consumer gets OutOfRange, join re-raises (#1045)", async () => {
    const g = new tf.Graph();
    const one = g.asDefault(() => stringInputProducer(["a"], { numEpochs: 1 }).dequeue()[0]!);
    const { sess, coord, threads } = await open(g, { init: false });
    await expect(sess.run(one)).rejects.toBeInstanceOf(tf.errors.OutOfRangeError);
    const err = await coord.join(threads).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(tf.errors.FailedPreconditionError);
    expect((err as Error).message).toContain("Attempting to use uninitialized value input_producer/limit_epochs/epochs");
  });

  it("inputProducer: rows in order for each epoch (testNoShuffle), 'input_producer/fifo_queue'", async () => {
    const g = new tf.Graph();
    const { q, row } = g.asDefault(() => {
      const q = inputProducer(tf.constant([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]), { numEpochs: 2, shuffle: false });
      return { q, row: q.dequeue()[0]! };
    });
    expect([q.name, q.shapes, row.shape]).toEqual(["input_producer/fifo_queue", [[4]], [4]]);
    const { sess, finish } = await open(g);
    const { values, end } = await drain(sess, row);
    expect(values.map(arr)).toEqual([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]);
    expect(end).toBeInstanceOf(tf.errors.OutOfRangeError);
    await finish();
  });

  it("inputProducer needs a fully defined element shape, from the input or elementShape", () => {
    new tf.Graph().asDefault(() => {
      const p = tf.placeholder("float32", [null, null]);
      expect(() => inputProducer(p)).toThrow("Either `input_tensor` must have a fully defined shape or `element_shape` must be specified");
      expect(inputProducer(p, { elementShape: [2] }).shapes).toEqual([[2]]);
    });
  });

  it("rangeInputProducer: 0..limit-1 per epoch (testNoShuffle)", async () => {
    const g = new tf.Graph();
    const { q, all } = g.asDefault(() => {
      const q = rangeInputProducer(5, { numEpochs: 3, shuffle: false });
      return { q, all: q.dequeueMany(15)[0]! };
    });
    expect([q.name, q.dtypes]).toEqual(["input_producer", ["int32"]]);
    const { sess, finish } = await open(g);
    expect(arr(await sess.run(all))).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
    await expect(sess.run(g.asDefault(() => q.dequeue()[0]!))).rejects.toBeInstanceOf(tf.errors.OutOfRangeError);
    await finish();
  });

  it("sliceInputProducer: aligned rows of every tensor (testNoShuffle), as an array or an object", async () => {
    const g = new tf.Graph();
    const { pair, named } = g.asDefault(() => ({
      pair: sliceInputProducer([tf.constant(["Alpha", "Beta", "Delta", "Gamma"]), tf.constant([2, 3, 5, 7])], { numEpochs: 3, shuffle: false }),
      named: sliceInputProducer({ word: ["x", "y"], n: [1, 2] }, { numEpochs: 1, shuffle: false }),
    }));
    expect(pair.map((t) => [t.op.type, t.shape])).toEqual([["GatherV2", []], ["GatherV2", []]]);
    expect(runnersOf(g).map((r) => r.name)).toEqual(["input_producer/input_producer", "input_producer_1/input_producer"]);
    const { sess, finish } = await open(g);
    const { values, end } = await drain(sess, pair);
    const rows = values.map((v) => (v as tf.NDArray[]).map((x) => x.item()));
    const once = [["Alpha", 2], ["Beta", 3], ["Delta", 5], ["Gamma", 7]];
    expect(rows).toEqual([...once, ...once, ...once]);
    expect(end).toBeInstanceOf(tf.errors.OutOfRangeError);
    const first = await sess.run(named);
    expect([first.word.item(), first.n.item()]).toEqual(["x", 1]);
    await finish();
  });

  it("sliceInputProducer refuses an empty list", () => {
    new tf.Graph().asDefault(() => {
      expect(() => sliceInputProducer([])).toThrow("Expected at least one tensor in slice_input_producer().");
    });
  });
});

/** TF's batch fixture: an int64 counter counted up to `limit` (one example per run). */
function counter(limit: number): tf.Tensor {
  const v = new tf.Variable(tf.constant(0, { dtype: "int64" }), { name: "examples", trainable: false });
  return countUpTo(v, limit);
}

describe("batch", () => {
  it("full batches in order, the remainder dropped, then OutOfRange (testOneThread); TF's names", async () => {
    const g = new tf.Graph();
    const out = g.asDefault(() => batch([counter(35), tf.constant("string")], 10));
    expect(out.map((t) => [t.op.name, t.name, t.op.type, t.shape])).toEqual([
      ["batch", "batch:0", "QueueDequeueManyV2", [10]],
      ["batch", "batch:1", "QueueDequeueManyV2", [10]],
    ]);
    expect(opsOf(g)).toEqual(expect.arrayContaining([["batch/fifo_queue", "FIFOQueueV2"], ["batch/fifo_queue_enqueue", "QueueEnqueueV2"], ["batch/n", "Const"]]));
    const { sess, finish } = await open(g);
    const { values, end } = await drain(sess, out);
    expect(values.map((v) => nums((v as tf.NDArray[])[0]))).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [10, 11, 12, 13, 14, 15, 16, 17, 18, 19],
      [20, 21, 22, 23, 24, 25, 26, 27, 28, 29],
    ]);
    expect(arr((values[0] as tf.NDArray[])[1])).toEqual(Array(10).fill("string"));
    // As TF's FIFOQueue: the attempt had taken 5 of its 10 when the close came (they go back to the queue).
    expect((end as Error).message).toMatch(/FIFOQueue '.*batch\/fifo_queue' is closed and has insufficient elements \(requested 5, current size 0\)/);
    await finish();
  });

  it("allowSmallerFinalBatch: one short batch at the end, batch dim unknown (testOneThreadSmallerBatch)", async () => {
    const g = new tf.Graph();
    const out = g.asDefault(() => batch(counter(35), 10, { allowSmallerFinalBatch: true }));
    expect([out.op.type, out.shape]).toEqual(["QueueDequeueUpToV2", [null]]);
    const { sess, finish } = await open(g);
    const { values, end } = await drain(sess, out);
    expect(values.map((v) => nums(v).length)).toEqual([10, 10, 10, 5]);
    expect(nums(values[3])).toEqual([30, 31, 32, 33, 34]);
    expect(end).toBeInstanceOf(tf.errors.OutOfRangeError);
    await finish();
  });

  it("numThreads runs the same op in that many loops; every example arrives once (testManyThreads)", async () => {
    const g = new tf.Graph();
    const out = g.asDefault(() => batch([counter(60)], 10, { numThreads: 4 }));
    const [qr] = runnersOf(g);
    expect(qr!.enqueueOps.length).toBe(4);
    expect(new Set(qr!.enqueueOps).size).toBe(1);
    const { sess, threads, finish } = await open(g);
    expect(threads.length).toBe(4 + 1); // the enqueue loops and close_on_stop
    const { values } = await drain(sess, out);
    expect(values.flatMap((v) => nums((v as tf.NDArray[])[0])).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    await finish();
  });

  it("enqueueMany takes examples along dimension 0 (testOneThreadEnqueueMany)", async () => {
    const g = new tf.Graph();
    const out = g.asDefault(() => {
      const rows = limitEpochs(tf.constant([[1, 1], [2, 2], [3, 3], [4, 4]]), 2);
      return batch([rows], 3, { enqueueMany: true });
    });
    expect(out[0]!.shape).toEqual([3, 2]);
    const { sess, finish } = await open(g);
    const { values } = await drain(sess, out);
    expect(values.map((v) => arr((v as tf.NDArray[])[0]))).toEqual([
      [[1, 1], [2, 2], [3, 3]],
      [[4, 4], [1, 1], [2, 2]],
    ]);
    await finish();
  });

  it("dynamicPad pads each batch to its largest example with '' (testOneThreadDynamicPad)", async () => {
    const g = new tf.Graph();
    const out = g.asDefault(() => {
      const n = counter(6);
      const words = tf.tile(tf.constant(["string"]), tf.reshape(tf.cast(n, "int32"), [1]));
      return batch({ n, words }, 3, { dynamicPad: true });
    });
    expect(Object.keys(out)).toEqual(["n", "words"]);
    expect([out.words.op.type, out.words.shape]).toEqual(["QueueDequeueManyV2", [3, null]]);
    expect(opsOf(g)).toContainEqual(["batch/padding_fifo_queue", "PaddingFIFOQueueV2"]);
    const { sess, finish } = await open(g);
    const first = await sess.run(out);
    expect(nums(first.n)).toEqual([0, 1, 2]);
    expect(arr(first.words)).toEqual([["", ""], ["string", ""], ["string", "string"]]);
    const second = await sess.run(out);
    expect(arr(second.words)).toEqual([
      ["string", "string", "string", "", ""],
      ["string", "string", "string", "string", ""],
      ["string", "string", "string", "string", "string"],
    ]);
    await finish();
  });

  it("returns the structure it was given: a tensor, an array, an object by sorted keys", () => {
    new tf.Graph().asDefault(() => {
      const x = tf.constant([1, 2]);
      const single = batch(x, 4, { name: "single" });
      expect([single.op.name, single.shape]).toEqual(["single", [4, 2]]);
      const dict = batch({ b: x, a: tf.constant("s") }, 4);
      expect([dict.a.name, dict.b.name]).toEqual(["batch:0", "batch:1"]);
    });
  });

  it("TF's build-time errors", () => {
    new tf.Graph().asDefault(() => {
      expect(() => batch([], 2)).toThrow("Expected at least one tensor in batch().");
      expect(() => batch([tf.placeholder("float32")], 2)).toThrow("Cannot infer Tensor's rank");
      expect(() => batch([tf.placeholder("float32", [null])], 2)).toThrow("All shapes must be fully defined");
      expect(batch([tf.placeholder("float32", [null])], 2, { shapes: [[3]] })[0]!.shape).toEqual([2, 3]);
      expect(() => batch([tf.constant(1)], 2, { enqueueMany: true })).toThrow("must have rank at least 1");
    });
  });
});

describe("batchJoin, shuffleBatch, shuffleBatchJoin", () => {
  it("batchJoin: one loop per source, each source in its own order (testTwoThreads)", async () => {
    const g = new tf.Graph();
    const out = g.asDefault(() => {
      const a = counter(20);
      const b = limitEpochs(tf.constant(99, { dtype: "int64" }), 15);
      return batchJoin([[a], [b]], 5);
    });
    expect([out[0]!.op.name, runnersOf(g)[0]!.enqueueOps.length]).toEqual(["batch_join", 2]);
    const { sess, finish } = await open(g);
    const { values, end } = await drain(sess, out);
    const all = values.flatMap((v) => nums((v as tf.NDArray[])[0]));
    expect(all.length).toBe(35);
    expect(all.filter((x) => x !== 99)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(end).toBeInstanceOf(tf.errors.OutOfRangeError);
    await finish();
  });

  it("batchJoin refuses sources of other types or keys", () => {
    new tf.Graph().asDefault(() => {
      expect(() => batchJoin([[tf.constant(1)], [tf.constant("x")]], 2)).toThrow("Expected types to be consistent: float32 vs. string.");
      expect(() => batchJoin([{ a: tf.constant(1) }, { b: tf.constant(1) }], 2)).toThrow("All dictionaries in tensors_list must have the same keys");
    });
  });

  it("shuffleBatch: scrambled batches covering every example, then OutOfRange (testOneThread)", async () => {
    const g = new tf.Graph();
    const out = g.asDefault(() => shuffleBatch([counter(30)], 10, { capacity: 32, minAfterDequeue: 16, seed: 141421 }));
    expect([out[0]!.op.name, out[0]!.op.type]).toEqual(["shuffle_batch", "QueueDequeueManyV2"]);
    expect(opsOf(g)).toContainEqual(["shuffle_batch/random_shuffle_queue", "RandomShuffleQueueV2"]);
    const { sess, finish } = await open(g);
    const { values, end } = await drain(sess, out);
    const all = values.flatMap((v) => nums((v as tf.NDArray[])[0]));
    expect([...all].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(all).not.toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(end).toBeInstanceOf(tf.errors.OutOfRangeError);
    await finish();
  });

  it("shuffleBatch with allowSmallerFinalBatch ends with the remainder", async () => {
    const g = new tf.Graph();
    const out = g.asDefault(() => shuffleBatch(counter(35), 10, { capacity: 32, minAfterDequeue: 16, allowSmallerFinalBatch: true }));
    const { sess, finish } = await open(g);
    const { values } = await drain(sess, out);
    expect(values.map((v) => nums(v).length)).toEqual([10, 10, 10, 5]);
    await finish();
  });

  it("shuffleBatch needs capacity > minAfterDequeue", () => {
    new tf.Graph().asDefault(() => {
      expect(() => shuffleBatch([tf.constant(1)], 2, { capacity: 10, minAfterDequeue: 10 })).toThrow("capacity 10 must be bigger than min_after_dequeue 10.");
    });
  });

  it("shuffleBatchJoin mixes the sources (testTwoThreads)", async () => {
    const g = new tf.Graph();
    const out = g.asDefault(() => {
      const a = counter(30);
      const b = limitEpochs(tf.constant(-1, { dtype: "int64" }), 30);
      return shuffleBatchJoin([{ x: a }, { x: b }], 10, { capacity: 32, minAfterDequeue: 16, seed: 7 });
    });
    expect(out.x.op.name).toBe("shuffle_batch_join");
    const { sess, finish } = await open(g);
    const { values } = await drain(sess, out);
    const batches = values.map((v) => nums((v as { x: tf.NDArray }).x));
    expect(batches.length).toBe(6);
    expect(batches.flat().filter((x) => x >= 0).sort((p, q) => p - q)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(batches.some((bt) => bt.includes(-1) && bt.some((x) => x >= 0))).toBe(true);
    await finish();
  });
});
