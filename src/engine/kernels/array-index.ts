/**
 * Kernels of the slicing and indexing array ops: Split, SplitV, Slice, GatherV2, OneHot, Tile,
 * Pad, PadV2, MirrorPad, Select. Host-side data movement for every dtype.
 */
import { NDArray, sizeOf } from "../../tensor/ndarray.js";
import { elementCount } from "../../tensor/budget.js";
import type { NDData } from "../../tensor/ndarray.js";
import { splitAlong } from "./array.js";
import { alloc, checkAxis, checkOutputBytes, copyRun, forEachIndex, input, scalarNumber, intVector, invalidArg, shapeStr, stridesOf, takeElements, toNumbers } from "./kernel-utils.js";
import { registerKernel } from "./registry.js";
import type { KernelContext } from "./registry.js";

registerKernel("Split", (ctx) => {
  const x = input(ctx, 1);
  const num = ctx.attrs.i("num_split");
  const axis = checkAxis(ctx, scalarNumber(ctx, input(ctx, 0), "split_dim"), x.rank, "split_dim");
  const d = x.shape[axis]!;
  if (num <= 0 || d % num !== 0) throw invalidArg(ctx, `Number of ways to split should evenly divide the split dimension, but got split_dim ${axis} (size = ${d}) and num_split ${num}`);
  return splitAlong(x, axis, new Array<number>(num).fill(d / num));
});

registerKernel("SplitV", (ctx) => {
  const x = input(ctx, 0);
  const sizes = intVector(ctx, input(ctx, 1), "size_splits");
  const axis = checkAxis(ctx, scalarNumber(ctx, input(ctx, 2), "split_dim"), x.rank, "split_dim");
  const d = x.shape[axis]!;
  const unknown = sizes.filter((s) => s === -1).length;
  if (unknown > 1) throw invalidArg(ctx, "Only one dimensions can have a value of -1");
  const known = sizes.filter((s) => s !== -1).reduce((p, s) => p + s, 0);
  if ((unknown === 0 && known !== d) || (unknown === 1 && known > d) || sizes.some((s) => s < -1)) {
    throw invalidArg(ctx, `Determined shape must either match input shape along split_dim exactly if fully specified, or be less than the size of the input along split_dim if not fully specified.  Got: ${known}`);
  }
  return splitAlong(x, axis, sizes.map((s) => (s === -1 ? d - known : s)));
});

registerKernel("Slice", (ctx) => {
  const x = input(ctx, 0);
  const [bT, sT] = [input(ctx, 1), input(ctx, 2)];
  if (bT.rank !== 1 || sT.rank !== 1 || bT.size !== x.rank || sT.size !== x.rank) {
    throw invalidArg(ctx, `Expected begin and size arguments to be 1-D tensors of size ${x.rank}, but got shapes ${shapeStr(bT.shape)} and ${shapeStr(sT.shape)} instead.`);
  }
  const [begin, size] = [toNumbers(bT), toNumbers(sT)];
  const outShape = size.map((s, i) => {
    const b = begin[i]!;
    const d = x.shape[i]!;
    if (b < 0 || b > d) throw invalidArg(ctx, `Expected begin[${i}] in [0, ${d}], but got ${b}`);
    const len = s === -1 ? d - b : s;
    if (len < 0 || b + len > d) throw invalidArg(ctx, `Expected size[${i}] in [0, ${d - b}], but got ${s}`);
    return len;
  });
  const strides = stridesOf(x.shape);
  const base = begin.reduce((k, b, i) => k + b * strides[i]!, 0);
  const index = new Int32Array(sizeOf(outShape));
  forEachIndex(outShape, (flat, c) => {
    let k = base;
    for (let i = 0; i < c.length; i++) k += c[i]! * strides[i]!;
    index[flat] = k;
  });
  return [takeElements(x, outShape, index)];
});

registerKernel("GatherV2", (ctx) => {
  const [params, indicesT] = [input(ctx, 0), input(ctx, 1)];
  if (params.rank < 1) throw invalidArg(ctx, "params must be at least 1 dimensional");
  const axis = checkAxis(ctx, scalarNumber(ctx, input(ctx, 2), "axis"), params.rank, "axis");
  const indices = toNumbers(indicesT);
  const limit = params.shape[axis]!;
  indices.forEach((v, i) => {
    if (v < 0 || v >= limit) throw invalidArg(ctx, `indices[${i}] = ${v} is not in [0, ${limit})`);
  });
  const outer = sizeOf(params.shape.slice(0, axis));
  const inner = sizeOf(params.shape.slice(axis + 1));
  const outShape = [...params.shape.slice(0, axis), ...indicesT.shape, ...params.shape.slice(axis + 1)];
  const data = alloc(params.dtype, sizeOf(outShape));
  let off = 0;
  for (let o = 0; o < outer; o++) {
    for (const v of indices) {
      copyRun(data, off, params.data, (o * limit + v) * inner, inner);
      off += inner;
    }
  }
  return [new NDArray(params.dtype, outShape, data)];
});

/** Element i of the output is `src[index[i]]`, or `fill` where index[i] is -1. */
function takeOrFill(src: NDArray, shape: number[], index: Int32Array, fill: NDArray): NDArray {
  const out = alloc(src.dtype, index.length) as unknown as unknown[];
  const data = src.data as unknown as unknown[];
  const f = (fill.data as unknown as unknown[])[0];
  for (let i = 0; i < index.length; i++) out[i] = index[i]! < 0 ? f : data[index[i]!];
  return new NDArray(src.dtype, shape, out as unknown as NDData);
}

function scalarArg(ctx: KernelContext, i: number, what: string): NDArray {
  const a = input(ctx, i);
  if (a.rank !== 0) throw invalidArg(ctx, `${what} must be a scalar, but got: ${shapeStr(a.shape)}`);
  return a;
}

/** The Int32Array of source indices these kernels build beside their output. */
function indexBytes(shape: readonly number[]): number {
  return elementCount(shape) * 4;
}

registerKernel("OneHot", (ctx) => {
  const indicesT = input(ctx, 0);
  const depth = scalarNumber(ctx, scalarArg(ctx, 1, "depth"), "depth");
  const [on, off] = [scalarArg(ctx, 2, "on_value"), scalarArg(ctx, 3, "off_value")];
  if (depth < 0) throw invalidArg(ctx, `depth must be non-negative, got: ${depth}`);
  const rawAxis = ctx.attrs.i("axis", -1);
  const axis = rawAxis === -1 ? indicesT.rank : rawAxis;
  if (axis < 0 || axis > indicesT.rank) throw invalidArg(ctx, `Expected axis to be -1 or between [0, ${indicesT.rank + 1}).  But received: ${rawAxis}`);
  const outShape = [...indicesT.shape.slice(0, axis), depth, ...indicesT.shape.slice(axis)];
  const suffix = sizeOf(indicesT.shape.slice(axis));
  checkOutputBytes(ctx, on.dtype, outShape, indexBytes(outShape));
  const indices = toNumbers(indicesT);
  const index = new Int32Array(sizeOf(outShape)).fill(-1);
  forEachIndex(outShape, (flat, c) => {
    const p = Math.floor(flat / (depth * suffix));
    const s = flat % suffix;
    if (indices[p * suffix + s] === c[axis]) index[flat] = 0;
  });
  // index 0 picks on_value, -1 falls back to off_value
  return [takeOrFill(on, outShape, index, off)];
});

registerKernel("Tile", (ctx) => {
  const x = input(ctx, 0);
  const multiples = intVector(ctx, input(ctx, 1), "multiples");
  if (multiples.length !== x.rank) throw invalidArg(ctx, `Expected multiples argument to be a vector of length ${x.rank} but got length ${multiples.length}`);
  multiples.forEach((m, i) => {
    if (m < 0) throw invalidArg(ctx, `Expected multiples[${i}] >= 0, but got ${m}`);
  });
  const outShape = x.shape.map((d, i) => d * multiples[i]!);
  checkOutputBytes(ctx, x.dtype, outShape, indexBytes(outShape));
  const strides = stridesOf(x.shape);
  const index = new Int32Array(sizeOf(outShape));
  forEachIndex(outShape, (flat, c) => {
    let k = 0;
    for (let i = 0; i < c.length; i++) k += (c[i]! % x.shape[i]!) * strides[i]!;
    index[flat] = k;
  });
  return [takeElements(x, outShape, index)];
});

type PadMode = "CONSTANT" | "REFLECT" | "SYMMETRIC";

function padKernel(ctx: KernelContext, mode: PadMode, fill: NDArray | null): NDArray[] {
  const x = input(ctx, 0);
  const pT = input(ctx, 1);
  if (pT.rank !== 2 || pT.shape[1] !== 2) throw invalidArg(ctx, `paddings must be a matrix with 2 columns: ${shapeStr(pT.shape)}`);
  if (pT.shape[0] !== x.rank) throw invalidArg(ctx, `The first dimension of paddings must be the rank of inputs${shapeStr(pT.shape)} ${shapeStr(x.shape)}`);
  const p = toNumbers(pT);
  const outShape = x.shape.map((d, i) => {
    const [before, after] = [p[2 * i]!, p[2 * i + 1]!];
    if (before < 0 || after < 0) throw invalidArg(ctx, `Paddings must be non-negative: ${before} ${after}`);
    const limit = mode === "REFLECT" ? d - 1 : d;
    if (mode !== "CONSTANT" && (before > limit || after > limit)) {
      throw invalidArg(ctx, `paddings must be no greater than the dimension size: ${before}, ${after} greater than ${limit}`);
    }
    return d + before + after;
  });
  checkOutputBytes(ctx, x.dtype, outShape, indexBytes(outShape));
  const strides = stridesOf(x.shape);
  const shift = mode === "REFLECT" ? 0 : 1;
  const index = new Int32Array(sizeOf(outShape));
  forEachIndex(outShape, (flat, c) => {
    let k = 0;
    for (let i = 0; i < c.length; i++) {
      const d = x.shape[i]!;
      let v = c[i]! - p[2 * i]!;
      if (v < 0 || v >= d) {
        if (mode === "CONSTANT") {
          k = -1;
          break;
        }
        v = v < 0 ? -v - shift : 2 * d - 2 + shift - v;
      }
      k += v * strides[i]!;
    }
    index[flat] = k;
  });
  const zero = new NDArray(x.dtype, [], alloc(x.dtype, 1));
  return [takeOrFill(x, outShape, index, fill ?? zero)];
}

registerKernel("Pad", (ctx) => padKernel(ctx, "CONSTANT", null));
registerKernel("PadV2", (ctx) => padKernel(ctx, "CONSTANT", scalarArg(ctx, 2, "constant_values")));
registerKernel("MirrorPad", (ctx) => padKernel(ctx, ctx.attrs.s("mode") as PadMode, null));

registerKernel("Select", (ctx) => {
  const [cond, x, y] = [input(ctx, 0), input(ctx, 1), input(ctx, 2)];
  if (shapeStr(x.shape) !== shapeStr(y.shape)) {
    throw invalidArg(ctx, `'then' and 'else' must have the same size.  but received: ${shapeStr(x.shape)} vs. ${shapeStr(y.shape)}`);
  }
  const sameShape = shapeStr(cond.shape) === shapeStr(x.shape);
  const isVector = cond.rank === 1 && x.rank >= 1 && cond.size === x.shape[0];
  if (!sameShape && !isVector && cond.rank !== 0) {
    throw invalidArg(ctx, `'condition' must be a scalar, a vector of size ${x.shape[0] ?? 1}, or the shape of 'then' and 'else', but has shape ${shapeStr(cond.shape)}; 'then' has shape ${shapeStr(x.shape)}`);
  }
  const inner = cond.rank === 0 ? x.size : sameShape ? 1 : sizeOf(x.shape.slice(1));
  const c = cond.data as Uint8Array;
  const out = alloc(x.dtype, x.size) as unknown as unknown[];
  const [xd, yd] = [x.data as unknown as unknown[], y.data as unknown as unknown[]];
  for (let i = 0; i < x.size; i++) out[i] = c[Math.floor(i / Math.max(inner, 1))] ? xd[i] : yd[i];
  return [new NDArray(x.dtype, [...x.shape], out as unknown as NDData)];
});
