/**
 * Exact 64-bit element-wise math on the host: int64 on BigInt64Array (wrapping at 2^64, as C++
 * int64 does), float64 in JS doubles. TensorFlow.js has neither dtype (it would compute in int32 /
 * float32 and silently lose values beyond 2^31 or float32 precision), so these kernels never go
 * there; a 64-bit input reaching TensorFlow.js anyway is refused (backend.ts).
 */
import { InvalidArgumentError } from "../../errors/index.js";
import type { DType } from "../../tensor/dtypes.js";
import { NDArray, sizeOf } from "../../tensor/ndarray.js";
import { broadcastIndex, broadcastOrThrow } from "./kernel-utils.js";
import type { KernelContext } from "./registry.js";

export function is64(dtype: DType): boolean {
  return dtype === "int64" || dtype === "float64";
}

/** One binary op in both 64-bit dtypes; a comparison returns booleans. */
export interface Binary64 {
  int(x: bigint, y: bigint): bigint | boolean;
  float(x: number, y: number): number | boolean;
}

const floorDivInt = (x: bigint, y: bigint): bigint => {
  const q = x / y;
  return (x % y !== 0n) && ((x < 0n) !== (y < 0n)) ? q - 1n : q;
};

export const BINARY64: Record<string, Binary64> = {
  AddV2: { int: (x, y) => x + y, float: (x, y) => x + y },
  Add: { int: (x, y) => x + y, float: (x, y) => x + y },
  Sub: { int: (x, y) => x - y, float: (x, y) => x - y },
  Mul: { int: (x, y) => x * y, float: (x, y) => x * y },
  RealDiv: { int: (x, y) => x / y, float: (x, y) => x / y },
  FloorDiv: { int: floorDivInt, float: (x, y) => Math.floor(x / y) },
  Maximum: { int: (x, y) => (x > y ? x : y), float: (x, y) => Math.max(x, y) },
  Minimum: { int: (x, y) => (x < y ? x : y), float: (x, y) => Math.min(x, y) },
  Pow: { int: (x, y) => x ** y, float: (x, y) => x ** y },
  Less: { int: (x, y) => x < y, float: (x, y) => x < y },
  LessEqual: { int: (x, y) => x <= y, float: (x, y) => x <= y },
  Greater: { int: (x, y) => x > y, float: (x, y) => x > y },
  GreaterEqual: { int: (x, y) => x >= y, float: (x, y) => x >= y },
  Equal: { int: (x, y) => x === y, float: (x, y) => x === y },
  NotEqual: { int: (x, y) => x !== y, float: (x, y) => x !== y },
};

/** `a op b` with broadcasting, exactly; comparisons give bool. */
export function binary64(ctx: KernelContext, a: NDArray, b: NDArray, op: Binary64): NDArray {
  const shape = broadcastOrThrow(ctx, a.shape, b.shape);
  const n = sizeOf(shape);
  const [ia, ib] = [broadcastIndex(shape, a.shape), broadcastIndex(shape, b.shape)];
  if (a.dtype === "int64") {
    const [da, db] = [a.data as BigInt64Array, b.data as BigInt64Array];
    if (ctx.node.op === "FloorDiv" || ctx.node.op === "RealDiv") {
      for (let i = 0; i < n; i++) if (db[ib[i]!] === 0n) throw new InvalidArgumentError("Integer division by zero", { nodeName: ctx.node.name });
    }
    const first = n > 0 ? op.int(da[ia[0]!]!, db[ib[0]!]!) : 0n;
    if (typeof first === "boolean") {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = op.int(da[ia[i]!]!, db[ib[i]!]!) ? 1 : 0;
      return new NDArray("bool", shape, out);
    }
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) out[i] = BigInt.asIntN(64, op.int(da[ia[i]!]!, db[ib[i]!]!) as bigint);
    return new NDArray("int64", shape, out);
  }
  const [da, db] = [a.data as Float64Array, b.data as Float64Array];
  const first = n > 0 ? op.float(da[ia[0]!]!, db[ib[0]!]!) : 0;
  if (typeof first === "boolean") {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = op.float(da[ia[i]!]!, db[ib[i]!]!) ? 1 : 0;
    return new NDArray("bool", shape, out);
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = op.float(da[ia[i]!]!, db[ib[i]!]!) as number;
  return new NDArray("float64", shape, out);
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Unary ops in both dtypes (`int` absent: float-only ops, refused earlier for ints). */
export const UNARY64: Record<string, { int?: (x: bigint) => bigint; float: (x: number) => number }> = {
  Neg: { int: (x) => -x, float: (x) => -x },
  Abs: { int: (x) => (x < 0n ? -x : x), float: Math.abs },
  Square: { int: (x) => x * x, float: (x) => x * x },
  Relu: { int: (x) => (x > 0n ? x : 0n), float: (x) => (x > 0 ? x : 0) },
  Sqrt: { float: Math.sqrt },
  Exp: { float: Math.exp },
  Log: { float: Math.log },
  Log1p: { float: Math.log1p },
  Sigmoid: { float: sigmoid },
  Tanh: { float: Math.tanh },
};

export function unary64(x: NDArray, op: (typeof UNARY64)[string]): NDArray {
  if (x.dtype === "int64") {
    const d = x.data as BigInt64Array;
    const out = new BigInt64Array(d.length);
    for (let i = 0; i < d.length; i++) out[i] = BigInt.asIntN(64, op.int!(d[i]!));
    return new NDArray("int64", [...x.shape], out);
  }
  return new NDArray("float64", [...x.shape], (x.data as Float64Array).map(op.float));
}

/** The output position of every input element when `axes` are reduced away. */
function reducedIndex(shape: readonly number[], axes: readonly number[]): { outShape: number[]; index: Int32Array } {
  const kept = shape.map((_, i) => !axes.includes(i));
  const outShape = shape.filter((_, i) => kept[i]);
  const outStrides = new Array<number>(shape.length).fill(0);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (!kept[i]) continue;
    outStrides[i] = stride;
    stride *= shape[i]!;
  }
  const n = sizeOf(shape);
  const index = new Int32Array(n);
  const at = new Array<number>(shape.length).fill(0);
  let pos = 0;
  for (let e = 0; e < n; e++) {
    index[e] = pos;
    for (let d = shape.length - 1; d >= 0; d--) {
      at[d]!++;
      pos += outStrides[d]!;
      if (at[d]! < shape[d]!) break;
      pos -= outStrides[d]! * at[d]!;
      at[d] = 0;
    }
  }
  return { outShape, index };
}

export type Reduction64 = "Sum" | "Mean" | "Max" | "Min" | "Prod";

/** Sum/Mean/Max/Min/Prod of a 64-bit tensor over `axes`, exactly (int64 Mean truncates, as TF). */
export function reduce64(x: NDArray, axes: readonly number[], keepDims: boolean, type: Reduction64): NDArray {
  const { outShape, index } = reducedIndex(x.shape, axes);
  const m = sizeOf(outShape);
  const count = m === 0 ? 0 : x.size / m;
  const shape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : outShape;
  if (x.dtype === "int64") {
    const d = x.data as BigInt64Array;
    const init = type === "Prod" ? 1n : type === "Max" ? -(2n ** 63n) : type === "Min" ? 2n ** 63n - 1n : 0n;
    const out = new BigInt64Array(m).fill(init);
    for (let e = 0; e < d.length; e++) {
      const o = index[e]!;
      const v = d[e]!;
      if (type === "Max") out[o] = v > out[o]! ? v : out[o]!;
      else if (type === "Min") out[o] = v < out[o]! ? v : out[o]!;
      else out[o] = BigInt.asIntN(64, type === "Prod" ? out[o]! * v : out[o]! + v);
    }
    if (type === "Mean" && count > 0) for (let o = 0; o < m; o++) out[o] = out[o]! / BigInt(count);
    return new NDArray("int64", shape, out);
  }
  const d = x.data as Float64Array;
  const init = type === "Prod" ? 1 : type === "Max" ? -Infinity : type === "Min" ? Infinity : 0;
  const out = new Float64Array(m).fill(init);
  for (let e = 0; e < d.length; e++) {
    const o = index[e]!;
    const v = d[e]!;
    if (type === "Max") out[o] = Math.max(out[o]!, v);
    else if (type === "Min") out[o] = Math.min(out[o]!, v);
    else out[o] = type === "Prod" ? out[o]! * v : out[o]! + v;
  }
  if (type === "Mean") for (let o = 0; o < m; o++) out[o] = out[o]! / count;
  return new NDArray("float64", shape, out);
}
