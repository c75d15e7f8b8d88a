/**
 * Gradients of matrix products, softmax, reductions and the fused cross-entropy losses
 * (TF's math_grad.py and nn_grad.py): MatMul, Softmax, LogSoftmax, Sum, Mean, Max, Min,
 * SoftmaxCrossEntropyWithLogits and SparseSoftmaxCrossEntropyWithLogits (whose second output is
 * the backprop the gradient uses).
 */
import { ndarray } from "../../tensor/ndarray.js";
import { constantOp } from "../convert.js";
import type { Operation } from "../graph.js";
import { expandDims, reshape, shape as shapeOf, size as sizeOf } from "../ops/array.js";
import { tile } from "../ops/array-index.js";
import { onesLike } from "../ops/creation.js";
import { add, cast, div, equal, exp, maximum, mul, neg, sub } from "../ops/math.js";
import { logSoftmax, matMul, reduceSum, softmax } from "../ops/math-reduce.js";
import { constantNumbers, isFullyDefined, numElements } from "../ops/shape-utils.js";
import type { Tensor } from "../tensor.js";
import { registerGradient } from "./registry.js";

registerGradient("MatMul", (op, [g]) => {
  if (!g) return [null, null];
  const [a, b] = [op.inputs[0]!, op.inputs[1]!];
  const ta = (op.attrs.transpose_a as { b: boolean } | undefined)?.b ?? false;
  const tb = (op.attrs.transpose_b as { b: boolean } | undefined)?.b ?? false;
  if (!ta && !tb) return [matMul(g, b, { transposeB: true }), matMul(a, g, { transposeA: true })];
  if (!ta && tb) return [matMul(g, b), matMul(g, a, { transposeA: true })];
  if (ta && !tb) return [matMul(b, g, { transposeB: true }), matMul(a, g)];
  return [matMul(b, g, { transposeA: true, transposeB: true }), matMul(g, a, { transposeA: true, transposeB: true })];
});

/** The softmax Jacobian applied to `g`: (g − Σ g·s) · s over the last axis. */
function softmaxBackward(g: Tensor, s: Tensor): Tensor {
  return mul(sub(g, reduceSum(mul(g, s), -1, true)), s);
}

registerGradient("Softmax", (op, [g]) => [g ? softmaxBackward(g, op.outputs[0]!) : null]);
registerGradient("LogSoftmax", (op, [g]) => [g ? sub(g, mul(reduceSum(g, -1, true), exp(op.outputs[0]!))) : null]);

function int32(values: number[], name: string): Tensor {
  return constantOp(ndarray(values, { dtype: "int32", shape: [values.length] }), name);
}

/** Whether `axes` is Range(0, Rank(x)): every axis of x, rank unknown (reduceSum(x) of unknown rank). */
function isAllAxes(axes: Tensor, x: Tensor): boolean {
  const op = axes.op;
  return op.type === "Range" && op.inputs[1]!.op.type === "Rank" && op.inputs[1]!.op.inputs[0] === x && constantNumbers(op.inputs[0]!)?.[0] === 0;
}

/**
 * The shape of a reduction's output with keep_dims (reduced axes as 1), and the multiples that
 * tile it back to the input's shape (TF's reduced_shape): constants when the input's shape is
 * known, shape arithmetic in the graph when only its rank is.
 */
function keptShape(op: Operation): { kept: Tensor; multiples: Tensor } {
  const [x, axesT] = [op.inputs[0]!, op.inputs[1]!];
  const raw = constantNumbers(axesT);
  if (raw === null || x.rank === null) {
    if (isAllAxes(axesT, x)) {
      const dims = shapeOf(x);
      return { kept: onesLike(dims), multiples: dims };
    }
    throw new TypeError(`Gradient of ${op.type} '${op.name}' needs the input's rank and constant reduction axes (input ${x.toString()})`);
  }
  const rank = x.rank;
  const reduced = new Set(raw.map((a) => (a < 0 ? a + rank : a)));
  const keep = [...Array(rank).keys()].map((i) => (reduced.has(i) ? 0 : 1));
  if (isFullyDefined(x.shape)) {
    const dims = x.shape;
    return { kept: int32(dims.map((d, i) => (keep[i] ? d : 1)), "kept_shape"), multiples: int32(dims.map((d, i) => (keep[i] ? 1 : d)), "multiples") };
  }
  const dims = shapeOf(x);
  const kept = add(mul(dims, int32(keep, "keep")), int32(keep.map((k) => 1 - k), "reduced"));
  return { kept, multiples: div(dims, maximum(kept, 1)) };
}

/** The gradient of a sum: `g` reshaped to the kept-dims shape and tiled to the input's shape. */
function sumGrad(op: Operation, g: Tensor): Tensor {
  const { kept, multiples } = keptShape(op);
  const reshaped = reshape(g, kept);
  const m = constantNumbers(multiples);
  return m !== null && m.every((v) => v === 1) ? reshaped : tile(reshaped, multiples);
}

registerGradient("Sum", (op, [g]) => [g ? sumGrad(op, g) : null, null]);

registerGradient("Mean", (op, [g]) => {
  if (!g) return [null, null];
  const [x, y] = [op.inputs[0]!, op.outputs[0]!];
  const [nx, ny] = [numElements(x.shape), numElements(y.shape)];
  const factor = nx !== null && ny !== null ? nx / Math.max(ny, 1) : cast(div(sizeOf(x), maximum(sizeOf(y), 1)), g.dtype);
  return [div(sumGrad(op, g), factor), null];
});

function minOrMaxGrad(op: Operation, [g]: (Tensor | null)[]): (Tensor | null)[] {
  if (!g) return [null, null];
  const { kept } = keptShape(op);
  const [x, y] = [op.inputs[0]!, op.outputs[0]!];
  // Ties share the gradient equally, as in TF.
  const indicators = cast(equal(reshape(y, kept), x), g.dtype);
  const numSelected = reshape(reduceSum(indicators, op.inputs[1]!), kept);
  return [mul(div(indicators, numSelected), reshape(g, kept)), null];
}
registerGradient("Max", minOrMaxGrad);
registerGradient("Min", minOrMaxGrad);

/** Gradient of the logits from the loss gradient, the backprop output, and a gradient of the backprop. */
function xentLogitsGrad(op: Operation, gLoss: Tensor | null, gBackprop: Tensor | null): Tensor | null {
  let grad: Tensor | null = gLoss ? mul(expandDims(gLoss, -1), op.outputs[1]!) : null;
  if (gBackprop) {
    const term = softmaxBackward(gBackprop, softmax(op.inputs[0]!));
    grad = grad ? add(grad, term) : term;
  }
  return grad;
}

registerGradient("SoftmaxCrossEntropyWithLogits", (op, [gLoss, gBackprop]) => [
  xentLogitsGrad(op, gLoss ?? null, gBackprop ?? null),
  gLoss ? mul(expandDims(gLoss, -1), neg(logSoftmax(op.inputs[0]!))) : null,
]);

registerGradient("SparseSoftmaxCrossEntropyWithLogits", (op, [gLoss, gBackprop]) => [xentLogitsGrad(op, gLoss ?? null, gBackprop ?? null), null]);

// d(½ Σ x²)/dx = x.
registerGradient("L2Loss", (op, [g]) => [g ? mul(op.inputs[0]!, g) : null]);
