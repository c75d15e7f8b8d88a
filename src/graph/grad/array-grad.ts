/**
 * Gradients of the array ops (TF's array_grad.py): pass-through (Identity, ReadVariableOp — whose
 * gradient flows to the variable's handle), reshaping, Transpose, ConcatV2 / Split / SplitV,
 * Pack / Unpack, Slice / Pad, Tile, Fill, Select, and a dense GatherV2 gradient (an
 * UnsortedSegmentSum into the params' shape, where TF would build IndexedSlices).
 */
import { ndarray } from "../../tensor/ndarray.js";
import { constantOp } from "../convert.js";
import type { Operation } from "../graph.js";
import { concat, reshape, shape as shapeOf, stack, transpose, unstack } from "../ops/array.js";
import { pad, slice, split, where } from "../ops/array-index.js";
import { zerosLike } from "../ops/creation.js";
import { cast, sub } from "../ops/math.js";
import { reduceSum } from "../ops/math-reduce.js";
import { constantNumbers, isFullyDefined } from "../ops/shape-utils.js";
import type { Tensor } from "../tensor.js";
import { invertPermutation, unsortedSegmentSum } from "./grad-ops.js";
import { registerGradient, registerNotDifferentiable } from "./registry.js";

const passThrough = (_op: Operation, [g]: (Tensor | null)[]): (Tensor | null)[] => [g ?? null];
registerGradient("Identity", passThrough);
registerGradient("PlaceholderWithDefault", passThrough);
registerGradient("ReadVariableOp", passThrough);

function int32(values: number[], name = "Const"): Tensor {
  return constantOp(ndarray(values, { dtype: "int32", shape: [values.length] }), name);
}

/** `g` reshaped to the shape of `x` (static when known). */
function reshapeLike(g: Tensor, x: Tensor): Tensor {
  return reshape(g, isFullyDefined(x.shape) ? int32(x.shape, "Shape") : shapeOf(x));
}

const toInputShape = (op: Operation, [g]: (Tensor | null)[]): (Tensor | null)[] => [g ? reshapeLike(g, op.inputs[0]!) : null, ...op.inputs.slice(1).map(() => null)];
registerGradient("Reshape", toInputShape);
registerGradient("ExpandDims", toInputShape);
registerGradient("Squeeze", toInputShape);

registerGradient("Transpose", (op, [g]) => {
  if (!g) return [null, null];
  const perm = constantNumbers(op.inputs[1]!);
  if (perm === null) return [transpose(g, invertPermutation(op.inputs[1]!)), null];
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  return [transpose(g, inverse), null];
});

/** The gradients of `outputs`, with zeros where none flows (for ops that join their outputs' gradients). */
function orZeros(op: Operation, grads: (Tensor | null)[]): Tensor[] {
  return op.outputs.map((y, i) => grads[i] ?? zerosLike(y));
}

registerGradient("Pack", (op, [g]) => {
  if (!g) return op.inputs.map(() => null);
  const axis = (op.attrs.axis as { i: number }).i;
  return unstack(g, { num: op.inputs.length, axis });
});
registerGradient("Unpack", (op, grads) => [stack(orZeros(op, grads), (op.attrs.axis as { i: number }).i)]);
registerGradient("Split", (op, grads) => [null, concat(orZeros(op, grads), op.inputs[0]!)]);
registerGradient("SplitV", (op, grads) => [concat(orZeros(op, grads), op.inputs[2]!), null, null]);

registerGradient("ConcatV2", (op, [g]) => {
  const values = op.inputs.slice(0, -1);
  const axisT = op.inputs[op.inputs.length - 1]!;
  if (!g) return op.inputs.map(() => null);
  const raw = constantNumbers(axisT)?.[0];
  const rank = values.map((v) => v.rank).find((r) => r !== null) ?? g.rank;
  if (raw === undefined || rank === null) throw new TypeError(`Gradient of ConcatV2 '${op.name}' needs a constant axis and inputs of known rank`);
  const axis = raw < 0 ? raw + rank : raw;
  const dims = values.map((v) => v.shape?.[axis] ?? null);
  const sizes: number[] | Tensor = dims.every((d) => d !== null)
    ? (dims as number[])
    : concat(values.map((v) => slice(shapeOf(v), [axis], [1])), 0);
  return [...split(g, sizes, axis, { num: values.length }), null];
});

registerGradient("Slice", (op, [g]) => {
  if (!g) return [null, null, null];
  const [x, begin] = [op.inputs[0]!, op.inputs[1]!];
  const b = begin.dtype === "int32" ? begin : cast(begin, "int32");
  const after = sub(sub(shapeOf(x), shapeOf(op.outputs[0]!)), b);
  const paddings = concat([reshape(b, [-1, 1]), reshape(after, [-1, 1])], 1);
  return [pad(g, paddings), null, null];
});

registerGradient("Pad", (op, [g]) => {
  if (!g) return [null, null];
  const x = op.inputs[0]!;
  const before = reshape(slice(op.inputs[1]!, [0, 0], [-1, 1]), [-1]);
  return [slice(g, before, shapeOf(x)), null];
});

registerGradient("Tile", (op, [g]) => {
  if (!g) return [null, null];
  const x = op.inputs[0]!;
  if (x.rank === null) throw new TypeError(`Gradient of Tile '${op.name}' needs an input of known rank`);
  // g reshaped to [m0, d0, m1, d1, ...] and summed over the multiples' axes.
  const multiples = cast(op.inputs[1]!, "int32");
  const splitShape = reshape(transpose(stack([multiples, shapeOf(x)])), [-1]);
  const axes = [...Array(x.rank).keys()].map((i) => 2 * i);
  return [reshapeLike(reduceSum(reshape(g, splitShape), int32(axes, "axes")), x), null];
});

registerGradient("Fill", (_op, [g]) => [null, g ? reduceSum(g) : null]);

registerGradient("Select", (op, [g]) => {
  if (!g) return [null, null, null];
  const c = op.inputs[0]!;
  const zeros = zerosLike(g);
  return [null, where(c, g, zeros), where(c, zeros, g)];
});

/** Dense gradient of GatherV2: scatter-add of `g` into a tensor shaped like params. */
registerGradient("GatherV2", (op, [g]) => {
  if (!g) return [null, null, null];
  const [params, indices, axisT] = [op.inputs[0]!, op.inputs[1]!, op.inputs[2]!];
  const raw = constantNumbers(axisT)?.[0];
  const rank = params.rank;
  if (raw === undefined || rank === null) throw new TypeError(`Gradient of GatherV2 '${op.name}' needs a constant axis and params of known rank`);
  const axis = raw < 0 ? raw + rank : raw;
  const dims = shapeOf(params);
  const dim = (i: number): Tensor => (params.shape![i] !== null ? int32([params.shape![i]!]) : slice(dims, [i], [1]));
  const staticShape = isFullyDefined(params.shape) ? params.shape : null;
  const outer = [...Array(axis).keys()];
  const inner = [...Array(rank - axis - 1).keys()].map((i) => axis + 1 + i);
  // g's shape is params[:axis] + indices.shape + params[axis+1:]; flatten the indices' part.
  const valuesShape = staticShape
    ? int32(staticShape.map((d, i) => (i === axis ? -1 : d)))
    : concat([...outer.map(dim), int32([-1]), ...inner.map(dim)], 0);
  let values = reshape(g, valuesShape);
  if (axis > 0) values = transpose(values, [axis, ...outer, ...inner]);
  const numSegments = staticShape ? constantOp(ndarray(staticShape[axis]!, { dtype: "int32" }), "num_segments") : reshape(slice(dims, [axis], [1]), []);
  let grad = unsortedSegmentSum(values, reshape(indices, [-1]), numSegments);
  if (axis > 0) grad = transpose(grad, [...outer.map((i) => i + 1), 0, ...inner]);
  return [grad, null, null];
});

registerNotDifferentiable(
  "StopGradient",
  "Shape",
  "Size",
  "Rank",
  "ZerosLike",
  "OnesLike",
  "Range",
  "Const",
  "Placeholder",
  "OneHot",
  "RandomUniform",
  "RandomUniformInt",
  "RandomStandardNormal",
  "TruncatedNormal",
  "VarHandleOp",
  "VarIsInitializedOp",
  "BroadcastGradientArgs",
  "InvertPermutation",
);
