/**
 * TF's batching helpers (python/training/input.py): batch, batchJoin, shuffleBatch and
 * shuffleBatchJoin. Each builds, under its name scope ("batch", "shuffle_batch", ...), a queue
 * (FIFOQueue, PaddingFIFOQueue with `dynamicPad`, RandomShuffleQueue for the shuffling ones), the
 * enqueue op(s) and a QueueRunner added to QUEUE_RUNNERS, and returns the dequeue — an op named
 * after the scope itself ("batch:0") — in the structure it was given: one tensor, an array, or an
 * object. Once every runner loop has seen its input end, the queue closes: full batches come out,
 * then the remainder only with `allowSmallerFinalBatch` (else it is dropped), then OutOfRangeError.
 *
 * @example
 * const [x, label] = tf.train.shuffleBatch([example, label], 32, {capacity: 2000, minAfterDequeue: 1000});
 */
import type { NameOption, TensorLike } from "../graph/convert.js";
import { graphOf, toTensor } from "../graph/ops/builder-utils.js";
import { FIFOQueue, PaddingFIFOQueue, RandomShuffleQueue } from "../graph/ops/data-flow.js";
import type { QueueBase, QueueOptions, ShapesArg } from "../graph/ops/data-flow.js";
import { pyShape } from "../graph/ops/queue-shapes.js";
import { mergeShapes } from "../graph/ops/shape-utils.js";
import type { Tensor } from "../graph/tensor.js";
import { flattenStruct, ownScope } from "./input-structure.js";
import type { Flattened, TensorStruct, TensorsOf } from "./input-structure.js";
import { addQueueRunner, QueueRunner } from "./queue-runner.js";

export type { TensorStruct, TensorsOf } from "./input-structure.js";

export interface BatchJoinOptions extends NameOption {
  /** The queue's capacity; default 32. */
  capacity?: number;
  /** Each input is a batch of examples along dimension 0 (else one example). */
  enqueueMany?: boolean;
  /** The shape of one example per component, when the inputs' static shapes do not say. */
  shapes?: ShapesArg;
  /** Pad each batch to its largest example (PaddingFIFOQueue): 0, or "" for strings. */
  dynamicPad?: boolean;
  /** One last batch of fewer than `batchSize` once the input has ended (else it is dropped). */
  allowSmallerFinalBatch?: boolean;
  /** Shares the queue across sessions (and clients) by this name. */
  sharedName?: string;
}

export interface BatchOptions extends BatchJoinOptions {
  /** Parallel loops running the one enqueue op; default 1 (order kept only with 1). */
  numThreads?: number;
}

export interface ShuffleBatchJoinOptions extends Omit<BatchJoinOptions, "dynamicPad" | "capacity"> {
  capacity: number;
  /** Elements kept in the queue after each dequeue, for a good mix (until the input ends). */
  minAfterDequeue: number;
  seed?: number;
}

export interface ShuffleBatchOptions extends ShuffleBatchJoinOptions {
  numThreads?: number;
}

/** TF's _dtypes: every input list has the same component types. */
function sameTypes(lists: Tensor[][]): Tensor["dtype"][] {
  const types = lists[0]!.map((t) => t.dtype);
  for (const other of lists.slice(1).map((l) => l.map((t) => t.dtype))) {
    if (other.length !== types.length || other.some((d, i) => d !== types[i])) {
      throw new TypeError(`Expected types to be consistent: ${types.join(", ")} vs. ${other.join(", ")}.`);
    }
  }
  return types;
}

/**
 * TF's _shapes: the given shapes, else one example's static shape per component. Each list's
 * shape must be compatible with the others', but the first list's is kept: TF's _merge_shapes
 * drops the result of merge_with, so with dynamicPad a `null` dim of the first source stays
 * variable even when another source knows it.
 */
function exampleShapes(lists: Tensor[][], shapes: ShapesArg | undefined, enqueueMany: boolean): ShapesArg {
  if (shapes !== undefined) return shapes;
  for (const list of lists) {
    for (const t of list) if (t.shape === null) throw new RangeError(`Cannot infer Tensor's rank: ${t.toString()}`);
  }
  return lists[0]!.map((_, i) => {
    const perList = lists.map((list) => {
      const s = list[i]!.shape as (number | null)[];
      if (!enqueueMany) return s;
      if (s.length < 1) throw new RangeError(`Shape ${pyShape(s)} must have rank at least 1`);
      return s.slice(1);
    });
    for (const s of perList.slice(1)) mergeShapes(perList[0]!, s);
    return perList[0]!;
  });
}

type QueueSpec = QueueOptions & { shapes: ShapesArg };

interface BatchPlan<T> {
  kind: string;
  flats: Flattened<T>[];
  batchSize: TensorLike;
  options: BatchJoinOptions;
  /** Loops per input list: numThreads copies of the one enqueue op (batch), or one per list (join). */
  copies: number;
  makeQueue: (spec: QueueSpec) => QueueBase;
}

/** The shared body of the four helpers (TF's _batch / _batch_join / _shuffle_batch / _shuffle_batch_join). */
function buildBatch<T extends TensorStruct>(plan: BatchPlan<T>): TensorsOf<T> {
  const { flats, options } = plan;
  if (flats.length === 0) throw new RangeError(`Expected at least one input in ${plan.kind}().`);
  const graph = graphOf(flats.flatMap((f) => f.values));
  return ownScope(graph, options.name ?? plan.kind, (scope) => {
    const queue = scope.inside(() => {
      const lists = flats.map((f) => f.values.map((v) => toTensor(v)));
      if (lists.some((l) => l.length === 0)) throw new RangeError(`Expected at least one tensor in ${plan.kind}().`);
      const dtypes = sameTypes(lists);
      const shapes = exampleShapes(lists, options.shapes, options.enqueueMany ?? false);
      const q = plan.makeQueue({
        capacity: options.capacity ?? 32,
        dtypes,
        shapes,
        ...(options.sharedName !== undefined ? { sharedName: options.sharedName } : {}),
      });
      const enqueueOps = lists.map((list) => (options.enqueueMany ? q.enqueueMany(list) : q.enqueue(list)));
      addQueueRunner(new QueueRunner(q, enqueueOps.flatMap((op) => Array.from({ length: plan.copies }, () => op))));
      return q;
    });
    const dequeue = options.allowSmallerFinalBatch ? queue.dequeueUpTo.bind(queue) : queue.dequeueMany.bind(queue);
    return flats[0]!.rebuild(dequeue(plan.batchSize, { name: scope.relative }));
  });
}

function checkJoinKeys<T extends TensorStruct>(flats: Flattened<T>[]): void {
  const keys = flats[0]?.keys;
  if (!keys) return;
  for (const f of flats.slice(1)) {
    if (!f.keys || f.keys.length !== keys.length || f.keys.some((k, i) => k !== keys[i])) {
      throw new RangeError("All dictionaries in tensors_list must have the same keys");
    }
  }
}

function checkThreads(numThreads: number | undefined): number {
  const n = numThreads ?? 1;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`numThreads must be a positive integer, got ${n}`);
  return n;
}

function fifoOrPadding(dynamicPad: boolean | undefined): (spec: QueueSpec) => QueueBase {
  return (spec) => (dynamicPad ? new PaddingFIFOQueue(spec) : new FIFOQueue(spec));
}

function shuffling(options: ShuffleBatchJoinOptions): (spec: QueueSpec) => QueueBase {
  if (options.capacity <= options.minAfterDequeue) {
    throw new RangeError(`capacity ${options.capacity} must be bigger than min_after_dequeue ${options.minAfterDequeue}.`);
  }
  return (spec) =>
    new RandomShuffleQueue({ ...spec, minAfterDequeue: options.minAfterDequeue, ...(options.seed !== undefined ? { seed: options.seed } : {}) });
}

/**
 * Batches of `batchSize` examples from `tensors` (one example per run of the inputs, or a batch
 * of them with `enqueueMany`), through a FIFOQueue fed by `numThreads` loops (TF's batch).
 * @example const [images, labels] = tf.train.batch([image, label], 32, {numThreads: 4});
 */
export function batch<T extends TensorStruct>(tensors: T, batchSize: TensorLike, options: BatchOptions = {}): TensorsOf<T> {
  const copies = checkThreads(options.numThreads);
  return buildBatch({ kind: "batch", flats: [flattenStruct(tensors)], batchSize, options, copies, makeQueue: fifoOrPadding(options.dynamicPad) });
}

/**
 * Batches mixing several sources, one loop per source; each source keeps its order (TF's batch_join).
 * @example const [x, y] = tf.train.batchJoin([[x0, y0], [x1, y1]], 16);
 */
export function batchJoin<T extends TensorStruct>(tensorsList: readonly T[], batchSize: TensorLike, options: BatchJoinOptions = {}): TensorsOf<T> {
  const flats = tensorsList.map((t) => flattenStruct(t));
  checkJoinKeys(flats);
  return buildBatch({ kind: "batch_join", flats, batchSize, options, copies: 1, makeQueue: fifoOrPadding(options.dynamicPad) });
}

/**
 * Batches of examples in random order through a RandomShuffleQueue that keeps at least
 * `minAfterDequeue` examples (TF's shuffle_batch).
 * @example const [x, y] = tf.train.shuffleBatch([x1, y1], 32, {capacity: 50_000, minAfterDequeue: 10_000});
 */
export function shuffleBatch<T extends TensorStruct>(tensors: T, batchSize: TensorLike, options: ShuffleBatchOptions): TensorsOf<T> {
  const makeQueue = shuffling(options);
  const copies = checkThreads(options.numThreads);
  return buildBatch({ kind: "shuffle_batch", flats: [flattenStruct(tensors)], batchSize, options, copies, makeQueue });
}

/**
 * shuffleBatch over several sources, one loop per source (TF's shuffle_batch_join).
 * @example const [x, y] = tf.train.shuffleBatchJoin([[x0, y0], [x1, y1]], 32, {capacity: 200, minAfterDequeue: 100});
 */
export function shuffleBatchJoin<T extends TensorStruct>(tensorsList: readonly T[], batchSize: TensorLike, options: ShuffleBatchJoinOptions): TensorsOf<T> {
  const makeQueue = shuffling(options);
  const flats = tensorsList.map((t) => flattenStruct(t));
  checkJoinKeys(flats);
  return buildBatch({ kind: "shuffle_batch_join", flats, batchSize, options, copies: 1, makeQueue });
}
