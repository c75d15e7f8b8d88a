/**
 * Slicing and indexing array ops: Split / SplitV, Slice, GatherV2, OneHot, Tile, Pad / PadV2 /
 * MirrorPad, Select (where).
 */
import type { DType } from "../../tensor/dtypes.js";
import { makeOp, makeTensorOp } from "../convert.js";
import type { NameOption, TensorLike } from "../convert.js";
import type { Shape } from "../graph-def.js";
import type { Tensor } from "../tensor.js";
import { checkDType, dtypeOf, intTensor, opNamer, sameTypeInputs, toTensor } from "./builder-utils.js";
import { constantNumbers, mergeShapes, normalizeAxis, opContext, shapeString, unknownShapeOfRank } from "./shape-utils.js";

export interface SplitOptions extends NameOption {
  /** Number of outputs when `numOrSizeSplits` is a tensor of unknown length. */
  num?: number;
}

/**
 * Splits `value` along `axis` into `n` equal parts (Split) or parts of the given sizes, one of
 * which may be -1 (SplitV).
 * @example const [a, b, c] = tf.split(x, 3, 1); const [head, rest] = tf.split(v, [1, -1]);
 */
export function split(value: TensorLike, numOrSizeSplits: number | TensorLike, axis: TensorLike = 0, options: SplitOptions = {}): Tensor[] {
  const namer = opNamer([value, numOrSizeSplits, axis], "split", options.name);
  if (typeof numOrSizeSplits === "number") {
    const num = numOrSizeSplits;
    const [dim, t] = namer.inside(() => [intTensor(axis, "split_dim"), toTensor(value, undefined, "value")] as const);
    const a = constantNumbers(dim)?.[0];
    let elem: Shape = t.shape === null ? null : unknownShapeOfRank(t.shape.length);
    if (a !== undefined && t.shape !== null) {
      const at = normalizeAxis(a, t.shape.length, "split axis");
      const d = t.shape[at]!;
      if (d !== null && d % num !== 0) throw new RangeError(`Dimension size must be evenly divisible by ${num} but is ${d} for ${opContext(namer.fullName, "Split")}`);
      elem = t.shape.map((s, i) => (i === at ? (d === null ? null : d / num) : s));
    }
    const outputs = Array.from({ length: num }, () => ({ dtype: t.dtype, shape: elem === null ? null : [...elem] }));
    return makeOp("Split", [dim, t], { T: { type: t.dtype }, num_split: { i: num } }, outputs, { name: namer.name }).outputs;
  }
  const [t, sizes, dim] = namer.inside(() => [toTensor(value, undefined, "value"), intTensor(numOrSizeSplits, "size_splits"), intTensor(axis, "split_dim")] as const);
  const sizeValues = constantNumbers(sizes);
  const num = sizeValues?.length ?? options.num ?? (sizes.shape?.[0] ?? null);
  if (num === null) throw new RangeError(`Cannot infer num from shape ${shapeString(sizes.shape)}`);
  const a = constantNumbers(dim)?.[0];
  const shapes: Shape[] = Array.from({ length: num }, () => (t.shape === null ? null : unknownShapeOfRank(t.shape.length)));
  if (a !== undefined && t.shape !== null && sizeValues !== null) {
    const at = normalizeAxis(a, t.shape.length, "split axis");
    const d = t.shape[at]!;
    const known = sizeValues.filter((s) => s !== -1).reduce((p, s) => p + s, 0);
    sizeValues.forEach((s, i) => {
      const len = s !== -1 ? s : d === null ? null : d - known;
      shapes[i] = t.shape!.map((x, j) => (j === at ? len : x));
    });
  }
  const outputs = shapes.map((s) => ({ dtype: t.dtype, shape: s }));
  return makeOp("SplitV", [t, sizes, dim], { T: { type: t.dtype }, Tlen: { type: sizes.dtype }, num_split: { i: num } }, outputs, { name: namer.name }).outputs;
}

/**
 * The block of `x` starting at `begin` with `size` elements per dimension; -1 takes the rest (Slice).
 * @example tf.slice(x, [0, 1], [-1, 2])
 */
export function slice(x: TensorLike, begin: TensorLike, size: TensorLike, options: NameOption = {}): Tensor {
  const namer = opNamer([x, begin, size], "Slice", options.name);
  const [t, b, s] = namer.inside(() => [toTensor(x, undefined, "input"), intTensor(begin, "begin"), intTensor(size, "size")] as const);
  const [bv, sv] = [constantNumbers(b), constantNumbers(s)];
  let out: Shape = t.shape === null ? (s.shape?.[0] != null ? unknownShapeOfRank(s.shape[0]) : null) : unknownShapeOfRank(t.shape.length);
  if (sv !== null) {
    if (t.shape !== null && sv.length !== t.shape.length) {
      throw new RangeError(`Slice: size has ${sv.length} elements but the input has rank ${t.shape.length} for ${opContext(namer.fullName, "Slice")}`);
    }
    out = sv.map((n, i) => {
      if (n !== -1) return n;
      const d = t.shape?.[i] ?? null;
      return d !== null && bv !== null ? d - bv[i]! : null;
    });
  }
  return makeTensorOp("Slice", [t, b, s], { T: { type: t.dtype }, Index: { type: b.dtype } }, t.dtype, out, { name: namer.name });
}

/**
 * Slices of `params` along `axis` picked by `indices` (GatherV2).
 * @example tf.gather(embeddings, ids) // shape [...ids.shape, dim]
 */
export function gather(params: TensorLike, indices: TensorLike, axis: TensorLike = 0, options: NameOption = {}): Tensor {
  const namer = opNamer([params, indices, axis], "GatherV2", options.name);
  const [p, i, a] = namer.inside(() => [toTensor(params, undefined, "params"), intTensor(indices, "indices"), intTensor(axis, "axis")] as const);
  const av = constantNumbers(a)?.[0];
  let out: Shape = null;
  if (p.shape !== null && i.shape !== null && av !== undefined) {
    const at = normalizeAxis(av, p.shape.length, "gather axis");
    out = [...p.shape.slice(0, at), ...i.shape, ...p.shape.slice(at + 1)];
  }
  const attrs = { Tparams: { type: p.dtype }, Tindices: { type: i.dtype }, Taxis: { type: a.dtype }, batch_dims: { i: 0 } };
  return makeTensorOp("GatherV2", [p, i, a], attrs, p.dtype, out, { name: namer.name });
}

export interface OneHotOptions extends NameOption {
  onValue?: TensorLike;
  offValue?: TensorLike;
  axis?: number;
  dtype?: DType;
}

/**
 * A one-hot encoding of `indices` with `depth` classes (OneHot); out-of-range indices give a row of `offValue`.
 * @example tf.oneHot(labels, 10) // float32 [batch, 10]
 */
export function oneHot(indices: TensorLike, depth: TensorLike, options: OneHotOptions = {}): Tensor {
  const namer = opNamer([indices, depth, options.onValue, options.offValue], "one_hot", options.name);
  const dtype = options.dtype ?? dtypeOf(options.onValue ?? 0) ?? dtypeOf(options.offValue ?? 0) ?? "float32";
  const [ind, d, on, off] = namer.inside(() => {
    const [onT, offT] = sameTypeInputs("OneHot", [options.onValue ?? 1, options.offValue ?? 0], ["on_value", "off_value"], dtype);
    return [intTensor(indices, "indices"), intTensor(depth, "depth"), onT!, offT!] as const;
  });
  if (on.dtype !== dtype) throw new TypeError(`oneHot: dtype ${dtype} does not match on_value's dtype ${on.dtype}`);
  const axis = options.axis ?? -1;
  const dv = constantNumbers(d)?.[0] ?? null;
  let out: Shape = null;
  if (ind.shape !== null) {
    const at = axis === -1 ? ind.shape.length : normalizeAxis(axis, ind.shape.length + 1, "one_hot axis");
    out = [...ind.shape.slice(0, at), dv, ...ind.shape.slice(at)];
  }
  const attrs = { T: { type: dtype }, TI: { type: ind.dtype }, axis: { i: axis } };
  return makeTensorOp("OneHot", [ind, d, on, off], attrs, dtype, out, { name: namer.name });
}

/**
 * `x` repeated `multiples[i]` times along dimension i (Tile).
 * @example tf.tile([[1, 2]], [2, 1]) // [[1, 2], [1, 2]]
 */
export function tile(x: TensorLike, multiples: TensorLike, options: NameOption = {}): Tensor {
  const namer = opNamer([x, multiples], "Tile", options.name);
  const [t, m] = namer.inside(() => [toTensor(x, undefined, "input"), intTensor(multiples, "multiples")] as const);
  const mv = constantNumbers(m);
  let out: Shape = t.shape === null ? (m.shape?.[0] != null ? unknownShapeOfRank(m.shape[0]) : null) : unknownShapeOfRank(t.shape.length);
  if (t.shape !== null && mv !== null) {
    if (mv.length !== t.shape.length) throw new RangeError(`Tile: multiples has ${mv.length} elements but the input has rank ${t.shape.length} for ${opContext(namer.fullName, "Tile")}`);
    out = t.shape.map((d, i) => (d === null ? null : d * mv[i]!));
  }
  return makeTensorOp("Tile", [t, m], { T: { type: t.dtype }, Tmultiples: { type: m.dtype } }, t.dtype, out, { name: namer.name });
}

export interface PadOptions extends NameOption {
  mode?: "CONSTANT" | "REFLECT" | "SYMMETRIC";
  constantValues?: number;
}

/**
 * `x` padded by `paddings` ([rank, 2]: before and after per dimension) (Pad, PadV2 for a
 * non-zero constant, MirrorPad for REFLECT / SYMMETRIC).
 * @example tf.pad(image, [[1, 1], [2, 2]])
 */
export function pad(x: TensorLike, paddings: TensorLike, options: PadOptions = {}): Tensor {
  const mode = (options.mode ?? "CONSTANT").toUpperCase() as "CONSTANT" | "REFLECT" | "SYMMETRIC";
  const cv = options.constantValues ?? 0;
  const type = mode !== "CONSTANT" ? "MirrorPad" : cv !== 0 ? "PadV2" : "Pad";
  const namer = opNamer([x, paddings], type, options.name);
  const [t, p, c] = namer.inside(() => {
    const input = toTensor(x, undefined, "input");
    return [input, intTensor(paddings, "paddings"), type === "PadV2" ? toTensor(cv, input.dtype, "constant_values") : null] as const;
  });
  const pv = constantNumbers(p);
  let out: Shape = t.shape === null ? null : unknownShapeOfRank(t.shape.length);
  if (t.shape !== null && pv !== null) {
    if (pv.length !== 2 * t.shape.length) throw new RangeError(`Pad: paddings must be [${t.shape.length}, 2] for an input of shape ${shapeString(t.shape)} for ${opContext(namer.fullName, type)}`);
    out = t.shape.map((d, i) => (d === null ? null : d + pv[2 * i]! + pv[2 * i + 1]!));
  }
  const attrs = { T: { type: t.dtype }, Tpaddings: { type: p.dtype }, ...(type === "MirrorPad" ? { mode: { s: mode } } : {}) };
  return makeTensorOp(type, c ? [t, p, c] : [t, p], attrs, t.dtype, out, { name: namer.name });
}

/**
 * Picks elements of `x` where `condition` is true, else of `y` (Select, TF 1.x's three-argument
 * tf.where). `condition` has the shape of `x`, or is a vector over x's first dimension.
 * @example tf.where(tf.greater(x, 0), x, tf.zerosLike(x))
 */
export function where(condition: TensorLike, x: TensorLike, y: TensorLike, options: NameOption = {}): Tensor {
  const namer = opNamer([condition, x, y], "Select", options.name);
  const [cond, a, b] = namer.inside(() => {
    const [xt, yt] = sameTypeInputs("Select", [x, y], ["x", "y"]);
    return [toTensor(condition, "bool", "condition"), xt!, yt!] as const;
  });
  checkDType("Select", "condition", cond, ["bool"]);
  const ctx = opContext(namer.fullName, "Select");
  const out = mergeShapes(a.shape, b.shape, ctx);
  if (cond.shape !== null && out !== null && cond.shape.length !== 1) mergeShapes(cond.shape, out, ctx);
  return makeTensorOp("Select", [cond, a, b], { T: { type: a.dtype } }, a.dtype, out, { name: namer.name });
}
