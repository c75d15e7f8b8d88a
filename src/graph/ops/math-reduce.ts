/**
 * Matrix products, softmax and reductions: MatMul / BatchMatMulV2, Softmax / LogSoftmax,
 * Sum / Mean / Max / Min with reduction indices as a second input, ArgMax.
 */
import type { DType } from "../../tensor/dtypes.js";
import { constantOp, makeTensorOp } from "../convert.js";
import type { NameOption, TensorLike } from "../convert.js";
import { ndarray } from "../../tensor/ndarray.js";
import type { AttrValue, Shape } from "../graph-def.js";
import type { Tensor } from "../tensor.js";
import { checkDType, FLOAT_TYPES, intTensor, NUMERIC_TYPES, opNamer, sameTypeInputs, toTensor } from "./builder-utils.js";
import { transpose } from "./array.js";
import { broadcastShapes, constantNumbers, normalizeAxis, opContext, shapeString, unknownShapeOfRank } from "./shape-utils.js";

export interface MatMulOptions extends NameOption {
  transposeA?: boolean;
  transposeB?: boolean;
}

function matmulDims(rows: number | null, cols: number | null, transposed: boolean): [number | null, number | null] {
  return transposed ? [cols, rows] : [rows, cols];
}

/**
 * Matrix product (MatMul for matrices, BatchMatMulV2 when either input has batch dimensions).
 * @example const logits = tf.matMul(x, w, {transposeB: false});
 */
export function matMul(a: TensorLike, b: TensorLike, options: MatMulOptions = {}): Tensor {
  const namer = opNamer([a, b], "MatMul", options.name);
  const [x, y] = namer.inside(() => sameTypeInputs("MatMul", [a, b], ["a", "b"]));
  checkDType("MatMul", "a", x!, ["float32", "float64", "int32", "int64"]);
  const [ta, tb] = [options.transposeA ?? false, options.transposeB ?? false];
  const [sa, sb] = [x!.shape, y!.shape];
  const batched = (sa !== null && sa.length > 2) || (sb !== null && sb.length > 2);
  const type = batched ? "BatchMatMulV2" : "MatMul";
  const ctx = opContext(namer.fullName, type);
  for (const s of [sa, sb]) {
    if (s !== null && (batched ? s.length < 2 : s.length !== 2)) {
      throw new RangeError(`Shape must be rank ${batched ? "at least " : ""}2 but is rank ${s.length} for ${ctx} with input shapes: ${shapeString(sa)}, ${shapeString(sb)}.`);
    }
  }
  let shape: Shape = batched ? null : [null, null];
  if (sa !== null && sb !== null) {
    const [m, k1] = matmulDims(sa[sa.length - 2]!, sa[sa.length - 1]!, ta);
    const [k2, n] = matmulDims(sb[sb.length - 2]!, sb[sb.length - 1]!, tb);
    if (k1 !== null && k2 !== null && k1 !== k2) {
      throw new RangeError(`Dimensions must be equal, but are ${k1} and ${k2} for ${ctx} with input shapes: ${shapeString(sa)}, ${shapeString(sb)}.`);
    }
    const batch = batched ? broadcastShapes(sa.slice(0, -2), sb.slice(0, -2), ctx) : [];
    shape = batch === null ? null : [...batch, m, n];
  }
  const attrs: Record<string, AttrValue> = batched
    ? { T: { type: x!.dtype }, adj_x: { b: ta }, adj_y: { b: tb } }
    : { T: { type: x!.dtype }, transpose_a: { b: ta }, transpose_b: { b: tb } };
  return makeTensorOp(type, [x!, y!], attrs, x!.dtype, shape, { name: namer.name });
}

export interface SoftmaxOptions extends NameOption {
  /** The class dimension; -1 (the last) by default. */
  axis?: number;
}

function softmaxLike(type: "Softmax" | "LogSoftmax", logits: TensorLike, options: SoftmaxOptions): Tensor {
  const namer = opNamer([logits], type, options.name);
  const x = namer.inside(() => toTensor(logits, undefined, "logits"));
  checkDType(type, "logits", x, FLOAT_TYPES);
  const rank = x.rank;
  if (rank === 0) throw new RangeError(`Shape must be at least rank 1 but is rank 0 for ${opContext(namer.fullName, type)}`);
  const axis = options.axis ?? -1;
  const last = rank === null ? null : rank - 1;
  if (axis === -1 || (last !== null && normalizeAxis(axis, rank!) === last)) {
    return makeTensorOp(type, [x], { T: { type: x.dtype } }, x.dtype, x.shape === null ? null : [...x.shape], { name: namer.name });
  }
  if (last === null) throw new RangeError(`${type} over axis ${axis} needs a tensor of known rank`);
  // TF swaps the axis with the last one, applies the op, and swaps back.
  const perm = [...Array(rank!).keys()];
  const a = normalizeAxis(axis, rank!);
  [perm[a], perm[last]] = [perm[last]!, perm[a]!];
  const inner = namer.inside(() => {
    const swapped = transpose(x, perm);
    return makeTensorOp(type, [swapped], { T: { type: x.dtype } }, x.dtype, swapped.shape, { name: type });
  });
  return transpose(inner, perm, { name: namer.name });
}

/**
 * exp(x) / sum(exp(x)) over the last axis (Softmax).
 * @example const probs = tf.softmax(logits);
 */
export function softmax(logits: TensorLike, options: SoftmaxOptions = {}): Tensor {
  return softmaxLike("Softmax", logits, options);
}

/**
 * log(softmax(x)), computed stably (LogSoftmax).
 * @example tf.logSoftmax(logits)
 */
export function logSoftmax(logits: TensorLike, options: SoftmaxOptions = {}): Tensor {
  return softmaxLike("LogSoftmax", logits, options);
}

/** Output shape of a reduction; RangeError for an axis out of range. */
function reducedShape(input: Shape, axes: number[] | null, keepDims: boolean, ctx: string): Shape {
  if (input === null) return null;
  if (axes === null) return keepDims ? unknownShapeOfRank(input.length) : null;
  const rank = input.length;
  const reduced = new Set<number>();
  for (const a of axes) {
    if (a < -Math.max(rank, 1) || a >= Math.max(rank, 1)) {
      throw new RangeError(`Invalid reduction dimension ${a} for input with ${rank} dimensions. for ${ctx} with input shapes: ${shapeString(input)}`);
    }
    reduced.add(a < 0 ? a + rank : a);
  }
  const out: (number | null)[] = [];
  input.forEach((d, i) => {
    if (!reduced.has(i)) out.push(d);
    else if (keepDims) out.push(1);
  });
  return out;
}

/** Reduction over `axis` (all axes when omitted), TF's op with reduction indices as input 1. */
function reduction(type: string, allowed: readonly DType[]) {
  return (x: TensorLike, axis?: TensorLike | null, keepDims = false, options: NameOption = {}): Tensor => {
    const namer = opNamer([x, axis], type, options.name);
    const input = namer.inside(() => toTensor(x, undefined, "input"));
    checkDType(type, "input", input, allowed);
    let axisT: Tensor;
    if (axis === undefined || axis === null) {
      // As TF's _ReductionDims: a constant range when the rank is known, else Range(0, Rank(x)).
      axisT = input.rank !== null
        ? constantOp(ndarray([...Array(input.rank).keys()], { dtype: "int32", shape: [input.rank] }), "Const", namer.graph)
        : allAxes(input);
    } else {
      axisT = namer.inside(() => intTensor(axis, "reduction_indices"));
    }
    const ctx = opContext(namer.fullName, type);
    let shape = reducedShape(input.shape, constantNumbers(axisT), keepDims, ctx);
    if ((axis === undefined || axis === null) && !keepDims) shape = [];
    return makeTensorOp(
      type,
      [input, axisT],
      { T: { type: input.dtype }, Tidx: { type: axisT.dtype }, keep_dims: { b: keepDims } },
      input.dtype,
      shape,
      { name: namer.name },
    );
  };
}

function allAxes(x: Tensor): Tensor {
  const namer = opNamer([x], "range");
  const [start, limit, delta] = namer.inside(() => [
    constantOp(ndarray(0, { dtype: "int32" }), "start"),
    makeTensorOp("Rank", [x], { T: { type: x.dtype } }, "int32", [], { name: "Rank" }),
    constantOp(ndarray(1, { dtype: "int32" }), "delta"),
  ]);
  return makeTensorOp("Range", [start!, limit!, delta!], { Tidx: { type: "int32" } }, "int32", [null], { name: namer.name });
}

export type ReduceOp = (x: TensorLike, axis?: TensorLike | null, keepDims?: boolean, options?: NameOption) => Tensor;

/**
 * Sum over `axis` (every axis when omitted) (Sum).
 * @example tf.reduceSum(x, 1, true) // shape [n, 1]
 */
export const reduceSum: ReduceOp = reduction("Sum", NUMERIC_TYPES);
/**
 * Mean over `axis` (Mean; integer means truncate as in TF).
 * @example const loss = tf.reduceMean(xent);
 */
export const reduceMean: ReduceOp = reduction("Mean", NUMERIC_TYPES);
/**
 * Maximum over `axis` (Max).
 * @example tf.reduceMax(x, -1)
 */
export const reduceMax: ReduceOp = reduction("Max", NUMERIC_TYPES);
/**
 * Minimum over `axis` (Min).
 * @example tf.reduceMin(x)
 */
export const reduceMin: ReduceOp = reduction("Min", NUMERIC_TYPES);

export interface ArgMaxOptions extends NameOption {
  /** int64 (TF's default) or int32. */
  outputType?: "int32" | "int64";
}

/**
 * Index of the largest value along `axis` (ArgMax; int64 unless `outputType` says int32).
 * @example const predicted = tf.argMax(logits, 1);
 */
export function argMax(x: TensorLike, axis: TensorLike = 0, options: ArgMaxOptions = {}): Tensor {
  const namer = opNamer([x, axis], "ArgMax", options.name);
  const [input, dim] = namer.inside(() => [toTensor(x, undefined, "input"), intTensor(axis, "dimension")] as const);
  checkDType("ArgMax", "input", input, NUMERIC_TYPES);
  const outputType = options.outputType ?? "int64";
  const a = constantNumbers(dim);
  let shape: Shape = null;
  if (input.shape !== null) {
    shape = unknownShapeOfRank(input.shape.length - 1);
    if (a !== null && a.length === 1) {
      const ax = normalizeAxis(a[0]!, input.shape.length, "ArgMax dimension");
      shape = input.shape.filter((_, i) => i !== ax);
    }
  }
  return makeTensorOp(
    "ArgMax",
    [input, dim],
    { T: { type: input.dtype }, Tidx: { type: dim.dtype }, output_type: { type: outputType } },
    outputType,
    shape,
    { name: namer.name },
  );
}
