/**
 * Run-time checks of an enqueue / enqueue_many tuple, with TF's texts (QueueBase::ValidateTuple
 * and ValidateManyTuple, §3.4). They run before the attempt exists, so a bad tuple leaves the
 * queue exactly as it was.
 */
import { InvalidArgumentError } from "../../errors/index.js";
import type { DType } from "../../tensor/dtypes.js";
import type { NDArray } from "../../tensor/ndarray.js";
import type { PartialShape } from "./queue-elements.js";
import { dtypeListString, dtypeName, shapeListString, shapeString } from "./queue-elements.js";
import { QUEUE_UNBOUNDED } from "./queue-types.js";
import type { QueueRequest } from "./queue-types.js";

/** What a queue exposes to have its tuples checked. */
export interface TupleSpec {
  readonly componentTypes: readonly DType[];
  /** Empty for a queue without shapes. */
  readonly shapes: readonly PartialShape[];
  /** Exact equality, or compatibility for PaddingFIFOQueue's partial shapes. */
  shapeMatches(expected: PartialShape, actual: PartialShape): boolean;
  /** PriorityQueue: component 0 is a scalar priority even when the queue has no shapes. */
  readonly scalarFirstComponent: boolean;
}

/** What a queue exposes to be checked against a second creator's attrs. */
export interface SharedQueueSpec {
  readonly name: string;
  readonly typeName: string;
  readonly capacity: number;
  readonly componentTypes: readonly DType[];
  readonly shapes: readonly PartialShape[];
  requestedShapesMatch(shapes: readonly PartialShape[]): boolean;
}

function mismatch(i: number, expected: PartialShape, actual: PartialShape): InvalidArgumentError {
  return new InvalidArgumentError(`Shape mismatch in tuple component ${i}. Expected ${shapeString(expected)}, got ${shapeString(actual)}`);
}

/** Component count, then dtypes (QueueBase::ValidateTupleCommon). */
function validateCommon(spec: TupleSpec, tuple: readonly NDArray[]): void {
  const expected = spec.componentTypes.length;
  if (tuple.length !== expected) {
    throw new InvalidArgumentError(`Wrong number of components in tuple. Expected ${expected}, got ${tuple.length}`);
  }
  tuple.forEach((t, i) => {
    const want = spec.componentTypes[i]!;
    if (t.dtype !== want) {
      throw new InvalidArgumentError(`Type mismatch in tuple component ${i}. Expected ${dtypeName(want)}, got ${dtypeName(t.dtype)}`);
    }
  });
}

/** An enqueue tuple: each component has its component shape. */
export function validateTuple(spec: TupleSpec, tuple: readonly NDArray[]): void {
  validateCommon(spec, tuple);
  if (spec.shapes.length > 0) {
    tuple.forEach((t, i) => {
      if (!spec.shapeMatches(spec.shapes[i]!, t.shape)) throw mismatch(i, spec.shapes[i]!, t.shape);
    });
  } else if (spec.scalarFirstComponent && tuple[0]!.shape.length !== 0) {
    throw mismatch(0, [], tuple[0]!.shape);
  }
}

/** An enqueue_many tuple: each component is `[batch] + shape`, one batch size for all. Returns the batch size. */
export function validateManyTuple(spec: TupleSpec, tuple: readonly NDArray[]): number {
  validateCommon(spec, tuple);
  tuple.forEach((t, i) => {
    // Python rejects these while building the graph; a fed value can still get here.
    if (t.shape.length === 0) throw mismatch(i, [-1, ...(spec.shapes[i] ?? [])], t.shape);
  });
  const batchSize = tuple[0]!.shape[0]!;
  if (spec.shapes.length > 0) {
    tuple.forEach((t, i) => {
      const expected = [batchSize, ...spec.shapes[i]!];
      if (!spec.shapeMatches(expected, t.shape)) throw mismatch(i, expected, t.shape);
    });
    return batchSize;
  }
  tuple.forEach((t, i) => {
    if (i > 0 && t.shape[0] !== batchSize) {
      throw new InvalidArgumentError(
        `All input tensors must have the same size in the 0th dimension. Component ${i} has ${t.shape[0]}, and should have ${batchSize}`,
      );
    }
  });
  if (spec.scalarFirstComponent && tuple[0]!.shape.length !== 1) throw mismatch(0, [batchSize], tuple[0]!.shape);
  return batchSize;
}

/**
 * A second creator of a shared queue must ask for the same queue (QueueBase::MatchesNodeDef*):
 * op type, capacity, then the kind's extras (RandomShuffleQueue), then types and shapes.
 */
export function checkSharedQueueRequest(queue: SharedQueueSpec, request: QueueRequest, checkExtras: (r: QueueRequest) => void): void {
  const own = `${queue.typeName}V2`;
  if (request.opType !== own && request.opType !== queue.typeName) {
    throw new InvalidArgumentError(
      `Shared queue '${queue.name}' has type '${own}' that does not match type of Node '${request.nodeName}': ${request.opType}`,
    );
  }
  const capacity = request.capacity < 0 ? QUEUE_UNBOUNDED : request.capacity;
  if (capacity !== queue.capacity) {
    throw new InvalidArgumentError(`Shared queue '${queue.name}' has capacity ${queue.capacity} but requested capacity was ${capacity}`);
  }
  checkExtras(request);
  const types = request.componentTypes;
  if (types.length !== queue.componentTypes.length || types.some((t, i) => t !== queue.componentTypes[i])) {
    throw new InvalidArgumentError(
      `Shared queue '${queue.name}' has component types ${dtypeListString(queue.componentTypes)} but requested component types were ${dtypeListString(types)}`,
    );
  }
  if (!queue.requestedShapesMatch(request.shapes)) {
    throw new InvalidArgumentError(
      `Shared queue '${queue.name}' has component shapes ${shapeListString(queue.shapes)} but requested component shapes were ${shapeListString(request.shapes)}`,
    );
  }
}
