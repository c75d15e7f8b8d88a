/**
 * Kernels of the tensor-creating ops: Const, Placeholder, PlaceholderWithDefault, Fill, Range,
 * ZerosLike, OnesLike and the random ops. Random kernels with non-zero seeds own a generator
 * per node (so a seeded graph replays), otherwise they draw from the step's random source.
 */
import type { DType } from "../../tensor/dtypes.js";
import { NDArray, sizeOf } from "../../tensor/ndarray.js";
import type { Random } from "../../util/env.js";
import { alloc, checkOutputBytes, input, scalarNumber, intVector, invalidArg, shapeStr, toNumbers, seededRandomFor } from "./kernel-utils.js";
import { registerKernel } from "./registry.js";
import type { KernelContext } from "./registry.js";

registerKernel("Const", (ctx) => [ctx.attrs.tensor("value")]);

registerKernel("Placeholder", (ctx) => {
  const dtype = ctx.attrs.type("dtype");
  const shape = ctx.attrs.shape("shape");
  const shapeText = shape === null ? "" : ` and shape [${shape.map((d) => (d === null || d < 0 ? "?" : d)).join(",")}]`;
  throw invalidArg(ctx, `You must feed a value for placeholder tensor '${ctx.node.name}' with dtype ${dtype}${shapeText}`);
});

registerKernel("PlaceholderWithDefault", (ctx) => [input(ctx, 0)]);

/** `n` copies of element 0 of `value` (any dtype). */
function repeat(value: NDArray, shape: number[]): NDArray {
  const n = sizeOf(shape);
  const data = alloc(value.dtype, n) as unknown as unknown[];
  const v = (value.data as unknown as unknown[])[0];
  for (let i = 0; i < n; i++) data[i] = v;
  return new NDArray(value.dtype, shape, data as unknown as NDArray["data"]);
}

function dimsOf(ctx: KernelContext, a: NDArray, what: string): number[] {
  const dims = intVector(ctx, a, what);
  for (const d of dims) if (d < 0 || !Number.isInteger(d)) throw invalidArg(ctx, `${what} must be non-negative integers, got ${shapeStr(dims)}`);
  return dims;
}

registerKernel("Fill", (ctx) => {
  const dims = dimsOf(ctx, input(ctx, 0), "dims");
  const value = input(ctx, 1);
  if (value.rank !== 0) throw invalidArg(ctx, `value must be a scalar, got shape ${shapeStr(value.shape)}`);
  checkOutputBytes(ctx, value.dtype, dims);
  return [repeat(value, dims)];
});

function filledLike(ctx: KernelContext, one: boolean): NDArray[] {
  const x = input(ctx, 0);
  if (x.dtype === "string" || x.dtype === "resource") throw invalidArg(ctx, `${ctx.node.op} does not support dtype ${x.dtype}`);
  checkOutputBytes(ctx, x.dtype, x.shape);
  const data = alloc(x.dtype, x.size);
  if (one) {
    if (data instanceof BigInt64Array) data.fill(1n);
    else (data as Float32Array).fill(1);
  }
  return [new NDArray(x.dtype, [...x.shape], data)];
}

registerKernel("ZerosLike", (ctx) => filledLike(ctx, false));
registerKernel("OnesLike", (ctx) => filledLike(ctx, true));

registerKernel("Range", (ctx) => {
  const start = scalarNumber(ctx, input(ctx, 0), "start");
  const limit = scalarNumber(ctx, input(ctx, 1), "limit");
  const delta = scalarNumber(ctx, input(ctx, 2), "delta");
  const dtype = ctx.attrs.type("Tidx", input(ctx, 0).dtype);
  if (delta === 0) throw invalidArg(ctx, `Requires delta != 0: ${delta}`);
  if (delta > 0 && start > limit) throw invalidArg(ctx, `Requires start <= limit when delta > 0: ${start}/${limit}`);
  if (delta < 0 && start < limit) throw invalidArg(ctx, `Requires start >= limit when delta < 0: ${start}/${limit}`);
  const n = Math.ceil(Math.abs((limit - start) / delta));
  if (!Number.isFinite(n)) throw invalidArg(ctx, `Requires finite start, limit and delta: ${start}/${limit}/${delta}`);
  checkOutputBytes(ctx, dtype, [n]);
  const data = alloc(dtype, n);
  for (let i = 0; i < n; i++) {
    const v = start + i * delta;
    if (data instanceof BigInt64Array) data[i] = BigInt(v);
    else (data as Float32Array)[i] = v;
  }
  return [new NDArray(dtype, [n], data)];
});


/** A standard normal sample (Box–Muller; 1 - u keeps the log argument in (0, 1]). */
function normal(rng: Random): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function randomKernel(sample: (rng: Random) => number) {
  return (ctx: KernelContext): NDArray[] => {
    const shape = dimsOf(ctx, input(ctx, 0), "shape");
    const dtype: DType = ctx.attrs.type("dtype", "float32");
    if (dtype !== "float32" && dtype !== "float64") throw invalidArg(ctx, `${ctx.node.op} does not support dtype ${dtype}`);
    checkOutputBytes(ctx, dtype, shape);
    const rng = seededRandomFor(ctx);
    const data = alloc(dtype, sizeOf(shape)) as Float32Array;
    for (let i = 0; i < data.length; i++) data[i] = sample(rng);
    return [new NDArray(dtype, shape, data)];
  };
}

const stateful = { stateful: true };

registerKernel("RandomUniform", randomKernel((rng) => rng.next()), stateful);
registerKernel("RandomStandardNormal", randomKernel(normal), stateful);
registerKernel(
  "TruncatedNormal",
  randomKernel((rng) => {
    // Redraw values beyond two standard deviations, as TF does; bounded for safety.
    for (let tries = 0; tries < 1000; tries++) {
      const x = normal(rng);
      if (Math.abs(x) <= 2) return x;
    }
    return 0;
  }),
  stateful,
);

registerKernel(
  "RandomUniformInt",
  (ctx) => {
    const shape = dimsOf(ctx, input(ctx, 0), "shape");
    const [lo, hi] = [input(ctx, 1), input(ctx, 2)];
    if (lo.rank !== 0) throw invalidArg(ctx, `minval must be 0-D, got shape ${shapeStr(lo.shape)}`);
    if (hi.rank !== 0) throw invalidArg(ctx, `maxval must be 0-D, got shape ${shapeStr(hi.shape)}`);
    const [minval, maxval] = [toNumbers(lo)[0]!, toNumbers(hi)[0]!];
    if (minval >= maxval) throw invalidArg(ctx, `Need minval < maxval: ${minval} >= ${maxval}`);
    const dtype = ctx.attrs.type("Tout", lo.dtype);
    checkOutputBytes(ctx, dtype, shape);
    const rng = seededRandomFor(ctx);
    const n = sizeOf(shape);
    const data = alloc(dtype, n);
    for (let i = 0; i < n; i++) {
      const v = minval + Math.floor(rng.next() * (maxval - minval));
      if (data instanceof BigInt64Array) data[i] = BigInt(v);
      else (data as Int32Array)[i] = v;
    }
    return [new NDArray(dtype, shape, data)];
  },
  stateful,
);
