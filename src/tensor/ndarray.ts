import type { DType } from "./dtypes.js";
import { isDType } from "./dtypes.js";
import type { ResourceHandle } from "./resource-handle.js";

export type NDData =
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint8Array[]
  | ResourceHandle[];

export type Scalar = number | bigint | boolean | string;
export type NestedArray = Scalar | Uint8Array | NestedArray[];

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

/**
 * A host value: the result of a fetched tensor, or a value to feed.
 * @example tf.ndarray([[1, 2], [3, 4]]).toArray() // [[1, 2], [3, 4]]
 */
export class NDArray {
  constructor(
    readonly dtype: DType,
    readonly shape: number[],
    readonly data: NDData,
  ) {
    const n = sizeOf(shape);
    if (data.length !== n) {
      throw new RangeError(`NDArray of shape [${shape.join(",")}] needs ${n} values, got ${data.length}`);
    }
  }

  get size(): number {
    return this.data.length;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** A scalar's value: number, bigint, boolean or (UTF-8 decoded) string. */
  item(): Scalar {
    if (this.size !== 1) throw new RangeError(`item() needs a single value, this NDArray has ${this.size}`);
    return this.valueAt(0);
  }

  /** Nested JS arrays (strings decoded as UTF-8); a scalar gives its value. */
  toArray(): NestedArray {
    if (this.shape.length === 0) return this.valueAt(0);
    let flat = 0;
    const build = (dim: number): NestedArray[] => {
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[dim]!; i++) {
        out.push(dim === this.shape.length - 1 ? this.valueAt(flat++) : build(dim + 1));
      }
      return out;
    };
    return build(0);
  }

  /** Raw bytes of each string element (string dtype only). */
  bytes(): Uint8Array[] {
    if (this.dtype !== "string") throw new TypeError(`bytes() is for string NDArrays, this one is ${this.dtype}`);
    return this.data as Uint8Array[];
  }

  valueAt(i: number): Scalar {
    switch (this.dtype) {
      case "bool":
        return (this.data as Uint8Array)[i] !== 0;
      case "string":
        return utf8d.decode((this.data as Uint8Array[])[i]);
      case "int64":
        return (this.data as BigInt64Array)[i]!;
      case "resource": {
        const h = (this.data as ResourceHandle[])[i]!;
        return `${h.device}:${h.container}:${h.name}`;
      }
      default:
        return (this.data as Float32Array)[i]!;
    }
  }

  toString(): string {
    return `NDArray<${this.dtype}>[${this.shape.join(",")}] ${JSON.stringify(this.toArray(), (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`;
  }
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function allocData(dtype: DType, n: number): NDData {
  switch (dtype) {
    case "float32":
      return new Float32Array(n);
    case "float64":
      return new Float64Array(n);
    case "int32":
      return new Int32Array(n);
    case "int64":
      return new BigInt64Array(n);
    case "uint8":
    case "bool":
      return new Uint8Array(n);
    case "string":
      return Array.from({ length: n }, () => new Uint8Array(0));
    case "resource":
      return [];
  }
}

function inferShape(values: unknown): number[] {
  const shape: number[] = [];
  let v = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0];
  }
  if (ArrayBuffer.isView(v) && !(v instanceof Uint8Array && shape.length > 0)) {
    // a typed array at the leaf level: a flat vector
    shape.push((v as unknown as ArrayLike<unknown>).length);
  }
  return shape;
}

function flatten(values: unknown, out: unknown[]): void {
  if (Array.isArray(values)) {
    for (const v of values) flatten(v, out);
  } else if (ArrayBuffer.isView(values) && !(values instanceof DataView)) {
    const arr = values as unknown as ArrayLike<unknown>;
    for (let i = 0; i < arr.length; i++) out.push(arr[i]);
  } else {
    out.push(values);
  }
}

function inferDType(first: unknown): DType {
  if (typeof first === "boolean") return "bool";
  if (typeof first === "string" || first instanceof Uint8Array) return "string";
  if (typeof first === "bigint") return "int64";
  return "float32";
}

function typedArrayDType(v: unknown): DType | undefined {
  if (v instanceof Float32Array) return "float32";
  if (v instanceof Float64Array) return "float64";
  if (v instanceof Int32Array) return "int32";
  if (v instanceof BigInt64Array) return "int64";
  if (v instanceof Uint8Array) return "uint8";
  return undefined;
}

/** Converts one JS scalar to the representation `dtype` stores. */
function convertAll(dtype: DType, flat: unknown[]): NDData {
  const n = flat.length;
  switch (dtype) {
    case "string":
      return flat.map((v) => (v instanceof Uint8Array ? v : utf8.encode(String(v))));
    case "int64":
      return BigInt64Array.from(flat, (v) => (typeof v === "bigint" ? v : BigInt(Math.trunc(Number(v)))));
    case "bool":
      return Uint8Array.from(flat, (v) => (v ? 1 : 0));
    case "resource":
      return flat as ResourceHandle[];
    default: {
      const data = allocData(dtype, n) as Float32Array;
      for (let i = 0; i < n; i++) {
        const v = flat[i];
        data[i] = typeof v === "boolean" ? (v ? 1 : 0) : Number(v);
      }
      return data;
    }
  }
}

export interface NDArrayOptions {
  dtype?: DType;
  shape?: number[];
}

/**
 * Builds an NDArray from nested arrays, a typed array or a scalar.
 * A JS number becomes float32 unless `dtype` says otherwise.
 * @example tf.ndarray([1, 2, 3], {dtype: "int32"})
 */
export function ndarray(values: unknown, options: NDArrayOptions = {}): NDArray {
  if (values instanceof NDArray) {
    if (!options.dtype || options.dtype === values.dtype) {
      return options.shape ? new NDArray(values.dtype, options.shape, values.data) : values;
    }
    return ndarray(values.toArray(), options);
  }
  if (options.dtype !== undefined && !isDType(options.dtype)) {
    throw new TypeError(`Unknown dtype ${String(options.dtype)}`);
  }
  const typed = typedFastPath(values, options);
  if (typed) return typed;
  const flat: unknown[] = [];
  flatten(values, flat);
  const leafTyped = ArrayBuffer.isView(values) ? typedArrayDType(values) : undefined;
  const dtype = options.dtype ?? leafTyped ?? (flat.length ? inferDType(flat[0]) : "float32");
  const inferred = typeof values === "string" || values instanceof Uint8Array && dtype === "string" ? [] : inferShape(values);
  let shape = inferred;
  let data = convertAll(dtype, typeof values === "string" ? [values] : flat);
  if (options.shape) {
    shape = options.shape;
    const n = sizeOf(shape);
    if (data.length === 1 && n !== 1) {
      // a scalar broadcast to the requested shape, as tf.constant(1, shape=[2,3]) does
      data = convertAll(dtype, new Array(n).fill(flat[0]));
    } else if (data.length !== n) {
      throw new RangeError(`Cannot make shape [${shape.join(",")}] from ${data.length} values`);
    }
  }
  checkRectangular(values, inferred);
  return new NDArray(dtype, shape, data);
}

/**
 * A typed array of the requested dtype (or no dtype) needs no element-by-element conversion: one
 * copy (so the NDArray never aliases the caller's memory) and the shape check.
 */
function typedFastPath(values: unknown, options: { dtype?: DType; shape?: number[] }): NDArray | null {
  if (!ArrayBuffer.isView(values) || values instanceof DataView) return null;
  const own = typedArrayDType(values);
  if (own === undefined || own === "string" || (options.dtype !== undefined && options.dtype !== own)) return null;
  const data = (values as unknown as { slice(): NDData }).slice();
  const shape = options.shape ?? [data.length];
  if (sizeOf(shape) !== data.length) {
    if (data.length === 1) return null; // a scalar broadcast to the shape: the general path
    throw new RangeError(`Cannot make shape [${shape.join(",")}] from ${data.length} values`);
  }
  return new NDArray(own, [...shape], data);
}

function checkRectangular(values: unknown, shape: number[], depth = 0): void {
  if (!Array.isArray(values)) return;
  if (values.length !== shape[depth]) {
    throw new RangeError(`Ragged nested array: expected ${shape[depth]} elements at depth ${depth}, got ${values.length}`);
  }
  for (const v of values) checkRectangular(v, shape, depth + 1);
}
