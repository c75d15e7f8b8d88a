/**
 * Kernels of the shape-changing array ops: Identity, StopGradient, Reshape, ExpandDims, Squeeze,
 * Shape, Size, Rank, Transpose, Pack, Unpack, ConcatV2. They only move data, so they run on the
 * host for every dtype (strings and int64 included) and keep values exact.
 */
import type { DType } from "../../tensor/dtypes.js";
import { NDArray, ndarray, sizeOf } from "../../tensor/ndarray.js";
import { alloc, checkAxis, copyRun, forEachIndex, input, scalarNumber, intVector, invalidArg, shapeStr, stridesOf, takeElements, withShape } from "./kernel-utils.js";
import { registerKernel } from "./registry.js";
import type { KernelContext } from "./registry.js";

registerKernel("Identity", (ctx) => [input(ctx, 0)]);
registerKernel("StopGradient", (ctx) => [input(ctx, 0)]);

/** The target shape of Reshape with its one -1 resolved, or TF's errors. */
function reshapeTarget(ctx: KernelContext, n: number, raw: number[]): number[] {
  let unknown = -1;
  let product = 1;
  raw.forEach((d, i) => {
    if (d === -1) {
      if (unknown !== -1) throw invalidArg(ctx, `Only one input size may be -1, not both ${unknown} and ${i}`);
      unknown = i;
    } else if (d < 0) {
      throw invalidArg(ctx, `Size ${i} must be non-negative, not ${d}`);
    } else product *= d;
  });
  const out = [...raw];
  if (unknown !== -1) {
    if (product === 0) {
      if (n !== 0) throw invalidArg(ctx, `Input to reshape is a tensor with ${n} values, but the requested shape has 0`);
      throw invalidArg(ctx, "Reshape cannot infer the missing input size for an empty tensor unless all specified input sizes are non-zero");
    }
    if (n % product !== 0) throw invalidArg(ctx, `Input to reshape is a tensor with ${n} values, but the requested shape requires a multiple of ${product}`);
    out[unknown] = n / product;
  } else if (product !== n) {
    throw invalidArg(ctx, `Input to reshape is a tensor with ${n} values, but the requested shape has ${product}`);
  }
  return out;
}

registerKernel("Reshape", (ctx) => {
  const x = input(ctx, 0);
  const raw = intVector(ctx, input(ctx, 1), "shape");
  return [withShape(x, reshapeTarget(ctx, x.size, raw))];
});

registerKernel("ExpandDims", (ctx) => {
  const x = input(ctx, 0);
  const dimT = input(ctx, 1);
  if (dimT.size !== 1) throw invalidArg(ctx, `'dim' must be a tensor with a single value, got shape ${shapeStr(dimT.shape)}`);
  const dim = intVector(ctx, dimT, "dim", true)[0]!;
  if (dim < -1 - x.rank || dim > x.rank) throw invalidArg(ctx, `Tried to expand dim index ${dim} for tensor with ${x.rank} dimensions.`);
  const at = dim < 0 ? dim + x.rank + 1 : dim;
  return [withShape(x, [...x.shape.slice(0, at), 1, ...x.shape.slice(at)])];
});

registerKernel("Squeeze", (ctx) => {
  const x = input(ctx, 0);
  const dims = ctx.attrs.list("squeeze_dims").i ?? [];
  const drop = new Set<number>();
  for (const d of dims) {
    if (d < -x.rank || d >= x.rank) throw invalidArg(ctx, `Tried to squeeze dim index ${d} for tensor with ${x.rank} dimensions.`);
    const at = d < 0 ? d + x.rank : d;
    if (x.shape[at] !== 1) throw invalidArg(ctx, `Can not squeeze dim[${at}], expected a dimension of 1, got ${x.shape[at]}`);
    drop.add(at);
  }
  const shape = x.shape.filter((d, i) => (dims.length === 0 ? d !== 1 : !drop.has(i)));
  return [withShape(x, shape)];
});

function intResult(values: number[], shape: number[], dtype: DType): NDArray {
  return ndarray(values, { dtype, shape });
}

registerKernel("Shape", (ctx) => {
  const x = input(ctx, 0);
  return [intResult(x.shape, [x.rank], ctx.attrs.type("out_type", "int32"))];
});
registerKernel("Size", (ctx) => [intResult([input(ctx, 0).size], [], ctx.attrs.type("out_type", "int32"))]);
registerKernel("Rank", (ctx) => [intResult([input(ctx, 0).rank], [], "int32")]);

registerKernel("Transpose", (ctx) => {
  const x = input(ctx, 0);
  const perm = intVector(ctx, input(ctx, 1), "perm");
  if (perm.length !== x.rank) throw invalidArg(ctx, `transpose expects a vector of size ${x.rank}. But input(1) is a vector of size ${perm.length}`);
  const seen = new Array<boolean>(x.rank).fill(false);
  for (const p of perm) {
    if (p < 0 || p >= x.rank) throw invalidArg(ctx, `${p} is out of range [0 .. ${x.rank})`);
    seen[p] = true;
  }
  const missing = seen.indexOf(false);
  if (missing !== -1) throw invalidArg(ctx, `${missing} is missing from {${perm.join(",")}}.`);
  const outShape = perm.map((p) => x.shape[p]!);
  const inStrides = stridesOf(x.shape);
  const step = perm.map((p) => inStrides[p]!);
  const index = new Int32Array(x.size);
  forEachIndex(outShape, (flat, c) => {
    let k = 0;
    for (let i = 0; i < c.length; i++) k += c[i]! * step[i]!;
    index[flat] = k;
  });
  return [takeElements(x, outShape, index)];
});

/** Joins arrays of equal rank along `axis` (their other dimensions already checked equal). */
export function concatAlong(xs: NDArray[], axis: number, dtype: DType): NDArray {
  const first = xs[0]!;
  const outShape = [...first.shape];
  outShape[axis] = xs.reduce((n, x) => n + x.shape[axis]!, 0);
  const outer = sizeOf(first.shape.slice(0, axis));
  const runs = xs.map((x) => sizeOf(x.shape.slice(axis)));
  const data = alloc(dtype, sizeOf(outShape));
  let off = 0;
  for (let o = 0; o < outer; o++) {
    xs.forEach((x, i) => {
      copyRun(data, off, x.data, o * runs[i]!, runs[i]!);
      off += runs[i]!;
    });
  }
  return new NDArray(dtype, outShape, data);
}

/** Splits `x` along `axis` into pieces of the given sizes (summing to the dimension). */
export function splitAlong(x: NDArray, axis: number, sizes: number[]): NDArray[] {
  const outer = sizeOf(x.shape.slice(0, axis));
  const inner = sizeOf(x.shape.slice(axis + 1));
  const row = x.shape[axis]! * inner;
  let start = 0;
  return sizes.map((len) => {
    const shape = [...x.shape];
    shape[axis] = len;
    const data = alloc(x.dtype, outer * len * inner);
    for (let o = 0; o < outer; o++) copyRun(data, o * len * inner, x.data, o * row + start * inner, len * inner);
    start += len;
    return new NDArray(x.dtype, shape, data);
  });
}

registerKernel("Pack", (ctx) => {
  const xs = ctx.inputs;
  if (xs.length === 0) throw invalidArg(ctx, "Pack needs at least one input");
  const first = xs[0]!;
  xs.forEach((x, i) => {
    if (shapeStr(x.shape) !== shapeStr(first.shape)) {
      throw invalidArg(ctx, `Shapes of all inputs must match: values[0].shape = ${shapeStr(first.shape)} != values[${i}].shape = ${shapeStr(x.shape)}`);
    }
  });
  const axis = checkAxis(ctx, ctx.attrs.i("axis", 0), first.rank + 1, "axis");
  const expanded = xs.map((x) => withShape(x, [...x.shape.slice(0, axis), 1, ...x.shape.slice(axis)]));
  return [concatAlong(expanded, axis, first.dtype)];
});

registerKernel("Unpack", (ctx) => {
  const x = input(ctx, 0);
  const axis = checkAxis(ctx, ctx.attrs.i("axis", 0), x.rank, "axis");
  const num = ctx.attrs.i("num", x.shape[axis]!);
  if (x.shape[axis] !== num) throw invalidArg(ctx, `Input shape axis ${axis} must equal ${num}, got shape ${shapeStr(x.shape)}`);
  const shape = x.shape.filter((_, i) => i !== axis);
  return splitAlong(x, axis, new Array<number>(num).fill(1)).map((p) => withShape(p, shape));
});

registerKernel("ConcatV2", (ctx) => {
  const xs = ctx.inputs.slice(0, -1);
  const first = xs[0];
  if (!first) throw invalidArg(ctx, "ConcatV2 needs at least one value and an axis");
  const axisRaw = scalarNumber(ctx, input(ctx, ctx.inputs.length - 1), "axis");
  if (first.rank === 0) throw invalidArg(ctx, "ConcatOp : Can't concatenate scalars (use tf.stack instead)");
  if (axisRaw < -first.rank || axisRaw >= first.rank) {
    throw invalidArg(ctx, `ConcatOp : Expected concatenating dimensions in the range [${-first.rank}, ${first.rank}), but got ${axisRaw}`);
  }
  const axis = axisRaw < 0 ? axisRaw + first.rank : axisRaw;
  xs.forEach((x, i) => {
    if (x.rank !== first.rank) {
      throw invalidArg(ctx, `ConcatOp : Ranks of all input tensors should match: shape[0] = ${shapeStr(first.shape)} vs. shape[${i}] = ${shapeStr(x.shape)}`);
    }
    if (x.dtype !== first.dtype) throw invalidArg(ctx, `ConcatOp : all inputs must have dtype ${first.dtype}, input ${i} has ${x.dtype}`);
    if (x.shape.some((d, j) => j !== axis && d !== first.shape[j])) {
      throw invalidArg(ctx, `ConcatOp : Dimensions of inputs should match: shape[0] = ${shapeStr(first.shape)} vs. shape[${i}] = ${shapeStr(x.shape)}`);
    }
  });
  return [concatAlong(xs, axis, first.dtype)];
});
