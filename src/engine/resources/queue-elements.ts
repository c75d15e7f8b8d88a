/**
 * Queue elements as host values: splitting an enqueue_many batch into elements, stacking
 * elements into a dequeue_many batch (padded for PaddingFIFOQueue), and TF's texts for
 * dtypes and shapes as they appear in queue error messages.
 */
import { UnimplementedError } from "../../errors/index.js";
import type { DType } from "../../tensor/dtypes.js";
import { allocData, NDArray, sizeOf } from "../../tensor/ndarray.js";
import type { NDData } from "../../tensor/ndarray.js";
import { maxOf } from "../../util/arrays.js";

/** One queue element: a tuple with one value per component. */
export type Element = NDArray[];

/**
 * A component shape as the queue kernels see it: dims ≥ 0, and -1 for a dimension that varies
 * (PaddingFIFOQueue only). A queue "without shapes" has an empty shape list instead.
 */
export type PartialShape = readonly number[];

/** TF's DataTypeString: the names queue error messages use ("float", not "float32"). */
export function dtypeName(dtype: DType): string {
  switch (dtype) {
    case "float32":
      return "float";
    case "float64":
      return "double";
    default:
      return dtype;
  }
}

/** TF's DataTypeSliceString: "float, int32". */
export function dtypeListString(dtypes: readonly DType[]): string {
  return dtypes.map(dtypeName).join(", ");
}

/** TF's (Partial)TensorShape::DebugString: "[3,?]"; "[]" for a scalar. */
export function shapeString(shape: PartialShape): string {
  return `[${shape.map((d) => (d < 0 ? "?" : String(d))).join(",")}]`;
}

/** TF's ShapeListString: "[[3,2], []]". */
export function shapeListString(shapes: readonly PartialShape[]): string {
  return `[${shapes.map(shapeString).join(", ")}]`;
}

export function sameShape(a: PartialShape, b: PartialShape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** PartialTensorShape::IsCompatibleWith: same rank, and every known dim agrees. */
export function compatibleShape(partial: PartialShape, shape: PartialShape): boolean {
  return partial.length === shape.length && partial.every((d, i) => d < 0 || shape[i]! < 0 || d === shape[i]);
}

export function isFullyDefined(shape: PartialShape): boolean {
  return shape.every((d) => d >= 0);
}

/** Copies `n` values; typed arrays by block copy, string/handle arrays by reference. */
function copyValues(dst: NDData, dstOffset: number, src: NDData, srcOffset: number, n: number): void {
  if (Array.isArray(dst)) {
    const from = src as unknown[];
    const to = dst as unknown[];
    for (let i = 0; i < n; i++) to[dstOffset + i] = from[srcOffset + i];
    return;
  }
  // All typed-array variants share `set`/`subarray`; the dtypes of dst and src always agree.
  (dst as Float64Array).set((src as Float64Array).subarray(srcOffset, srcOffset + n), dstOffset);
}

function sliceValues(data: NDData, start: number, end: number): NDData {
  if (Array.isArray(data)) return (data as unknown[]).slice(start, end) as NDData;
  return (data as Float64Array).slice(start, end);
}

/** Row `index` of a batch along dimension 0, as an independent NDArray. */
export function batchRow(batch: NDArray, index: number): NDArray {
  const rowShape = batch.shape.slice(1);
  const rowSize = sizeOf(rowShape);
  return new NDArray(batch.dtype, rowShape, sliceValues(batch.data, index * rowSize, (index + 1) * rowSize));
}

/** Splits a validated enqueue_many tuple into `batchSize` elements. */
export function splitBatch(components: readonly NDArray[], batchSize: number): Element[] {
  const out: Element[] = [];
  for (let i = 0; i < batchSize; i++) out.push(components.map((c) => batchRow(c, i)));
  return out;
}

/** An all-zero value (0, false, "") of the given shape. */
export function zeros(dtype: DType, shape: number[]): NDArray {
  return new NDArray(dtype, shape, allocData(dtype, sizeOf(shape)));
}

function assertBatchable(dtype: DType): void {
  // TF's CopyElementToSlice has no case for resource handles.
  if (dtype === "resource") throw new UnimplementedError(`CopyElementToSlice Unhandled data type: ${dtype}`);
}

/** Stacks equally-shaped values of one component into a `[n] + shape` batch. */
export function stackComponent(dtype: DType, shape: number[], values: readonly NDArray[]): NDArray {
  assertBatchable(dtype);
  const rowSize = sizeOf(shape);
  const data = allocData(dtype, rowSize * values.length);
  values.forEach((v, i) => copyValues(data, i * rowSize, v.data, 0, rowSize));
  return new NDArray(dtype, [values.length, ...shape], data);
}

/**
 * Stacks values of one component whose shapes differ in the dims marked -1 in `partial`:
 * each such dim becomes the largest size in the batch, and the gaps stay zero (PaddingFIFOQueue).
 */
export function padStackComponent(dtype: DType, partial: PartialShape, values: readonly NDArray[]): NDArray {
  assertBatchable(dtype);
  const slot = partial.map((d, j) => (d >= 0 ? d : Math.max(0, maxOf(values.map((v) => v.shape[j]!), 0))));
  const slotSize = sizeOf(slot);
  const data = allocData(dtype, slotSize * values.length);
  values.forEach((v, i) => copyIntoLargerSlot(data, i * slotSize, slot, v));
  return new NDArray(dtype, [values.length, ...slot], data);
}

/** Copies `v` into the leading corner of a zero-filled slot of shape `slot`, row by row. */
function copyIntoLargerSlot(dst: NDData, dstOffset: number, slot: readonly number[], v: NDArray): void {
  const rank = v.shape.length;
  if (rank === 0) {
    copyValues(dst, dstOffset, v.data, 0, 1);
    return;
  }
  const rowLength = v.shape[rank - 1]!;
  const rows = sizeOf(v.shape) / Math.max(1, rowLength);
  if (rowLength === 0 || rows === 0) return;
  // Strides of the slot, to place each innermost row of `v`.
  const strides = new Array<number>(rank).fill(1);
  for (let j = rank - 2; j >= 0; j--) strides[j] = strides[j + 1]! * slot[j + 1]!;
  const index = new Array<number>(rank).fill(0);
  for (let r = 0; r < rows; r++) {
    let offset = 0;
    for (let j = 0; j < rank - 1; j++) offset += index[j]! * strides[j]!;
    copyValues(dst, dstOffset + offset, v.data, r * rowLength, rowLength);
    for (let j = rank - 2; j >= 0; j--) {
      index[j] = index[j]! + 1;
      if (index[j]! < v.shape[j]!) break;
      index[j] = 0;
    }
  }
}
