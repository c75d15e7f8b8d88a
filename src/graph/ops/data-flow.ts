/**
 * Queues in the graph (TF's data_flow_ops.py): FIFOQueue, RandomShuffleQueue, PaddingFIFOQueue
 * and PriorityQueue build a queue op (FIFOQueueV2, ...) whose output is the queue's resource
 * handle, and methods that build the ops using it (QueueEnqueueV2, QueueDequeueManyV2, ...).
 * Those ops are colocated with the queue op, so they run where the queue lives.
 *
 * @example
 * const q = new tf.FIFOQueue({capacity: 10, dtypes: ["float32", "float32"], shapes: [[], []], sharedName: "q"});
 * const enq = q.enqueueMany([[1, 2, 3], [10, 20, 30]]);
 * const [a, b] = q.dequeue();
 */
import { createHash } from "node:crypto";
import type { DType } from "../../tensor/dtypes.js";
import { NDArray } from "../../tensor/ndarray.js";
import { convertToTensor, makeOp } from "../convert.js";
import type { NameOption, TensorLike } from "../convert.js";
import type { AttrValue, Shape } from "../graph-def.js";
import { getDefaultGraph, Operation } from "../graph.js";
import { isTensorConvertible, Tensor } from "../tensor.js";
import { OpNamer } from "./builder-utils.js";
import { asShapeList, asTypeList, assertCompatible, batchShape, checkEnqueueManyShapes } from "./queue-shapes.js";
import type { ShapesArg } from "./queue-shapes.js";
import { constantNumbers } from "./shape-utils.js";

export type { ShapesArg, ShapeLike } from "./queue-shapes.js";

/** What a dequeue returns: one Tensor per component, or by name when the queue has names. */
export type QueueTensors<N extends string> = [N] extends [never] ? Tensor[] : Record<N, Tensor>;
/** What an enqueue takes: one value per component (or one value for a one-component queue), or by name. */
export type QueueValues<N extends string> = [N] extends [never] ? TensorLike : Record<N, TensorLike>;

export interface QueueOptions<N extends string = never> {
  /** Most elements the queue holds; negative means unbounded. */
  capacity: number;
  dtypes: DType | readonly DType[];
  shapes?: ShapesArg | null;
  names?: N | readonly N[];
  /** Queues with the same shared name (and container) are one queue, across sessions. */
  sharedName?: string;
  name?: string;
}

export interface RandomShuffleQueueOptions<N extends string = never> extends QueueOptions<N> {
  minAfterDequeue: number;
  seed?: number;
}

export interface CloseOptions extends NameOption {
  cancelPendingEnqueues?: boolean;
}

const MAXINT32 = 2147483647;

function isDict(x: unknown): x is Record<string, TensorLike> {
  return (
    typeof x === "object" && x !== null && !Array.isArray(x) && !(x instanceof Tensor) && !(x instanceof NDArray) &&
    !ArrayBuffer.isView(x) && !isTensorConvertible(x)
  );
}

/** Python raises TypeError when a value cannot be the component's dtype (a string for a number). */
function checkValueKind(value: unknown, dtype: DType, depth = 0): void {
  if (depth > 64) return;
  if (Array.isArray(value)) {
    for (const v of value) checkValueKind(v, dtype, depth + 1);
    return;
  }
  const isText = typeof value === "string" || (value instanceof NDArray && value.dtype === "string");
  const isNumber = typeof value === "number" || typeof value === "bigint" || typeof value === "boolean" || (value instanceof NDArray && value.dtype !== "string");
  if ((dtype === "string" && isNumber) || (dtype !== "string" && isText)) {
    throw new TypeError(`Expected ${dtype}, got ${value instanceof NDArray ? `an NDArray of ${value.dtype}` : JSON.stringify(value)} of type '${typeof value}' instead.`);
  }
}

function queueAttrs(dtypes: DType[], shapes: Shape[] | null, capacity: number, sharedName: string | undefined): Record<string, AttrValue> {
  return {
    component_types: { list: { type: dtypes } },
    shapes: { list: { shape: shapes ?? [] } },
    capacity: { i: capacity },
    container: { s: "" },
    shared_name: { s: sharedName ?? "" },
  };
}

/** Adds the queue op; `sharedName` starting with "_" is left for the kernel to reject, as in TF. */
function queueOp(type: string, name: string, attrs: Record<string, AttrValue>): Tensor {
  return makeOp(type, [], attrs, [{ dtype: "resource", shape: [] }], { name }).output;
}

/**
 * The base of every queue: `dtypes`, `shapes` (null per component when unconstrained), `names`,
 * and the ops that use the queue. Build-time mistakes throw at once (TypeError / RangeError).
 */
export class QueueBase<N extends string = never> {
  readonly dtypes: DType[];
  /** One static shape per component; `null` where the queue does not constrain it. */
  readonly shapes: Shape[];
  readonly names: N[] | null;

  constructor(dtypes: DType[], shapes: Shape[] | null, names: N | readonly N[] | undefined, readonly queueRef: Tensor) {
    this.dtypes = dtypes;
    if (shapes !== null && shapes.length !== dtypes.length) throw new RangeError("Queue shapes must have the same length as dtypes");
    this.shapes = shapes ?? dtypes.map(() => null);
    if (names === undefined) this.names = null;
    else {
      const list = typeof names === "string" ? [names] : [...names];
      if (list.length !== dtypes.length) throw new RangeError("List of names must have the same length as the list of dtypes");
      this.names = list;
    }
  }

  /** The queue op's full name. */
  get name(): string {
    return this.queueRef.op.name;
  }

  /** The last part of the name, the prefix of the ops this queue builds ("fifo_queue_Dequeue"). */
  private get baseName(): string {
    return this.name.split("/").pop()!;
  }

  private namer(base: string, name: string | undefined): OpNamer {
    return new OpNamer(this.queueRef.graph, name ?? `${this.baseName}_${base}`);
  }

  /** Enqueues one element (QueueEnqueueV2); blocks at run time while the queue is full. */
  enqueue(values: QueueValues<N>, options: NameOption = {}): Operation {
    const namer = this.namer("enqueue", options.name);
    const tensors = namer.inside(() => this.convertValues(values));
    tensors.forEach((t, i) => assertCompatible(t.shape, this.shapes[i]!));
    return this.handleOp("QueueEnqueueV2", namer, [...tensors], { Tcomponents: { list: { type: tensors.map((t) => t.dtype) } }, timeout_ms: { i: -1 } }, []);
  }

  /** Enqueues each row along dimension 0 of every component (QueueEnqueueManyV2). */
  enqueueMany(values: QueueValues<N>, options: NameOption = {}): Operation {
    const namer = this.namer("EnqueueMany", options.name);
    const tensors = namer.inside(() => this.convertValues(values));
    checkEnqueueManyShapes(tensors.map((t) => t.shape), this.shapes);
    return this.handleOp("QueueEnqueueManyV2", namer, [...tensors], { Tcomponents: { list: { type: tensors.map((t) => t.dtype) } }, timeout_ms: { i: -1 } }, []);
  }

  /** One element (QueueDequeueV2); each output has its component's shape. */
  dequeue(options: NameOption = {}): QueueTensors<N> {
    const namer = this.namer("Dequeue", options.name);
    const op = this.handleOp("QueueDequeueV2", namer, [], this.dequeueAttrs(), this.shapes);
    return this.byName(op.outputs);
  }

  /** Exactly `n` elements stacked (QueueDequeueManyV2): `[n] + shape`, n known when it is a constant. */
  dequeueMany(n: TensorLike, options: NameOption = {}): QueueTensors<N> {
    const namer = this.namer("DequeueMany", options.name);
    const count = namer.inside(() => convertToTensor(n, "int32", "n"));
    const known = constantNumbers(count);
    const batch = known !== null && known.length === 1 ? known[0]! : null;
    const op = this.handleOp("QueueDequeueManyV2", namer, [count], this.dequeueAttrs(), this.shapes.map((s) => batchShape(batch, s)));
    return this.byName(op.outputs);
  }

  /** Up to `n` elements (QueueDequeueUpToV2): fewer only once the queue is closed; `[?] + shape`. */
  dequeueUpTo(n: TensorLike, options: NameOption = {}): QueueTensors<N> {
    const namer = this.namer("DequeueUpTo", options.name);
    const count = namer.inside(() => convertToTensor(n, "int32", "n"));
    const op = this.handleOp("QueueDequeueUpToV2", namer, [count], this.dequeueAttrs(), this.shapes.map((s) => batchShape(null, s)));
    return this.byName(op.outputs);
  }

  /** Closes the queue (QueueCloseV2); see the resource's close for the waiting rules. */
  close(options: CloseOptions = {}): Operation {
    const namer = this.namer("Close", options.name);
    return this.handleOp("QueueCloseV2", namer, [], { cancel_pending_enqueues: { b: options.cancelPendingEnqueues ?? false } }, []);
  }

  /** The number of elements in the queue, an int32 scalar (QueueSizeV2). */
  size(options: NameOption = {}): Tensor {
    return this.handleOp("QueueSizeV2", this.namer("Size", options.name), [], {}, [[]], "int32").output;
  }

  /** Whether the queue is closed, a bool scalar (QueueIsClosedV2). */
  isClosed(options: NameOption = {}): Tensor {
    return this.handleOp("QueueIsClosedV2", this.namer("Is_Closed", options.name), [], {}, [[]], "bool").output;
  }

  private dequeueAttrs(): Record<string, AttrValue> {
    return { component_types: { list: { type: [...this.dtypes] } }, timeout_ms: { i: -1 } };
  }

  /** An op on the queue handle, colocated with the queue op rather than placed by device scopes. */
  private handleOp(type: string, namer: OpNamer, inputs: Tensor[], attrs: Record<string, AttrValue>, outShapes: Shape[], outType?: DType): Operation {
    const outputs = outShapes.map((shape, i) => ({ dtype: outType ?? this.dtypes[i]!, shape: shape === null ? null : [...shape] }));
    return makeOp(type, [this.queueRef, ...inputs], attrs, outputs, { name: namer.name, colocateWith: this.queueRef.op });
  }

  private byName(outputs: Tensor[]): QueueTensors<N> {
    if (this.names === null) return outputs as QueueTensors<N>;
    const out: Record<string, Tensor> = {};
    this.names.forEach((n, i) => (out[n] = outputs[i]!));
    return out as QueueTensors<N>;
  }

  /** TF's `_check_enqueue_dtypes`: dicts by name, else a list (or one value), converted per dtype. */
  private convertValues(values: QueueValues<N>): Tensor[] {
    let list: TensorLike[];
    if (isDict(values)) {
      if (this.names === null) throw new TypeError("Queue must have names to enqueue a dictionary");
      const keys = Object.keys(values).sort();
      const names = [...this.names].sort();
      if (keys.length !== names.length || keys.some((k, i) => k !== names[i])) {
        throw new RangeError(`Keys in dictionary to enqueue do not match names of Queue.  Dictionary: (${keys.join(", ")}), Queue: (${names.join(", ")})`);
      }
      list = this.names.map((n) => values[n]!);
    } else {
      if (this.names !== null) throw new TypeError("You must enqueue a dictionary in a Queue with names");
      // A one-component queue takes its value bare; [v] also works. Otherwise: one value per component.
      const v = values as TensorLike;
      list = Array.isArray(v) && !(this.dtypes.length === 1 && v.length !== 1) ? v : [v];
    }
    if (list.length !== this.dtypes.length) {
      throw new RangeError(`Queue of ${this.dtypes.length} components expected ${this.dtypes.length} values, got ${list.length}`);
    }
    return list.map((v, i) => {
      checkValueKind(v, this.dtypes[i]!);
      return convertToTensor(v, this.dtypes[i]!, `component_${i}`);
    });
  }
}

/**
 * A first-in first-out queue (FIFOQueueV2).
 * @example const q = new tf.FIFOQueue({capacity: 10, dtypes: "float32", shapes: []});
 */
export class FIFOQueue<N extends string = never> extends QueueBase<N> {
  constructor(options: QueueOptions<N>) {
    const dtypes = asTypeList(options.dtypes, "FIFOQueueV2");
    const shapes = asShapeList(options.shapes, false);
    const ref = queueOp("FIFOQueueV2", options.name ?? "fifo_queue", queueAttrs(dtypes, shapes, options.capacity, options.sharedName));
    super(dtypes, shapes, options.names, ref);
  }
}

/**
 * A queue that dequeues in random order and, while open, keeps `minAfterDequeue` elements
 * (RandomShuffleQueueV2). `seed` (with the graph seed) makes the order repeatable.
 */
export class RandomShuffleQueue<N extends string = never> extends QueueBase<N> {
  constructor(options: RandomShuffleQueueOptions<N>) {
    const dtypes = asTypeList(options.dtypes, "RandomShuffleQueueV2");
    const shapes = asShapeList(options.shapes, false);
    const [seed, seed2] = randomShuffleSeeds(options.seed, options.sharedName);
    const attrs = {
      ...queueAttrs(dtypes, shapes, options.capacity, options.sharedName),
      min_after_dequeue: { i: options.minAfterDequeue },
      seed: { i: seed },
      seed2: { i: seed2 },
    };
    super(dtypes, shapes, options.names, queueOp("RandomShuffleQueueV2", options.name ?? "random_shuffle_queue", attrs));
  }
}

/**
 * TF's seeds for a RandomShuffleQueue: get_seed(seed), and with a graph seed but no op seed, a
 * seed2 that depends only on the graph seed and the shared name, so every sharer agrees.
 */
export function randomShuffleSeeds(opSeed: number | undefined, sharedName: string | undefined): [number, number] {
  const graph = getDefaultGraph();
  if (graph.seed === null && opSeed === undefined) return [0, 0];
  const [seed1, opPart] = graph.seeds(opSeed).map((s) => s % MAXINT32) as [number, number];
  // get_seed avoids (0, 0), which the kernel reads as "pick random seeds".
  let seed2 = seed1 === 0 && opPart === 0 ? MAXINT32 : opPart;
  if (opSeed === undefined && sharedName !== undefined) {
    const digest = createHash("md5").update(`${seed1}${sharedName}`, "utf8").digest("hex");
    seed2 = Number.parseInt(digest.slice(0, 8), 16) & 0x7fffffff;
  }
  return [seed1, seed2];
}

/**
 * A FIFO queue whose components may vary in the dims given as `null`; dequeueMany pads each
 * batch to its largest element with zeros (PaddingFIFOQueueV2). `shapes` is required.
 */
export class PaddingFIFOQueue<N extends string = never> extends QueueBase<N> {
  constructor(options: QueueOptions<N>) {
    const dtypes = asTypeList(options.dtypes, "PaddingFIFOQueueV2");
    const shapes = asShapeList(options.shapes, true)!;
    if (shapes.length !== dtypes.length) {
      throw new RangeError(`Shapes must be provided for all components, but received ${dtypes.length} dtypes and ${shapes.length} shapes.`);
    }
    const ref = queueOp("PaddingFIFOQueueV2", options.name ?? "padding_fifo_queue", queueAttrs(dtypes, shapes, options.capacity, options.sharedName));
    super(dtypes, shapes, options.names, ref);
  }
}

/**
 * A queue that dequeues the smallest int64 priority first (PriorityQueueV2). Its components are
 * `[priority, ...dtypes]`: enqueue `[priority, ...values]`, and each dequeue returns the priority first.
 */
export class PriorityQueue<N extends string = never> extends QueueBase<N> {
  constructor(options: QueueOptions<N>) {
    const types = asTypeList(options.dtypes, "PriorityQueueV2", 0);
    const shapes = asShapeList(options.shapes, false);
    if (shapes !== null && shapes.length !== types.length) throw new RangeError("Queue shapes must have the same length as dtypes");
    const ref = queueOp("PriorityQueueV2", options.name ?? "priority_queue", queueAttrs(types, shapes, options.capacity, options.sharedName));
    super(["int64", ...types], shapes === null ? null : [[], ...shapes], options.names, ref);
  }
}
