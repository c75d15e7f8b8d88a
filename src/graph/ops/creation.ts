/**
 * Tensor-creating ops: Const, Placeholder, PlaceholderWithDefault, Fill, Range, ZerosLike/OnesLike
 * and the random ops, with TF's op types, attrs and names.
 */
import type { DType } from "../../tensor/dtypes.js";
import { isDType } from "../../tensor/dtypes.js";
import { NDArray, ndarray } from "../../tensor/ndarray.js";
import { constantOp, makeTensorOp } from "../convert.js";
import type { NameOption, TensorLike } from "../convert.js";
import type { Shape } from "../graph-def.js";
import { getDefaultGraph } from "../graph.js";
import type { Tensor } from "../tensor.js";
import { checkDType, intTensor, opNamer, sameTypeInputs, toTensor } from "./builder-utils.js";
import { add, mul, sub } from "./math.js";
import { constantNumbers, numElements, shapeFromTensor } from "./shape-utils.js";

/** A value for `constant`: nested JS arrays, scalars, typed arrays or an NDArray. */
export type ConstantValue = Exclude<TensorLike, Tensor | { toTensor(): Tensor }>;

export interface ConstantOptions extends NameOption {
  dtype?: DType;
  shape?: number[];
}

/**
 * A Const op holding `value`.
 * @example const c = tf.constant([[1, 2], [3, 4]], {dtype: "int32"}); c.shape // [2, 2]
 */
export function constant(value: ConstantValue, options: ConstantOptions = {}): Tensor {
  const opts = { ...(options.dtype ? { dtype: options.dtype } : {}), ...(options.shape ? { shape: options.shape } : {}) };
  const v = value instanceof NDArray && !options.dtype && !options.shape ? value : ndarray(value, opts);
  return constantOp(v, options.name ?? "Const");
}

/**
 * A Placeholder: a tensor whose value must be fed. `shape` null or omitted means any shape;
 * `null` entries are dimensions of any size.
 * @example const x = tf.placeholder("float32", [null, 784], {name: "x"});
 */
export function placeholder(dtype: DType, shape: Shape = null, options: NameOption = {}): Tensor {
  if (!isDType(dtype)) throw new TypeError(`placeholder: unknown dtype ${String(dtype)}`);
  // -1 is accepted for an unknown dimension, as TF's PartialTensorShape does.
  const dims = shape === null ? null : shape.map((d) => (d === null || d < 0 ? null : d));
  return getDefaultGraph().addOp({
    type: "Placeholder",
    name: options.name ?? "Placeholder",
    attrs: { dtype: { type: dtype }, shape: { shape: dims } },
    outputs: [{ dtype, shape: dims === null ? null : [...dims] }],
  }).output;
}

/**
 * A PlaceholderWithDefault: `value` unless fed; `shape` may be less specific than the value's.
 * @example const keep = tf.placeholderWithDefault(1.0, []);
 */
export function placeholderWithDefault(value: TensorLike, shape: Shape, options: NameOption = {}): Tensor {
  const namer = opNamer([value], "PlaceholderWithDefault", options.name);
  const input = namer.inside(() => toTensor(value, undefined, "input"));
  if (shape !== null && input.shape !== null) {
    const ok = shape.length === input.shape.length && shape.every((d, i) => d === null || d === input.shape![i] || input.shape![i] === null);
    if (!ok) throw new RangeError(`PlaceholderWithDefault: default value of shape ${JSON.stringify(input.shape)} is not compatible with shape ${JSON.stringify(shape)}`);
  }
  return makeTensorOp(
    "PlaceholderWithDefault",
    [input],
    { dtype: { type: input.dtype }, shape: { shape: shape === null ? null : [...shape] } },
    input.dtype,
    shape === null ? null : [...shape],
    { name: namer.name },
  );
}

/**
 * A tensor of `dims` filled with `value` (TF's Fill).
 * @example tf.fill([2, 3], 9) // [[9, 9, 9], [9, 9, 9]]
 */
export function fill(dims: TensorLike, value: TensorLike, options: NameOption = {}): Tensor {
  const namer = opNamer([dims, value], "Fill", options.name);
  const [dimsT, valueT] = namer.inside(() => [intTensor(dims, "dims"), toTensor(value, undefined, "value")] as const);
  return makeTensorOp(
    "Fill",
    [dimsT, valueT],
    { T: { type: valueT.dtype }, index_type: { type: dimsT.dtype } },
    valueT.dtype,
    shapeFromTensor(dimsT),
    { name: namer.name },
  );
}

function filled(shape: TensorLike, dtype: DType, value: 0 | 1, base: string, name?: string): Tensor {
  const dims = Array.isArray(shape) && shape.every((d) => typeof d === "number") ? (shape as number[]) : null;
  // TF: a small fully-known shape becomes a Const, anything else a Fill.
  if (dims !== null && numElements(dims)! < 1000) {
    return constant(value, { dtype, shape: dims, name: name ?? base });
  }
  const namer = opNamer([shape], base, name);
  const [dimsT, v] = namer.inside(() => [intTensor(shape, "shape"), constant(value, { dtype, name: "Const" })] as const);
  return fill(dimsT, v, { name: namer.name });
}

/**
 * A tensor of zeros.
 * @example tf.zeros([2, 3], "int32")
 */
export function zeros(shape: TensorLike, dtype: DType = "float32", options: NameOption = {}): Tensor {
  return filled(shape, dtype, 0, "zeros", options.name);
}

/**
 * A tensor of ones.
 * @example tf.ones([3])
 */
export function ones(shape: TensorLike, dtype: DType = "float32", options: NameOption = {}): Tensor {
  return filled(shape, dtype, 1, "ones", options.name);
}

/**
 * Zeros with the shape and dtype of `x` (TF's ZerosLike).
 * @example tf.zerosLike(logits)
 */
export function zerosLike(x: TensorLike, options: NameOption = {}): Tensor {
  const t = toTensor(x);
  return makeTensorOp("ZerosLike", [t], { T: { type: t.dtype } }, t.dtype, t.shape, { name: options.name ?? "zeros_like" });
}

/**
 * Ones with the shape and dtype of `x` (TF's OnesLike).
 * @example tf.onesLike(x)
 */
export function onesLike(x: TensorLike, options: NameOption = {}): Tensor {
  const t = toTensor(x);
  return makeTensorOp("OnesLike", [t], { T: { type: t.dtype } }, t.dtype, t.shape, { name: options.name ?? "ones_like" });
}

export interface RangeOptions extends NameOption {
  dtype?: DType;
}

function isIntLike(x: TensorLike): boolean {
  return typeof x === "number" && Number.isInteger(x);
}

/**
 * The sequence start, start+delta, ... below `limit` (TF's Range). `range(5)` is `range(0, 5)`.
 * Plain integers give int32, any fraction float32, unless `dtype` says otherwise.
 * @example tf.range(0, 10, 3) // [0, 3, 6, 9]
 */
export function range(start: TensorLike, limit?: TensorLike, delta: TensorLike = 1, options: RangeOptions = {}): Tensor {
  const [s, l] = limit === undefined ? [0, start] : [start, limit];
  const namer = opNamer([s, l, delta], "range", options.name);
  const jsDType: DType = [s, l, delta].every((x) => typeof x !== "number" || isIntLike(x)) ? "int32" : "float32";
  const tensorDType = [s, l, delta].map((x) => (typeof x === "number" ? undefined : toTensor(x).dtype)).find((d) => d !== undefined);
  const dtype = options.dtype ?? tensorDType ?? jsDType;
  const [st, lt, dt] = namer.inside(() => sameTypeInputs("Range", [s, l, delta], ["start", "limit", "delta"], dtype));
  checkDType("Range", "start", st!, ["float32", "float64", "int32", "int64"]);
  const [a, b, c] = [st!, lt!, dt!].map((t) => constantNumbers(t)?.[0]);
  const n = a !== undefined && b !== undefined && c !== undefined && c !== 0 ? Math.max(0, Math.ceil((b - a) / c)) : null;
  return makeTensorOp("Range", [st!, lt!, dt!], { Tidx: { type: dtype } }, dtype, [n], { name: namer.name });
}

export interface RandomOptions extends NameOption {
  seed?: number;
  dtype?: DType;
}

/** Builds `op(shape) * scale + offset` under one name scope, as TF's random wrappers do. */
function scaledRandom(
  opType: string,
  base: string,
  shape: TensorLike,
  scaleName: string,
  scale: TensorLike,
  offsetName: string,
  offset: TensorLike,
  options: RandomOptions,
): Tensor {
  const dtype = options.dtype ?? "float32";
  if (dtype !== "float32" && dtype !== "float64") throw new TypeError(`${opType}: dtype must be float32 or float64, got ${dtype}`);
  const namer = opNamer([shape, scale, offset], base, options.name);
  const [seed, seed2] = namer.graph.seeds(options.seed);
  const scaled = namer.inside(() => {
    const shapeT = intTensor(shape, "shape");
    const [scaleT, offsetT] = [toTensor(scale, dtype, scaleName), toTensor(offset, dtype, offsetName)];
    const rnd = makeTensorOp(
      opType,
      [shapeT],
      { seed: { i: seed }, seed2: { i: seed2 }, dtype: { type: dtype }, T: { type: shapeT.dtype } },
      dtype,
      shapeFromTensor(shapeT),
      { name: opType },
    );
    return { product: mul(rnd, scaleT, { name: "mul" }), offsetT };
  });
  return add(scaled.product, scaled.offsetT, { name: namer.name });
}

export interface RandomNormalOptions extends RandomOptions {
  mean?: TensorLike;
  stddev?: TensorLike;
}

/**
 * Samples of a normal distribution (RandomStandardNormal * stddev + mean). With a seed (or a
 * graph seed) the values repeat from run to run.
 * @example const w = tf.randomNormal([784, 10], {stddev: 0.1, seed: 1});
 */
export function randomNormal(shape: TensorLike, options: RandomNormalOptions = {}): Tensor {
  return scaledRandom("RandomStandardNormal", "random_normal", shape, "stddev", options.stddev ?? 1, "mean", options.mean ?? 0, options);
}

/**
 * Normal samples more than two standard deviations from the mean redrawn (TruncatedNormal).
 * @example const w = tf.truncatedNormal([10, 10], {stddev: 0.1});
 */
export function truncatedNormal(shape: TensorLike, options: RandomNormalOptions = {}): Tensor {
  return scaledRandom("TruncatedNormal", "truncated_normal", shape, "stddev", options.stddev ?? 1, "mean", options.mean ?? 0, options);
}

export interface RandomUniformOptions extends RandomOptions {
  minval?: TensorLike;
  maxval?: TensorLike;
}

/**
 * Uniform samples in [minval, maxval): floats as RandomUniform * (maxval - minval) + minval,
 * integer dtypes with RandomUniformInt (maxval required).
 * @example const u = tf.randomUniform([2, 2], {minval: -1, maxval: 1, seed: 7});
 */
export function randomUniform(shape: TensorLike, options: RandomUniformOptions = {}): Tensor {
  const dtype = options.dtype ?? "float32";
  const isInt = dtype === "int32" || dtype === "int64";
  if (isInt && options.maxval === undefined) throw new TypeError(`randomUniform: maxval must be given for dtype ${dtype}`);
  if (!isInt && dtype !== "float32" && dtype !== "float64") throw new TypeError(`randomUniform: unsupported dtype ${dtype}`);
  const [minval, maxval] = [options.minval ?? 0, options.maxval ?? 1];
  const namer = opNamer([shape, minval, maxval], "random_uniform", options.name);
  const [seed, seed2] = namer.graph.seeds(options.seed);
  const seeds = { seed: { i: seed }, seed2: { i: seed2 } };
  const built = namer.inside(() => {
    const shapeT = intTensor(shape, "shape");
    const lo = toTensor(minval, dtype, "min");
    const hi = toTensor(maxval, dtype, "max");
    sameTypeInputs("RandomUniform", [lo, hi], ["minval", "maxval"]);
    if (isInt) return { shapeT, lo, hi };
    const rnd = makeTensorOp("RandomUniform", [shapeT], { ...seeds, dtype: { type: dtype }, T: { type: shapeT.dtype } }, dtype, shapeFromTensor(shapeT), { name: "RandomUniform" });
    return { shapeT, lo, hi, product: mul(rnd, sub(hi, lo, { name: "sub" }), { name: "mul" }) };
  });
  if (built.product) return add(built.product, built.lo, { name: namer.name });
  return makeTensorOp(
    "RandomUniformInt",
    [built.shapeT, built.lo, built.hi],
    { ...seeds, Tout: { type: dtype }, T: { type: built.shapeT.dtype } },
    dtype,
    shapeFromTensor(built.shapeT),
    { name: namer.name },
  );
}
