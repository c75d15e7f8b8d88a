/**
 * TF's queue-based input producers (python/training/input.py), with TF's graph structure and
 * names: limitEpochs, inputProducer, stringInputProducer, rangeInputProducer, sliceInputProducer.
 * Each producer builds a FIFOQueue, an enqueue op that pushes a whole (optionally shuffled)
 * epoch at once, and a QueueRunner added to QUEUE_RUNNERS; nothing flows until the runners are
 * started (tf.train.startQueueRunners). With `numEpochs`, an epoch counter (a local variable:
 * run tf.localVariablesInitializer()) ends the input with OutOfRangeError, the runner closes the
 * queue, and consumers get OutOfRangeError once it is drained. Batching is in input-batch.ts.
 *
 * @example
 * const files = tf.train.stringInputProducer(["a.csv", "b.csv"], {numEpochs: 2, shuffle: false});
 * const [, line] = new tf.TextLineReader().read(files);
 */
import { convertToTensor } from "../graph/convert.js";
import type { NameOption, TensorLike } from "../graph/convert.js";
import type { Shape } from "../graph/graph-def.js";
import { GraphKeys } from "../graph/graph.js";
import type { Operation } from "../graph/graph.js";
import { shape as shapeOf, identity, size } from "../graph/ops/array.js";
import { assert } from "../graph/ops/control.js";
import { greater } from "../graph/ops/math.js";
import { controlDependencies } from "../graph/scopes.js";
import { gather } from "../graph/ops/array-index.js";
import { graphOf, toTensor } from "../graph/ops/builder-utils.js";
import { countUpTo, randomShuffle } from "../graph/ops/count-up-to.js";
import { constant, range } from "../graph/ops/creation.js";
import { FIFOQueue } from "../graph/ops/data-flow.js";
import type { QueueOptions, ShapeLike } from "../graph/ops/data-flow.js";
import { isFullyDefined, mergeShapes } from "../graph/ops/shape-utils.js";
import { isTensorConvertible, Tensor } from "../graph/tensor.js";
import { Variable } from "../graph/variables.js";
import { flattenStruct, ownScope } from "./input-structure.js";
import type { TensorsOf } from "./input-structure.js";
import { addQueueRunner, QueueRunner } from "./queue-runner.js";

/**
 * `tensor`, which may be evaluated `numEpochs` times; the next evaluation fails with
 * OutOfRangeError "Reached limit of N". Counts in a local int64 variable "epochs" (in
 * LOCAL_VARIABLES: run tf.localVariablesInitializer()). No `numEpochs`: `tensor` unchanged.
 * @example const once = tf.train.limitEpochs(tf.constant("Love Me"), 1);
 */
export function limitEpochs(tensor: TensorLike, numEpochs?: number | null, options: NameOption = {}): Tensor {
  const graph = graphOf([tensor]);
  if (numEpochs === undefined || numEpochs === null) return graph.asDefault(() => toTensor(tensor));
  if (!Number.isInteger(numEpochs)) throw new TypeError(`num_epochs must be an integer, got ${numEpochs}`);
  if (numEpochs <= 0) throw new RangeError(`num_epochs must be > 0 not ${numEpochs}.`);
  return ownScope(graph, options.name ?? "limit_epochs", (scope) => {
    const { input, counter } = scope.inside(() => {
      const input = toTensor(tensor, undefined, "tensor");
      const zero64 = constant(0, { dtype: "int64" });
      const epochs = new Variable(zero64, { name: "epochs", trainable: false, collections: [GraphKeys.LOCAL_VARIABLES] });
      return { input, counter: countUpTo(epochs, numEpochs) };
    });
    return graph.withControlDependencies([counter.op], () => identity(input, { name: scope.relative }));
  });
}

export interface ProducerOptions extends NameOption {
  /** How many times each element is produced; unlimited when omitted. */
  numEpochs?: number;
  /** A new random order each epoch; default true. */
  shuffle?: boolean;
  seed?: number;
  /** The queue's capacity; default 32. */
  capacity?: number;
  /** Shares the queue across sessions (and clients) by this name. */
  sharedName?: string;
  /** The runner's cancel op, instead of closing the queue with cancelPendingEnqueues. */
  cancelOp?: Operation;
}

export interface InputProducerOptions extends ProducerOptions {
  /** The shape of one element, when `inputTensor.shape[1:]` is not fully known. */
  elementShape?: ShapeLike;
}

function toShape(s: ShapeLike | undefined): Shape {
  return s === undefined ? null : s.map((d) => (d === null || d < 0 ? null : d));
}

/**
 * The common part of every producer: shuffle, limitEpochs and the enqueue op inside the scope
 * (`inside`), the queue from `makeQueue`, its runner registered in QUEUE_RUNNERS.
 */
function buildProducer(
  input: Tensor,
  elementShapeArg: ShapeLike | undefined,
  options: ProducerOptions,
  inside: <T>(fn: () => T) => T,
  makeQueue: (spec: QueueOptions) => FIFOQueue,
): FIFOQueue {
  const elementShape = mergeShapes(input.shape === null ? null : input.shape.slice(1), toShape(elementShapeArg));
  if (!isFullyDefined(elementShape)) {
    throw new RangeError("Either `input_tensor` must have a fully defined shape or `element_shape` must be specified");
  }
  const epoch = inside(() => {
    const shuffled = (options.shuffle ?? true) ? randomShuffle(input, options.seed === undefined ? {} : { seed: options.seed }) : input;
    return limitEpochs(shuffled, options.numEpochs);
  });
  const queue = makeQueue({
    capacity: options.capacity ?? 32,
    dtypes: [input.dtype],
    shapes: [elementShape],
    ...(options.sharedName !== undefined ? { sharedName: options.sharedName } : {}),
  });
  inside(() => {
    const enqueue = queue.enqueueMany([epoch]);
    addQueueRunner(new QueueRunner(queue, [enqueue], options.cancelOp ? { cancelOp: options.cancelOp } : {}));
  });
  return queue;
}

/**
 * A queue fed with the rows of `inputTensor`, a whole epoch per enqueue (TF's input_producer):
 * scope "input_producer", queue "input_producer/fifo_queue".
 * @example const q = tf.train.inputProducer(tf.constant([[1, 2], [3, 4]]), {numEpochs: 1, shuffle: false});
 */
export function inputProducer(inputTensor: TensorLike, options: InputProducerOptions = {}): FIFOQueue {
  const graph = graphOf([inputTensor]);
  return graph.asDefault(() =>
    graph.withNameScope(options.name ?? "input_producer", () => {
      const input = toTensor(inputTensor, undefined, "input_tensor");
      return buildProducer(input, options.elementShape, options, (fn) => fn(), (spec) => new FIFOQueue({ ...spec, ...(options.name ? { name: options.name } : {}) }));
    }),
  );
}

/** A producer whose queue takes the scope's own name, as string/range_input_producer's do. */
function namedProducer(inputOf: () => Tensor, graphInputs: readonly unknown[], options: ProducerOptions): FIFOQueue {
  return ownScope(graphOf(graphInputs), options.name ?? "input_producer", (scope) => {
    const input = scope.inside(inputOf);
    return buildProducer(input, [], options, scope.inside, (spec) => new FIFOQueue({ ...spec, name: scope.relative }));
  });
}

/**
 * A queue of strings (usually file names) for readers, one epoch per enqueue, shuffled by
 * default (TF's string_input_producer): queue op "input_producer".
 * @example const q = tf.train.stringInputProducer(["file0.csv", "file1.csv"], {numEpochs: 5});
 */
export function stringInputProducer(strings: TensorLike, options: ProducerOptions = {}): FIFOQueue {
  const literal = !(strings instanceof Tensor) && !isTensorConvertible(strings);
  if (literal && (strings === "" || (Array.isArray(strings) && strings.length === 0))) {
    throw new RangeError("string_input_producer requires a non-null input tensor");
  }
  // As TF: a tensor that turns out empty at run time fails the producer's enqueue instead of spinning.
  return namedProducer(
    () => {
      const input = convertToTensor(strings, "string");
      const check = assert(greater(size(input), 0), ["string_input_producer requires a non-null input tensor"]);
      return controlDependencies([check], () => identity(input));
    },
    [strings],
    options,
  );
}

/**
 * A queue of the int32 indices 0 .. limit-1, one epoch per enqueue (TF's range_input_producer).
 * @example const q = tf.train.rangeInputProducer(5, {numEpochs: 3, shuffle: false});
 */
export function rangeInputProducer(limit: TensorLike, options: ProducerOptions = {}): FIFOQueue {
  return namedProducer(() => range(limit), [limit], options);
}

/** What sliceInputProducer takes: an array (or object) of tensors sharing dimension 0. */
export type SliceInput = readonly TensorLike[] | { readonly [key: string]: TensorLike };

/**
 * One row of every tensor per evaluation, the same row of each (TF's slice_input_producer):
 * a rangeInputProducer over dimension 0 of the first tensor, one index dequeued per run.
 * @example const [name, value] = tf.train.sliceInputProducer([names, values], {numEpochs: 3, shuffle: false});
 */
export function sliceInputProducer<T extends SliceInput>(tensorList: T, options: ProducerOptions = {}): TensorsOf<T> {
  const flat = flattenStruct(tensorList);
  if (flat.values.length === 0) throw new RangeError("Expected at least one tensor in slice_input_producer().");
  const graph = graphOf(flat.values);
  return graph.asDefault(() =>
    graph.withNameScope(options.name ?? "input_producer", () => {
      const tensors = flat.values.map((v) => toTensor(v));
      const rangeSize = gather(shapeOf(tensors[0]!), 0);
      // The inner producer gets its default scope: "input_producer/input_producer".
      const queue = rangeInputProducer(rangeSize, { ...options, name: undefined });
      const index = queue.dequeue()[0]!;
      return flat.rebuild(tensors.map((t) => gather(t, index)));
    }),
  );
}
