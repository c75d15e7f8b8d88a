/**
 * Kernels of TF's fused cross-entropy ops: SoftmaxCrossEntropyWithLogits and
 * SparseSoftmaxCrossEntropyWithLogits, each giving (loss per row, backprop = softmax - labels);
 * and L2Loss, sum(x²) / 2, summed on the host in double.
 */
import { isFloating } from "../../tensor/dtypes.js";
import { NDArray, ndarray } from "../../tensor/ndarray.js";
import { compute, tfc } from "../compute/backend.js";
import { broadcastShape, input, invalidArg, shapeStr, toNumbers } from "./kernel-utils.js";
import { registerKernel } from "./registry.js";

registerKernel("SoftmaxCrossEntropyWithLogits", (ctx) => {
  const [logits, labels] = [input(ctx, 0), input(ctx, 1)];
  if (!isFloating(logits.dtype)) throw invalidArg(ctx, `SoftmaxCrossEntropyWithLogits does not support dtype ${logits.dtype}`);
  const shape = broadcastShape(logits.shape, labels.shape);
  if (!shape) throw invalidArg(ctx, `logits and labels must be broadcastable: logits_size=${shapeStr(logits.shape)} labels_size=${shapeStr(labels.shape)}`);
  if (shape.length !== 2) throw invalidArg(ctx, "logits and labels must be either 2-dimensional, or broadcasted to be 2-dimensional");
  return compute([logits, labels], [logits.dtype, logits.dtype], (x, y) => {
    const features = tfc.broadcastTo(x!, shape as [number, number]);
    const logProbs = tfc.logSoftmax(features);
    const loss = tfc.neg(tfc.sum(tfc.mul(y!, logProbs), 1));
    return [loss, tfc.sub(tfc.exp(logProbs), y!)];
  });
});

registerKernel("SparseSoftmaxCrossEntropyWithLogits", (ctx) => {
  const [logits, labels] = [input(ctx, 0), input(ctx, 1)];
  if (!isFloating(logits.dtype)) throw invalidArg(ctx, `SparseSoftmaxCrossEntropyWithLogits does not support dtype ${logits.dtype}`);
  if (logits.rank !== 2) throw invalidArg(ctx, `logits must be 2-D, but got shape ${shapeStr(logits.shape)}`);
  if (labels.rank !== 1) throw invalidArg(ctx, `labels must be 1-D, but got shape ${shapeStr(labels.shape)}`);
  if (logits.shape[0] !== labels.shape[0]) {
    throw invalidArg(ctx, `logits and labels must have the same first dimension, got logits shape ${shapeStr(logits.shape)} and labels shape ${shapeStr(labels.shape)}`);
  }
  const classes = logits.shape[1]!;
  const values = toNumbers(labels);
  if (values.some((v) => v < 0 || v >= classes)) {
    const bad = values.find((v) => v < 0 || v >= classes)!;
    throw invalidArg(ctx, `Received a label value of ${bad} which is outside the valid range of [0, ${classes}).  Label values: ${values.join(" ")}`);
  }
  // Class ids were range-checked above, so int32 holds them exactly (int64 never reaches TensorFlow.js).
  const ids = new NDArray("int32", [...labels.shape], Int32Array.from(values));
  return compute([logits, ids], [logits.dtype, logits.dtype], (x, y) => {
    const oneHot = tfc.cast(tfc.oneHot(tfc.cast(y!, "int32"), classes), "float32");
    const logProbs = tfc.logSoftmax(x!);
    const loss = tfc.neg(tfc.sum(tfc.mul(oneHot, logProbs), 1));
    return [loss, tfc.sub(tfc.exp(logProbs), oneHot)];
  });
});

registerKernel("L2Loss", (ctx) => {
  const t = input(ctx, 0);
  if (!isFloating(t.dtype)) throw invalidArg(ctx, `L2Loss does not support dtype ${t.dtype}`);
  const x = t.data as Float32Array | Float64Array;
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i]! * x[i]!;
  return [ndarray(sum / 2, { dtype: t.dtype })];
});
