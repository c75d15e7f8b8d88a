/**
 * Shape-changing array ops: Identity, StopGradient, Reshape, ExpandDims, Squeeze, Shape/Size/Rank, Transpose,
 * Pack (stack), Unpack (unstack), ConcatV2. Slicing and indexing ops are in array-index.ts.
 */
import { ndarray } from "../../tensor/ndarray.js";
import { constantOp, makeOp, makeTensorOp } from "../convert.js";
import type { NameOption, TensorLike } from "../convert.js";
import type { Shape } from "../graph-def.js";
import type { Tensor } from "../tensor.js";
import { intTensor, opNamer, sameTypeInputs, toTensor } from "./builder-utils.js";
import { constantNumbers, isFullyDefined, mergeShapes, normalizeAxis, numElements, opContext, shapeFromTensor, shapeString, unknownShapeOfRank } from "./shape-utils.js";

function copy(shape: Shape): Shape {
  return shape === null ? null : [...shape];
}

/**
 * The same value as a new tensor (Identity).
 * @example const y = tf.identity(x, {name: "output"});
 */
export function identity(x: TensorLike, options: NameOption = {}): Tensor {
  const namer = opNamer([x], "Identity", options.name);
  const t = namer.inside(() => toTensor(x, undefined, "input"));
  return makeTensorOp("Identity", [t], { T: { type: t.dtype } }, t.dtype, copy(t.shape), { name: namer.name });
}

/**
 * The same value, but gradients do not flow through it (StopGradient).
 * @example const target = tf.stopGradient(tf.add(reward, nextValue));
 */
export function stopGradient(x: TensorLike, options: NameOption = {}): Tensor {
  const namer = opNamer([x], "StopGradient", options.name);
  const t = namer.inside(() => toTensor(x, undefined, "input"));
  return makeTensorOp("StopGradient", [t], { T: { type: t.dtype } }, t.dtype, copy(t.shape), { name: namer.name });
}

function reshapedShape(input: Shape, shapeT: Tensor, ctx: string): Shape {
  const raw = constantNumbers(shapeT);
  if (raw === null) return shapeFromTensor(shapeT);
  const unknown = raw.filter((d) => d === -1).length;
  if (unknown > 1) throw new RangeError(`Cannot infer multiple unknown dimensions in shape [${raw.join(",")}] for ${ctx}`);
  const out: (number | null)[] = raw.map((d) => (d === -1 ? null : d));
  const n = numElements(input);
  if (n === null) return out;
  const known = raw.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
  const fail = () =>
    new RangeError(`Cannot reshape a tensor with ${n} elements to shape [${raw.join(",")}] (${known} elements) for ${ctx} with input shapes: ${shapeString(input)}`);
  if (unknown === 0) {
    if (known !== n) throw fail();
    return out;
  }
  if (known === 0 ? n !== 0 : n % known !== 0) throw fail();
  return out.map((d) => (d === null ? (known === 0 ? 0 : n / known) : d));
}

/**
 * `x` with a new shape of the same number of elements; one dimension may be -1 (Reshape).
 * @example tf.reshape(images, [-1, 28, 28, 1])
 */
export function reshape(x: TensorLike, shape: TensorLike, options: NameOption = {}): Tensor {
  const namer = opNamer([x, shape], "Reshape", options.name);
  const [t, s] = namer.inside(() => [toTensor(x, undefined, "tensor"), intTensor(shape, "shape")] as const);
  const out = reshapedShape(t.shape, s, opContext(namer.fullName, "Reshape"));
  return makeTensorOp("Reshape", [t, s], { T: { type: t.dtype }, Tshape: { type: s.dtype } }, t.dtype, out, { name: namer.name });
}

/**
 * `x` with a dimension of size 1 inserted at `axis` (ExpandDims).
 * @example tf.expandDims(label, 0) // shape [1]
 */
export function expandDims(x: TensorLike, axis: TensorLike, options: NameOption = {}): Tensor {
  const namer = opNamer([x, axis], "ExpandDims", options.name);
  const [t, dim] = namer.inside(() => [toTensor(x, undefined, "input"), intTensor(axis, "dim")] as const);
  const a = constantNumbers(dim);
  let shape: Shape = null;
  if (t.shape !== null) {
    shape = unknownShapeOfRank(t.shape.length + 1);
    if (a !== null && a.length === 1) {
      const at = normalizeAxis(a[0]!, t.shape.length + 1, "ExpandDims dim");
      shape = [...t.shape.slice(0, at), 1, ...t.shape.slice(at)];
    }
  }
  return makeTensorOp("ExpandDims", [t, dim], { T: { type: t.dtype }, Tdim: { type: dim.dtype } }, t.dtype, shape, { name: namer.name });
}

/**
 * `x` without its size-1 dimensions (all of them, or those in `axis`) (Squeeze).
 * @example tf.squeeze(tf.zeros([1, 3, 1]), [2]) // shape [1, 3]
 */
export function squeeze(x: TensorLike, axis?: number | number[], options: NameOption = {}): Tensor {
  const namer = opNamer([x], "Squeeze", options.name);
  const t = namer.inside(() => toTensor(x, undefined, "input"));
  const dims = axis === undefined ? [] : typeof axis === "number" ? [axis] : [...axis];
  let shape: Shape = null;
  if (t.shape !== null) {
    const s = t.shape;
    if (dims.length > 0) {
      const drop = new Set(dims.map((d) => normalizeAxis(d, s.length, "Squeeze dim")));
      for (const d of drop) {
        if (s[d] !== null && s[d] !== 1) throw new RangeError(`Can not squeeze dim[${d}], expected a dimension of 1, got ${s[d]} for ${opContext(namer.fullName, "Squeeze")} with input shapes: ${shapeString(s)}.`);
      }
      shape = s.filter((_, i) => !drop.has(i));
    } else if (s.every((d) => d !== null)) {
      shape = s.filter((d) => d !== 1);
    }
  }
  return makeTensorOp("Squeeze", [t], { T: { type: t.dtype }, squeeze_dims: { list: { i: dims } } }, t.dtype, shape, { name: namer.name });
}

export interface ShapeOptions extends NameOption {
  outType?: "int32" | "int64";
}

/**
 * The shape of `x` as a 1-D int tensor (Shape; a Const when the static shape is fully known, as TF 1.x does).
 * @example const batch = tf.slice(tf.shape(x), [0], [1]);
 */
export function shape(x: TensorLike, options: ShapeOptions = {}): Tensor {
  const outType = options.outType ?? "int32";
  const namer = opNamer([x], "Shape", options.name);
  const t = namer.inside(() => toTensor(x, undefined, "input"));
  if (isFullyDefined(t.shape)) {
    return constantOp(ndarray(t.shape, { dtype: outType, shape: [t.shape.length] }), namer.name, namer.graph);
  }
  return makeTensorOp("Shape", [t], { T: { type: t.dtype }, out_type: { type: outType } }, outType, [t.rank], { name: namer.name });
}

/**
 * The number of elements of `x` as a scalar (Size; a Const when statically known).
 * @example tf.size(x)
 */
export function size(x: TensorLike, options: ShapeOptions = {}): Tensor {
  const outType = options.outType ?? "int32";
  const namer = opNamer([x], "Size", options.name);
  const t = namer.inside(() => toTensor(x, undefined, "input"));
  const n = numElements(t.shape);
  if (n !== null) return constantOp(ndarray(n, { dtype: outType }), namer.name, namer.graph);
  return makeTensorOp("Size", [t], { T: { type: t.dtype }, out_type: { type: outType } }, outType, [], { name: namer.name });
}

/**
 * The rank of `x` as an int32 scalar (Rank; a Const when statically known).
 * @example tf.rank(x)
 */
export function rank(x: TensorLike, options: NameOption = {}): Tensor {
  const namer = opNamer([x], "Rank", options.name);
  const t = namer.inside(() => toTensor(x, undefined, "input"));
  if (t.rank !== null) return constantOp(ndarray(t.rank, { dtype: "int32" }), namer.name, namer.graph);
  return makeTensorOp("Rank", [t], { T: { type: t.dtype } }, "int32", [], { name: namer.name });
}

/** perm = (rank - 1) - range(rank), built in the graph for a tensor of unknown rank. */
function reversedPerm(t: Tensor): Tensor {
  const r = makeTensorOp("Rank", [t], { T: { type: t.dtype } }, "int32", [], { name: "Rank" });
  const int = (v: number, name: string) => constantOp(ndarray(v, { dtype: "int32" }), name);
  const i32 = { T: { type: "int32" as const } };
  const top = makeTensorOp("Sub", [r, int(1, "sub/y")], i32, "int32", [], { name: "sub" });
  const seq = makeTensorOp("Range", [int(0, "range/start"), r, int(1, "range/delta")], { Tidx: { type: "int32" } }, "int32", [null], { name: "range" });
  return makeTensorOp("Sub", [top, seq], i32, "int32", [null], { name: "sub_1" });
}

/**
 * `x` with its dimensions permuted by `perm` (reversed when omitted) (Transpose).
 * @example tf.transpose(m) // [n, m] for an [m, n] matrix
 */
export function transpose(x: TensorLike, perm?: TensorLike, options: NameOption = {}): Tensor {
  const namer = opNamer([x, perm], "transpose", options.name);
  const [t, p] = namer.inside(() => {
    const input = toTensor(x, undefined, "a");
    if (perm !== undefined) return [input, intTensor(perm, "perm")] as const;
    if (input.rank === null) return [input, reversedPerm(input)] as const;
    return [input, intTensor([...Array(input.rank).keys()].reverse(), "perm")] as const;
  });
  const values = constantNumbers(p);
  let out: Shape = t.shape === null ? (p.shape?.[0] != null ? unknownShapeOfRank(p.shape[0]) : null) : unknownShapeOfRank(t.shape.length);
  if (values !== null && t.shape !== null) {
    const ok = values.length === t.shape.length && [...values].sort((a, b) => a - b).every((v, i) => v === i);
    if (!ok) throw new RangeError(`Transpose: perm [${values.join(",")}] is not a permutation of the ${t.shape.length} dimensions of ${shapeString(t.shape)} for ${opContext(namer.fullName, "Transpose")}`);
    out = values.map((v) => t.shape![v]!);
  }
  return makeTensorOp("Transpose", [t, p], { T: { type: t.dtype }, Tperm: { type: p.dtype } }, t.dtype, out, { name: namer.name });
}

/**
 * Stacks N tensors of one shape into one of rank + 1 along `axis` (Pack).
 * @example tf.stack([a, b]) // shape [2, ...a.shape]
 */
export function stack(values: TensorLike[], axis = 0, options: NameOption = {}): Tensor {
  if (values.length === 0) throw new RangeError("stack needs at least one value");
  const namer = opNamer(values, "stack", options.name);
  const ts = namer.inside(() => sameTypeInputs("Pack", values, values.map((_, i) => `values_${i}`)));
  const ctx = opContext(namer.fullName, "Pack");
  const merged = ts.map((t) => t.shape).reduce((a, b) => mergeShapes(a, b, ctx));
  let out: Shape = null;
  if (merged !== null) {
    const at = normalizeAxis(axis, merged.length + 1, "stack axis");
    out = [...merged.slice(0, at), ts.length, ...merged.slice(at)];
  }
  return makeTensorOp("Pack", ts, { N: { i: ts.length }, T: { type: ts[0]!.dtype }, axis: { i: axis } }, ts[0]!.dtype, out, { name: namer.name });
}

export interface UnstackOptions extends NameOption {
  /** Number of outputs; needed when the dimension is not statically known. */
  num?: number;
  axis?: number;
}

/**
 * Splits `value` along `axis` into tensors of rank - 1 (Unpack).
 * @example const [x, y] = tf.unstack(points, {axis: 1});
 */
export function unstack(value: TensorLike, options: UnstackOptions = {}): Tensor[] {
  const namer = opNamer([value], "unstack", options.name);
  const t = namer.inside(() => toTensor(value, undefined, "value"));
  const axis = options.axis ?? 0;
  let num = options.num ?? null;
  let elem: Shape = null;
  if (t.shape !== null) {
    const at = normalizeAxis(axis, t.shape.length, "unstack axis");
    num ??= t.shape[at]!;
    elem = t.shape.filter((_, i) => i !== at);
  }
  if (num === null) throw new RangeError(`Cannot infer num from shape ${shapeString(t.shape)}`);
  const outputs = Array.from({ length: num }, () => ({ dtype: t.dtype, shape: copy(elem) }));
  const attrs = { T: { type: t.dtype }, num: { i: num }, axis: { i: axis } };
  return makeOp("Unpack", [t], attrs, outputs, { name: namer.name }).outputs;
}

/**
 * Joins tensors along `axis` (ConcatV2, the axis as last input).
 * @example tf.concat([a, b], 1)
 */
export function concat(values: TensorLike[], axis: TensorLike, options: NameOption = {}): Tensor {
  if (values.length === 0) throw new RangeError("concat needs at least one value");
  if (values.length === 1) return identity(values[0]!, { name: options.name ?? "concat" });
  const namer = opNamer([...values, axis], "concat", options.name);
  const [ts, axisT] = namer.inside(() => [sameTypeInputs("ConcatV2", values, values.map((_, i) => `values_${i}`)), intTensor(axis, "axis")] as const);
  const ctx = opContext(namer.fullName, "ConcatV2");
  const a = constantNumbers(axisT)?.[0];
  const ranks = ts.map((t) => t.rank).filter((r): r is number => r !== null);
  let out: Shape = ranks.length ? unknownShapeOfRank(ranks[0]!) : null;
  if (ranks.some((r) => r !== ranks[0])) throw new RangeError(`Shape must be rank ${ranks[0]} but is rank ${ranks.find((r) => r !== ranks[0])} for ${ctx}`);
  if (a !== undefined && ranks.length === ts.length && ranks.length > 0) {
    const at = normalizeAxis(a, ranks[0]!, "concat axis");
    const withoutAxis = ts.map((t) => t.shape!.map((d, i) => (i === at ? null : d)));
    out = withoutAxis.reduce<Shape>((p, s) => mergeShapes(p, s, ctx), withoutAxis[0]!);
    const dims = ts.map((t) => t.shape![at]!);
    out![at] = dims.every((d) => d !== null) ? dims.reduce((p, d) => p! + d!, 0) : null;
  }
  const attrs = { N: { i: ts.length }, T: { type: ts[0]!.dtype }, Tidx: { type: axisT.dtype } };
  return makeTensorOp("ConcatV2", [...ts, axisT], attrs, ts[0]!.dtype, out, { name: namer.name });
}

// The slicing and indexing ops are part of the same family; import them from here too.
export { split, slice, gather, oneHot, tile, pad, where } from "./array-index.js";
export type { SplitOptions, OneHotOptions, PadOptions } from "./array-index.js";
