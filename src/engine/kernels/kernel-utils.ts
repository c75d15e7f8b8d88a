/**
 * Helpers shared by the kernels: errors that name the node, shape checks, and host-side element
 * copying that works for every dtype (numbers, int64 as bigint, strings as bytes, handles), so
 * data-movement kernels keep values exact instead of round-tripping through float32/int32.
 */
import { InvalidArgumentError, withNode } from "../../errors/index.js";
import type { OpError } from "../../errors/index.js";
import { allocData, NDArray, sizeOf } from "../../tensor/ndarray.js";
import type { NDData } from "../../tensor/ndarray.js";
import type { NodeDef } from "../../graph/graph-def.js";
import { SeededRandom } from "../../util/env.js";
import type { Random } from "../../util/env.js";
import type { KernelContext, TaskPolicy } from "./registry.js";
import { checkTensorBytes, DEFAULT_MAX_TENSOR_BYTES } from "../../tensor/budget.js";
import type { DType } from "../../tensor/dtypes.js";
import { FileAccess } from "../io/file-access.js";

/** An InvalidArgumentError naming the kernel's node. */
export function invalidArg(ctx: KernelContext, message: string): OpError {
  return new InvalidArgumentError(message, { nodeName: ctx.node.name });
}

/** "[2,3]", as TF prints a TensorShape in kernel errors. */
export function shapeStr(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}

/** The input at `i`, or an InvalidArgumentError naming how many the node received. */
export function input(ctx: KernelContext, i: number): NDArray {
  const x = ctx.inputs[i];
  if (!x) throw invalidArg(ctx, `${ctx.node.op} expects input ${i}, but the node received ${ctx.inputs.length} inputs`);
  return x;
}

/** The values of a numeric NDArray as JS numbers (int64 converted). */
export function toNumbers(a: NDArray): number[] {
  if (a.dtype === "string" || a.dtype === "resource") throw new TypeError(`Expected a numeric tensor, got ${a.dtype}`);
  return Array.from(a.data as ArrayLike<number | bigint>, (v) => Number(v));
}

/** The int values of a vector (or scalar) argument such as a shape, axis or perm. */
export function intVector(ctx: KernelContext, a: NDArray, what: string, allowScalar = false): number[] {
  if (a.rank > 1 || (a.rank === 0 && !allowScalar)) throw invalidArg(ctx, `${what} must be a vector, got shape ${shapeStr(a.shape)}`);
  return toNumbers(a);
}

/** The value of a scalar (or one-element) numeric argument as a JS number. */
export function scalarNumber(ctx: KernelContext, a: NDArray, what: string): number {
  if (a.size !== 1 || a.rank > 1) throw invalidArg(ctx, `${what} must be a scalar, got shape ${shapeStr(a.shape)}`);
  return toNumbers(a)[0]!;
}

/** An axis in [-rank, rank) as an index, or InvalidArgumentError. */
export function checkAxis(ctx: KernelContext, axis: number, rank: number, what = "axis"): number {
  if (axis < -rank || axis >= rank) {
    throw invalidArg(ctx, `Expected ${what} in the range [${-rank}, ${rank}), but got ${axis}`);
  }
  return axis < 0 ? axis + rank : axis;
}

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Numpy broadcast of two runtime shapes, or null when they are incompatible. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[i - (rank - a.length)] ?? 1;
    const db = b[i - (rank - b.length)] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** The broadcast shape of two inputs, or TF's "Incompatible shapes" InvalidArgumentError. */
export function broadcastOrThrow(ctx: KernelContext, a: readonly number[], b: readonly number[]): number[] {
  const out = broadcastShape(a, b);
  if (!out) throw invalidArg(ctx, `Incompatible shapes: ${shapeStr(a)} vs. ${shapeStr(b)}`);
  return out;
}

/** For each element of `outShape`, the flat index of the element of `inShape` broadcast to it. */
export function broadcastIndex(outShape: readonly number[], inShape: readonly number[]): Int32Array {
  const n = sizeOf(outShape);
  const index = new Int32Array(n);
  const offset = outShape.length - inShape.length;
  const inStrides = stridesOf(inShape);
  const step = outShape.map((d, i) => (i < offset || inShape[i - offset] === 1 ? 0 : inStrides[i - offset]!));
  forEachIndex(outShape, (flat, coords) => {
    let k = 0;
    for (let i = 0; i < coords.length; i++) k += coords[i]! * step[i]!;
    index[flat] = k;
  });
  return index;
}

/** Calls `fn(flat, coords)` for every element of `shape` in row-major order (coords reused). */
export function forEachIndex(shape: readonly number[], fn: (flat: number, coords: number[]) => void): void {
  const n = sizeOf(shape);
  const coords = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < n; flat++) {
    fn(flat, coords);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++coords[d]! < shape[d]!) break;
      coords[d] = 0;
    }
  }
}

type Indexable = { [i: number]: unknown; length: number };

/** A new NDArray of `src.dtype` and `shape` whose element i is src's element `index[i]`. */
export function takeElements(src: NDArray, shape: number[], index: ArrayLike<number>): NDArray {
  const out = allocData(src.dtype, index.length) as unknown as Indexable;
  const data = src.data as unknown as Indexable;
  for (let i = 0; i < index.length; i++) out[i] = data[index[i]!];
  return new NDArray(src.dtype, shape, out as unknown as NDData);
}

/** Copies `n` elements from `src[srcOff..]` to `dst[dstOff..]`, whatever the element type. */
export function copyRun(dst: NDData, dstOff: number, src: NDData, srcOff: number, n: number): void {
  if (ArrayBuffer.isView(dst) && ArrayBuffer.isView(src)) {
    (dst as Float32Array).set((src as Float32Array).subarray(srcOff, srcOff + n), dstOff);
    return;
  }
  const d = dst as unknown as Indexable;
  const s = src as unknown as Indexable;
  for (let i = 0; i < n; i++) d[dstOff + i] = s[srcOff + i];
}

/** An NDArray with the same data under another shape (element count checked by NDArray). */
export function withShape(a: NDArray, shape: number[]): NDArray {
  return new NDArray(a.dtype, shape, a.data);
}

/** A new, empty data buffer of `dtype` for `n` elements (strings: empty byte strings). */
export function alloc(dtype: NDArray["dtype"], n: number): NDData {
  return allocData(dtype, n);
}

/** Generators of seeded random nodes, one per node definition, so a seeded op replays. */
const seededGenerators = new WeakMap<NodeDef, Random>();

/**
 * The random source of a random op: its own generator when it has a seed or seed2 attr (so the
 * sequence replays per node), else the step's seeded Random.
 */
export function seededRandomFor(ctx: KernelContext): Random {
  const seed = ctx.attrs.i("seed", 0);
  const seed2 = ctx.attrs.i("seed2", 0);
  if (seed === 0 && seed2 === 0) return ctx.step.random;
  let g = seededGenerators.get(ctx.node);
  if (!g) {
    // Mix both seeds into one 32-bit state (golden-ratio and murmur constants).
    const mixed = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul((seed2 | 0) + 0x7f4a7c15, 0x85ebca6b)) >>> 0;
    g = new SeededRandom(mixed);
    seededGenerators.set(ctx.node, g);
  }
  return g;
}

const UNRESTRICTED_POLICY: TaskPolicy = { files: FileAccess.unrestricted, maxTensorBytes: DEFAULT_MAX_TENSOR_BYTES };

/** The task's policy (a kernel test's context has none: unrestricted files, the default budget). */
export function policyOf(ctx: KernelContext): TaskPolicy {
  return ctx.policy ?? UNRESTRICTED_POLICY;
}

/**
 * Throws ResourceExhaustedError naming the node unless an output of `shape` fits the task's
 * maxTensorBytes: for kernels that size an allocation from an attr or an input value.
 */
export function checkOutputBytes(ctx: KernelContext, dtype: DType, shape: readonly number[], extraBytes = 0): void {
  try {
    checkTensorBytes(`${ctx.node.op} '${ctx.node.name}'`, dtype, shape, policyOf(ctx).maxTensorBytes, extraBytes);
  } catch (err) {
    throw withNode(err, ctx.node.name);
  }
}
