/**
 * Builders of the ops gradient graphs are made of (their kernels are in
 * engine/kernels/training.ts): AddN, SigmoidGrad, TanhGrad, ReluGrad, BroadcastGradientArgs,
 * UnsortedSegmentSum, InvertPermutation — and `unbroadcast`, which sums a gradient back to the
 * shape of an input that was broadcast.
 */
import { ndarray } from "../../tensor/ndarray.js";
import { constantOp, makeOp, makeTensorOp } from "../convert.js";
import type { NameOption } from "../convert.js";
import type { Shape } from "../graph-def.js";
import { shape as shapeOf, reshape } from "../ops/array.js";
import { reduceSum } from "../ops/math-reduce.js";
import { constantNumbers, isFullyDefined } from "../ops/shape-utils.js";
import type { Tensor } from "../tensor.js";

/** The sum of `xs` (one tensor: itself; more: an AddN op). */
export function addN(xs: Tensor[], options: NameOption = {}): Tensor {
  if (xs.length === 0) throw new RangeError("addN needs at least one tensor");
  if (xs.length === 1) return xs[0]!;
  const first = xs[0]!;
  const shape = xs.map((x) => x.shape).find((s) => isFullyDefined(s)) ?? first.shape;
  return makeTensorOp("AddN", xs, { N: { i: xs.length }, T: { type: first.dtype } }, first.dtype, shape === null ? null : [...shape], { name: options.name ?? "AddN" });
}

function gradOp(type: string, a: Tensor, b: Tensor): Tensor {
  return makeTensorOp(type, [a, b], { T: { type: a.dtype } }, a.dtype, a.shape === null ? null : [...a.shape], { name: type });
}

/** dy · y · (1 − y) for y = sigmoid(x). */
export const sigmoidGrad = (y: Tensor, dy: Tensor): Tensor => gradOp("SigmoidGrad", y, dy);
/** dy · (1 − y²) for y = tanh(x). */
export const tanhGrad = (y: Tensor, dy: Tensor): Tensor => gradOp("TanhGrad", y, dy);
/** `gradients` where `features` > 0, else 0. */
export const reluGrad = (gradients: Tensor, features: Tensor): Tensor => gradOp("ReluGrad", gradients, features);

/** For shapes s0, s1 of two broadcast operands: the axes each one's gradient is summed over. */
export function broadcastGradientArgs(s0: Tensor, s1: Tensor): [Tensor, Tensor] {
  const op = makeOp("BroadcastGradientArgs", [s0, s1], { T: { type: s0.dtype } }, [
    { dtype: s0.dtype, shape: [null] },
    { dtype: s0.dtype, shape: [null] },
  ], { name: "BroadcastGradientArgs" });
  return [op.outputs[0]!, op.outputs[1]!];
}

/** Sums the rows of `data` into `numSegments` rows by `segmentIds` (dense gather gradient). */
export function unsortedSegmentSum(data: Tensor, segmentIds: Tensor, numSegments: Tensor): Tensor {
  const ids = segmentIds.shape;
  const n = constantNumbers(numSegments)?.[0] ?? null;
  const outShape: Shape = data.shape === null || ids === null ? null : [n, ...data.shape.slice(ids.length)];
  return makeTensorOp(
    "UnsortedSegmentSum",
    [data, segmentIds, numSegments],
    { T: { type: data.dtype }, Tindices: { type: segmentIds.dtype }, Tnumsegments: { type: numSegments.dtype } },
    data.dtype,
    outShape,
    { name: "UnsortedSegmentSum" },
  );
}

/** The inverse of a permutation vector. */
export function invertPermutation(perm: Tensor): Tensor {
  return makeTensorOp("InvertPermutation", [perm], { T: { type: perm.dtype } }, perm.dtype, perm.shape === null ? null : [...perm.shape], { name: "InvertPermutation" });
}

function intConst(values: number[], name: string): Tensor {
  return constantOp(ndarray(values, { dtype: "int32", shape: [values.length] }), name);
}

/**
 * `grad` (shaped like a broadcast result) summed over the axes along which `x` was broadcast and
 * reshaped to x's shape. With both static shapes known the axes are computed here; otherwise the
 * graph computes them with BroadcastGradientArgs, as TF does.
 */
export function unbroadcast(grad: Tensor, x: Tensor, other: Tensor): Tensor {
  const [gs, xs] = [grad.shape, x.shape];
  if (isFullyDefined(gs) && isFullyDefined(xs)) {
    const offset = gs.length - xs.length;
    const axes = gs.flatMap((d, i) => (i < offset || (xs[i - offset] === 1 && d !== 1) ? [i] : []));
    if (axes.length === 0) return gs.length === xs.length ? grad : reshape(grad, intConst(xs, "Shape"));
    return reshape(reduceSum(grad, intConst(axes, "reduction_indices")), intConst(xs, "Shape"));
  }
  const [sx, so] = [shapeOf(x), shapeOf(other)];
  const [rx] = broadcastGradientArgs(sx, so);
  return reshape(reduceSum(grad, rx), sx);
}
