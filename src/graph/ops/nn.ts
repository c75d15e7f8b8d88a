/**
 * Losses used by training (tf.nn): the sigmoid cross entropy composed from element-wise ops as TF
 * composes it, and TF's two softmax cross-entropy kernels (loss and backprop outputs).
 */
import { makeOp } from "../convert.js";
import type { NameOption, TensorLike } from "../convert.js";
import type { Shape } from "../graph-def.js";
import type { Tensor } from "../tensor.js";
import { concat, rank as rankOf, reshape, shape as shapeOf, transpose } from "./array.js";
import { slice, where } from "./array-index.js";
import { checkDType, FLOAT_TYPES, opNamer, toTensor } from "./builder-utils.js";
import { zerosLike } from "./creation.js";
import { add, exp, greaterEqual, log1p, mul, neg, sub } from "./math.js";
import { mergeShapes, normalizeAxis, opContext, shapeString } from "./shape-utils.js";

export interface CrossEntropyArgs extends NameOption {
  labels: TensorLike;
  logits: TensorLike;
}

/**
 * max(x, 0) - x * z + log(1 + exp(-|x|)) element-wise, TF's numerically stable logistic loss.
 * @example const loss = tf.reduceMean(tf.nn.sigmoidCrossEntropyWithLogits({labels: y, logits}));
 */
export function sigmoidCrossEntropyWithLogits(args: CrossEntropyArgs): Tensor {
  const namer = opNamer([args.logits, args.labels], "logistic_loss", args.name);
  const parts = namer.inside(() => {
    const x = toTensor(args.logits, undefined, "logits");
    const z = toTensor(args.labels, x.dtype, "labels");
    checkDType("logistic_loss", "logits", x, FLOAT_TYPES);
    if (z.dtype !== x.dtype) throw new TypeError(`logits and labels must have the same dtype (${x.dtype} vs ${z.dtype})`);
    try {
      mergeShapes(z.shape, x.shape);
    } catch {
      throw new RangeError(`logits and labels must have the same shape (${shapeString(x.shape)} vs ${shapeString(z.shape)})`);
    }
    const zeros = zerosLike(x);
    const cond = greaterEqual(x, zeros);
    const reluLogits = where(cond, x, zeros);
    const negAbsLogits = where(cond, neg(x), x);
    return { first: sub(reluLogits, mul(x, z, { name: "mul" }), { name: "sub" }), second: log1p(exp(negAbsLogits)) };
  });
  return add(parts.first, parts.second, { name: namer.name });
}

/** [-1, classes] for reshaping `x` to a matrix, and the shape of its outer dimensions. */
function flattenSpec(x: Tensor): { flat: Tensor | number[]; outer: Tensor } {
  const s = x.shape;
  const rankMinus1: TensorLike = s !== null ? [s.length - 1] : reshape(sub(rankOf(x), 1, { name: "sub" }), [1]);
  const dims = shapeOf(x);
  const last = s?.[s.length - 1];
  const flat = last !== undefined && last !== null ? [-1, last] : concat([[-1], slice(dims, rankMinus1, [1])], 0);
  return { flat, outer: slice(dims, [0], rankMinus1) };
}

function dropDim(s: Shape, axis: number): Shape {
  return s === null ? null : s.filter((_, i) => i !== axis);
}

export interface SoftmaxCrossEntropyArgs extends CrossEntropyArgs {
  /** The class dimension (-1, the last, by default). */
  axis?: number;
}

/**
 * Cross entropy between `labels` (a probability distribution per row) and softmax(`logits`)
 * (TF's SoftmaxCrossEntropyWithLogits kernel; its loss output). Other ranks than 2 are
 * flattened to [-1, classes] and the loss reshaped back, as TF does.
 * @example const xent = tf.nn.softmaxCrossEntropyWithLogits({labels: oneHotLabels, logits});
 */
export function softmaxCrossEntropyWithLogits(args: SoftmaxCrossEntropyArgs): Tensor {
  const namer = opNamer([args.logits, args.labels], "softmax_cross_entropy_with_logits", args.name);
  const type = "SoftmaxCrossEntropyWithLogits";
  const built = namer.inside(() => {
    let logits = toTensor(args.logits, undefined, "logits");
    let labels = toTensor(args.labels, logits.dtype, "labels");
    checkDType(type, "features", logits, FLOAT_TYPES);
    if (labels.dtype !== logits.dtype) throw new TypeError(`logits and labels must have the same dtype (${logits.dtype} vs ${labels.dtype})`);
    mergeShapes(logits.shape, labels.shape, opContext(namer.fullName, type));
    const rank = logits.rank ?? labels.rank;
    const axis = args.axis ?? -1;
    let lossShape: Shape = null;
    if (rank !== null) {
      const at = normalizeAxis(axis, rank, "softmax_cross_entropy_with_logits axis");
      lossShape = dropDim(mergeShapes(logits.shape, labels.shape), at);
      if (at !== rank - 1) {
        const perm = [...Array(rank).keys()];
        [perm[at], perm[rank - 1]] = [rank - 1, at];
        [logits, labels] = [transpose(logits, perm), transpose(labels, perm)];
      }
    } else if (axis !== -1) {
      throw new RangeError("softmaxCrossEntropyWithLogits over an axis other than -1 needs logits of known rank");
    }
    if (rank === 2) return { logits, labels, lossShape, restore: null };
    // Flatten to [-1, classes] and reshape the loss back to the outer dimensions afterwards.
    const { flat, outer } = flattenSpec(logits);
    return { logits: reshape(logits, flat), labels: reshape(labels, flat), lossShape, restore: outer };
  });
  const op = makeOp(
    type,
    [built.logits, built.labels],
    { T: { type: built.logits.dtype } },
    [
      { dtype: built.logits.dtype, shape: built.restore ? [null] : dropDim(built.logits.shape, 1) },
      { dtype: built.logits.dtype, shape: built.logits.shape === null ? null : [...built.logits.shape] },
    ],
    { name: built.restore ? "SoftmaxCrossEntropyWithLogits" : namer.name },
  );
  if (!built.restore) return op.outputs[0]!;
  const cost = reshape(op.outputs[0]!, built.restore, { name: namer.name });
  cost.shape = built.lossShape;
  return cost;
}

/**
 * Cross entropy between integer class `labels` and softmax(`logits`) (TF's
 * SparseSoftmaxCrossEntropyWithLogits kernel; its loss output). Labels outside [0, classes)
 * fail at run time with InvalidArgumentError.
 * @example const xent = tf.nn.sparseSoftmaxCrossEntropyWithLogits({labels: classIds, logits});
 */
export function sparseSoftmaxCrossEntropyWithLogits(args: CrossEntropyArgs): Tensor {
  const namer = opNamer([args.logits, args.labels], "SparseSoftmaxCrossEntropyWithLogits", args.name);
  const type = "SparseSoftmaxCrossEntropyWithLogits";
  return namer.inside(() => {
    const logits = toTensor(args.logits, undefined, "logits");
    const labels = toTensor(args.labels, "int32", "labels");
    checkDType(type, "features", logits, FLOAT_TYPES);
    checkDType(type, "labels", labels, ["int32", "int64"]);
    const [lr, xr] = [labels.rank, logits.rank];
    if (xr === 0) throw new RangeError(`Logits cannot be scalars - received shape ${shapeString(logits.shape)}.`);
    if (lr !== null && xr !== null && lr !== xr - 1) {
      throw new RangeError(`Rank mismatch: Rank of labels (received ${lr}) should equal rank of logits minus 1 (received ${xr}).`);
    }
    if (labels.shape !== null && logits.shape !== null) {
      try {
        mergeShapes(labels.shape, logits.shape.slice(0, -1));
      } catch {
        throw new RangeError(
          `Shape mismatch: The shape of labels (received ${shapeString(labels.shape)}) should equal the shape of logits except for the last dimension (received ${shapeString(logits.shape)}).`,
        );
      }
    }
    const attrs = { T: { type: logits.dtype }, Tlabels: { type: labels.dtype } };
    const twoD = xr === 2;
    const [x, y] = twoD ? [logits, labels] : [reshape(logits, flattenSpec(logits).flat), reshape(labels, [-1])];
    const outShapes: Shape[] = [x.shape === null ? [null] : [x.shape[0]!], x.shape === null ? null : [...x.shape]];
    const op = makeOp(type, [x, y], attrs, outShapes.map((s) => ({ dtype: logits.dtype, shape: s })), { name: type });
    if (twoD) return op.outputs[0]!;
    const cost = reshape(op.outputs[0]!, shapeOf(labels));
    cost.shape = labels.shape === null ? null : [...labels.shape];
    return cost;
  });
}

export { l2Loss, dropout } from "./nn-regularization.js";
export type { DropoutOptions } from "./nn-regularization.js";
