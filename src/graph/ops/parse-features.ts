/**
 * The feature configs of Example parsing (python/ops/parsing_ops.py; tf-training.md §10.2):
 * FixedLenFeature and VarLenFeature, and their conversion to the parse ops' raw parameters in
 * sorted key order, with TF's build-time errors and its reshaping (never broadcasting) of defaults.
 */
import type { DType } from "../../tensor/dtypes.js";
import { NDArray, ndarray, sizeOf } from "../../tensor/ndarray.js";
import type { Shape } from "../graph-def.js";
import { Tensor } from "../tensor.js";

export const EXAMPLE_TYPES: readonly DType[] = ["float32", "int64", "string"];

/** A feature of a fixed shape in every Example: `shape` must be fully known. */
export interface FixedLenFeature {
  readonly kind: "FixedLenFeature";
  readonly shape: Shape;
  readonly dtype: DType;
  /** null: the feature is required. Otherwise exactly prod(shape) values (a Tensor is taken as is). */
  readonly defaultValue: unknown;
}

/** A feature of any length, parsed into a SparseTensor. */
export interface VarLenFeature {
  readonly kind: "VarLenFeature";
  readonly dtype: DType;
}

/** A feature of rows of a fixed shape, as many as the Example has: parsed padded to the longest. */
export interface FixedLenSequenceFeature {
  readonly kind: "FixedLenSequenceFeature";
  readonly shape: Shape;
  readonly dtype: DType;
  /** Must be true for Example parsing (TF's requirement). */
  readonly allowMissing: boolean;
  /** The scalar padding value; 0 or "" by default. */
  readonly defaultValue: unknown;
}

export type Feature = FixedLenFeature | VarLenFeature | FixedLenSequenceFeature;

interface FixedLenFeatureFactory {
  (shape: number | (number | null)[] | null, dtype: DType, defaultValue?: unknown): FixedLenFeature;
  new (shape: number | (number | null)[] | null, dtype: DType, defaultValue?: unknown): FixedLenFeature;
}

interface VarLenFeatureFactory {
  (dtype: DType): VarLenFeature;
  new (dtype: DType): VarLenFeature;
}

/**
 * A fixed-shape feature config (TF's namedtuple); callable with or without `new`. A bare number
 * means a vector of that length.
 * @example const features = {image: tf.io.FixedLenFeature([784], "float32"), label: tf.io.FixedLenFeature([], "int64")};
 */
export const FixedLenFeature = function (shape: number | (number | null)[] | null, dtype: DType, defaultValue: unknown = null): FixedLenFeature {
  const s: Shape = shape === null || shape === undefined ? null : typeof shape === "number" ? [shape] : [...shape];
  return Object.freeze({ kind: "FixedLenFeature" as const, shape: s, dtype, defaultValue: defaultValue ?? null });
} as FixedLenFeatureFactory;

/**
 * A variable-length feature config: parsing gives a SparseTensor. Callable with or without `new`.
 * @example const features = {tags: tf.io.VarLenFeature("string")};
 */
export const VarLenFeature = function (dtype: DType): VarLenFeature {
  return Object.freeze({ kind: "VarLenFeature" as const, dtype });
} as VarLenFeatureFactory;

interface FixedLenSequenceFeatureFactory {
  (shape: number | number[], dtype: DType, allowMissing?: boolean, defaultValue?: unknown): FixedLenSequenceFeature;
  new (shape: number | number[], dtype: DType, allowMissing?: boolean, defaultValue?: unknown): FixedLenSequenceFeature;
}

/**
 * A sequence feature config: `[B, T] + shape` (or `[T] + shape` for one Example), padded with the
 * scalar default. Example parsing needs `allowMissing: true`.
 * @example const features = {frames: tf.io.FixedLenSequenceFeature([2], "float32", true)};
 */
export const FixedLenSequenceFeature = function (shape: number | number[], dtype: DType, allowMissing = false, defaultValue: unknown = null): FixedLenSequenceFeature {
  const s: Shape = shape === null || shape === undefined ? null : typeof shape === "number" ? [shape] : [...shape];
  return Object.freeze({ kind: "FixedLenSequenceFeature" as const, shape: s, dtype, allowMissing, defaultValue: defaultValue ?? null });
} as FixedLenSequenceFeatureFactory;

/** The parse ops' parameters: dense and sparse features, each in sorted key order. */
export interface RawParams {
  denseKeys: string[];
  denseTypes: DType[];
  /** A sequence feature's shape starts with null. */
  denseShapes: (number | null)[][];
  /** Per dense key: null (required), an NDArray already shaped, or a Tensor taken as is. */
  denseDefaults: (NDArray | Tensor | null)[];
  /** The name of each default's constant ("Const", "key_<k>", "padding_<k>"). */
  denseDefaultNames: string[];
  sparseKeys: string[];
  sparseTypes: DType[];
}

/** Python's str() of a TensorShape with unknown dims, e.g. "(1, None)". */
function pyShape(shape: (number | null)[]): string {
  const dims = shape.map((d) => (d === null ? "None" : String(d)));
  return `(${dims.join(", ")}${dims.length === 1 ? "," : ""})`;
}

function checkDType(key: string, dtype: DType | undefined, param: string): DType {
  if (dtype === undefined || dtype === null) throw new RangeError(`Missing type for feature ${key}.`);
  if (!EXAMPLE_TYPES.includes(dtype)) {
    throw new TypeError(`Value passed to parameter '${param}' has DataType ${dtype} not in list of allowed values: float32, int64, string`);
  }
  return dtype;
}

function fixedShape(key: string, shape: Shape): number[] {
  if (shape === null || shape === undefined) throw new RangeError(`Missing shape for feature ${key}.`);
  if (shape.length > 0 && shape[0] === null) {
    throw new RangeError(`First dimension of shape for feature ${key} unknown. Consider using FixedLenSequenceFeature.`);
  }
  if (shape.some((d) => d === null)) throw new RangeError(`All dimensions of shape for feature ${key} need to be known but received ${pyShape(shape)}.`);
  return shape as number[];
}

/**
 * A JS default as TF's convert_to_tensor + reshape: exactly prod(shape) values in any nesting.
 * `reshapeName` is the Reshape op TF would build, for the error's op context.
 */
function reshapedDefault(value: unknown, dtype: DType, shape: number[], reshapeName: string): NDArray | null {
  const flat = value instanceof NDArray ? value : ndarray(value, { dtype });
  if (flat.size === 0) return null;
  const want = sizeOf(shape);
  if (flat.size !== want) {
    throw new RangeError(`Cannot reshape a tensor with ${flat.size} elements to shape [${shape.join(",")}] (${want} elements) for '${reshapeName}' (op: 'Reshape')`);
  }
  const data = flat.dtype === dtype ? flat.data : ndarray(flat.toArray(), { dtype }).data;
  return new NDArray(dtype, [...shape], data);
}

function safeName(key: string): string {
  return key.replace(/[^A-Za-z0-9_.\-/]/g, "_");
}

/** A sequence feature's padding: the scalar given (reshaped to []), else 0 or "". */
function paddingValue(value: unknown, dtype: DType, reshapeName: () => string): NDArray | Tensor {
  if (value instanceof Tensor) return value;
  if (value === null) return ndarray(dtype === "string" ? "" : dtype === "int64" ? 0n : 0, { dtype });
  const v = value instanceof NDArray ? value : ndarray(value, { dtype });
  if (v.size !== 1) throw new RangeError(`Cannot reshape a tensor with ${v.size} elements to shape [] (1 elements) for '${reshapeName()}' (op: 'Reshape')`);
  return new NDArray(dtype, [], v.dtype === dtype ? v.data : ndarray(v.toArray(), { dtype }).data);
}

/** _features_to_raw_params: the features in sorted key order, checked. */
export function rawParams(features: Record<string, Feature>, scope: string): RawParams {
  const p: RawParams = { denseKeys: [], denseTypes: [], denseShapes: [], denseDefaults: [], denseDefaultNames: [], sparseKeys: [], sparseTypes: [] };
  let reshapes = 0;
  const reshapeName = (): string => `${scope}/Reshape${reshapes++ === 0 ? "" : `_${reshapes - 1}`}`;
  for (const key of Object.keys(features).sort()) {
    const f = features[key]!;
    if (f.kind === "VarLenFeature") {
      p.sparseKeys.push(key);
      p.sparseTypes.push(checkDType(key, f.dtype, "sparse_types"));
    } else if (f.kind === "FixedLenFeature") {
      const dtype = checkDType(key, f.dtype, "dense_defaults");
      const shape = fixedShape(key, f.shape);
      const dflt = f.defaultValue === null ? null : f.defaultValue instanceof Tensor ? f.defaultValue : reshapedDefault(f.defaultValue, dtype, shape, reshapeName());
      p.denseKeys.push(key);
      p.denseTypes.push(dtype);
      p.denseShapes.push(shape);
      p.denseDefaults.push(dflt);
      p.denseDefaultNames.push(dflt instanceof NDArray ? `key_${safeName(key)}` : "Const");
    } else if (f.kind === "FixedLenSequenceFeature") {
      if (!f.allowMissing) throw new RangeError("Unsupported: FixedLenSequenceFeature requires allow_missing to be True.");
      const dtype = checkDType(key, f.dtype, "dense_defaults");
      if (f.shape === null || f.shape === undefined) throw new RangeError(`Missing shape for feature ${key}.`);
      if (f.shape.some((d) => d === null)) throw new RangeError(`All dimensions of shape for feature ${key} need to be known but received ${pyShape(f.shape)}.`);
      p.denseKeys.push(key);
      p.denseTypes.push(dtype);
      p.denseShapes.push([null, ...(f.shape as number[])]);
      p.denseDefaults.push(paddingValue(f.defaultValue, dtype, reshapeName));
      p.denseDefaultNames.push(f.defaultValue === null ? "Const" : `padding_${safeName(key)}`);
    } else {
      throw new TypeError(`Unsupported feature config for ${key}: ${JSON.stringify(f)}`);
    }
  }
  return p;
}
