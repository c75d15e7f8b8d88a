/**
 * Kernels of matrix products, softmax and reductions on TensorFlow.js: MatMul, BatchMatMulV2,
 * Softmax, LogSoftmax, Sum, Mean, Max, Min, ArgMax — with TF's shape checks and messages.
 */
import { isFloating } from "../../tensor/dtypes.js";
import type { NDArray } from "../../tensor/ndarray.js";
import { compute, tfc } from "../compute/backend.js";
import { broadcastShape, checkAxis, input, scalarNumber, intVector, invalidArg, shapeStr } from "./kernel-utils.js";
import { registerKernel } from "./registry.js";
import { is64, reduce64 } from "./host64.js";
import type { Reduction64 } from "./host64.js";
import type { KernelContext } from "./registry.js";

function numeric(ctx: KernelContext, x: NDArray): void {
  if (x.dtype === "string" || x.dtype === "resource" || x.dtype === "bool") throw invalidArg(ctx, `${ctx.node.op} does not support dtype ${x.dtype}`);
}

/** tfjs-wasm multiplies float32 only: integers go through float32 (exact below 2^24) and are rounded back. */
function product(a: tfc.Tensor, b: tfc.Tensor, ta: boolean, tb: boolean): tfc.Tensor {
  if (a.dtype === "float32") return tfc.matMul(a, b, ta, tb);
  return tfc.round(tfc.matMul(tfc.cast(a, "float32"), tfc.cast(b, "float32"), ta, tb));
}

registerKernel("MatMul", (ctx) => {
  const [a, b] = [input(ctx, 0), input(ctx, 1)];
  numeric(ctx, a);
  const ta = ctx.attrs.b("transpose_a", false);
  const tb = ctx.attrs.b("transpose_b", false);
  if (a.rank !== 2) throw invalidArg(ctx, `In[0] is not a matrix. Instead it has shape ${shapeStr(a.shape)}`);
  if (b.rank !== 2) throw invalidArg(ctx, `In[1] is not a matrix. Instead it has shape ${shapeStr(b.shape)}`);
  const k1 = a.shape[ta ? 0 : 1];
  const k2 = b.shape[tb ? 1 : 0];
  if (k1 !== k2) throw invalidArg(ctx, `Matrix size-incompatible: In[0]: ${shapeStr(a.shape)}, In[1]: ${shapeStr(b.shape)}`);
  return compute([a, b], [a.dtype], (x, y) => product(x!, y!, ta, tb));
});

registerKernel("BatchMatMulV2", (ctx) => {
  const [a, b] = [input(ctx, 0), input(ctx, 1)];
  numeric(ctx, a);
  const adjX = ctx.attrs.b("adj_x", false);
  const adjY = ctx.attrs.b("adj_y", false);
  if (a.rank < 2) throw invalidArg(ctx, `In[0] ndims must be >= 2: ${a.rank}`);
  if (b.rank < 2) throw invalidArg(ctx, `In[1] ndims must be >= 2: ${b.rank}`);
  if (!broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2))) {
    throw invalidArg(ctx, `In[0] and In[1] must have compatible batch dimensions: ${shapeStr(a.shape)} vs. ${shapeStr(b.shape)}`);
  }
  const k1 = a.shape[a.rank - (adjX ? 2 : 1)];
  const k2 = b.shape[b.rank - (adjY ? 1 : 2)];
  if (k1 !== k2) throw invalidArg(ctx, `Matrix size-incompatible: In[0]: ${shapeStr(a.shape)}, In[1]: ${shapeStr(b.shape)}`);
  return compute([a, b], [a.dtype], (x, y) => product(x!, y!, adjX, adjY));
});

function registerSoftmax(type: string, fn: (x: tfc.Tensor) => tfc.Tensor): void {
  registerKernel(type, (ctx) => {
    const x = input(ctx, 0);
    if (!isFloating(x.dtype)) throw invalidArg(ctx, `${type} does not support dtype ${x.dtype}`);
    if (x.rank < 1) throw invalidArg(ctx, `logits must have >= 1 dimension, got ${shapeStr(x.shape)}`);
    if (x.size === 0) return compute([x], [x.dtype], (t) => tfc.clone(t!));
    return compute([x], [x.dtype], (t) => fn(t!));
  });
}

registerSoftmax("Softmax", (x) => tfc.softmax(x));
registerSoftmax("LogSoftmax", (x) => tfc.logSoftmax(x));

/** The reduction axes of input 1 as sorted indices; TF's errors for out-of-range or repeated ones. */
function reductionAxes(ctx: KernelContext, x: NDArray): number[] {
  const raw = intVector(ctx, input(ctx, 1), "reduction indices", true);
  const seen = new Set<number>();
  for (const a of raw) {
    if (a < -x.rank || a >= x.rank) {
      throw invalidArg(ctx, `Invalid reduction dimension (${a} for input with ${x.rank} dimension(s)`);
    }
    const at = a < 0 ? a + x.rank : a;
    if (seen.has(at)) throw invalidArg(ctx, `Invalid reduction arguments: Axes contains duplicate dimension: ${at}`);
    seen.add(at);
  }
  return [...seen].sort((p, q) => p - q);
}

type TfReduce = (x: tfc.Tensor, axes: number[], keepDims: boolean) => tfc.Tensor;

function registerReduction(type: string, fn: TfReduce): void {
  registerKernel(type, (ctx) => {
    const x = input(ctx, 0);
    numeric(ctx, x);
    const axes = reductionAxes(ctx, x);
    const keepDims = ctx.attrs.b("keep_dims", false);
    if (is64(x.dtype)) return [reduce64(x, axes, keepDims, type as Reduction64)];
    if (axes.length === 0) return compute([x], [x.dtype], (t) => tfc.clone(t!));
    if ((type === "Max" || type === "Min") && axes.some((a) => x.shape[a] === 0)) {
      // TF fills an empty max/min with the lowest/highest value of the type.
      const shape = x.shape.flatMap((d, i) => (axes.includes(i) ? (keepDims ? [1] : []) : [d]));
      const v = type === "Max" ? -Infinity : Infinity;
      return compute([x], [x.dtype], () => tfc.fill(shape, isFloating(x.dtype) ? v : type === "Max" ? -2147483648 : 2147483647, isFloating(x.dtype) ? "float32" : "int32"));
    }
    return compute([x], [x.dtype], (t) => fn(t!, axes, keepDims));
  });
}

registerReduction("Sum", (x, axes, keep) => tfc.sum(x, axes, keep));
registerReduction("Mean", (x, axes, keep) => tfc.mean(x, axes, keep));
registerReduction("Max", (x, axes, keep) => tfc.max(x, axes, keep));
registerReduction("Min", (x, axes, keep) => tfc.min(x, axes, keep));

registerKernel("ArgMax", (ctx) => {
  const x = input(ctx, 0);
  numeric(ctx, x);
  const axis = checkAxis(ctx, scalarNumber(ctx, input(ctx, 1), "dimension"), x.rank, "dimension");
  if (x.shape[axis] === 0) throw invalidArg(ctx, `Reduction axis ${axis} is empty in shape ${shapeStr(x.shape)}`);
  return compute([x], [ctx.attrs.type("output_type", "int64")], (t) => tfc.argMax(t!, axis));
});
