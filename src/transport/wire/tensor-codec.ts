/**
 * NDArray ↔ TensorProto, Shape ↔ TensorShapeProto, ResourceHandle ↔ ResourceHandleProto.
 * Fixed-size dtypes travel in `tensor_content` (little-endian, one copy when encoding; decoding
 * returns a view of the received bytes when they are aligned, else one copy). Strings travel in
 * `string_val`, resource handles in `resource_handle_val`. Tensors written by TensorFlow with
 * `*_val` fields (a short list repeats its last value, as TF's Tensor::FromProto does) are read too.
 */
import { InvalidArgumentError, UnimplementedError } from "../../errors/index.js";
import type { Shape } from "../../graph/graph-def.js";
import { chargeDecodedTensor, elementCount } from "../../tensor/budget.js";
import { DATA_TYPE_NUMBER, bytesPerElement, type DType } from "../../tensor/dtypes.js";
import { NDArray, allocData, sizeOf, type NDData } from "../../tensor/ndarray.js";
import type { ResourceHandle } from "../../tensor/resource-handle.js";
import { codec, plainBytes, toBigInt, toNumber, type Int64Wire } from "./proto.js";
import { messageType } from "./schema.js";

export interface ShapeWire {
  dim?: { size?: Int64Wire; name?: string }[];
  unknown_rank?: boolean;
}

export interface ResourceHandleWire {
  device?: string;
  container?: string;
  name?: string;
  hash_code?: Int64Wire;
  maybe_type_name?: string;
}

export interface TensorProtoWire {
  dtype?: number;
  tensor_shape?: ShapeWire | null;
  tensor_content?: Uint8Array;
  float_val?: number[];
  double_val?: number[];
  int_val?: number[];
  string_val?: Uint8Array[];
  int64_val?: Int64Wire[];
  bool_val?: boolean[];
  resource_handle_val?: ResourceHandleWire[];
}

const dataTypeEnum = messageType("tensorflow.TensorProto").fields["dtype"]!.resolvedType as unknown as {
  valuesById: Record<number, string>;
};

/** Our dtype for a TF DataType number; TF types we do not implement are UnimplementedError. */
export function dtypeFromWire(n: number | undefined): DType {
  for (const [d, num] of Object.entries(DATA_TYPE_NUMBER)) if (num === n) return d as DType;
  const name = dataTypeEnum.valuesById[n ?? 0] ?? "unknown";
  if (!n) throw new InvalidArgumentError("Tensor has DataType 0 (DT_INVALID)");
  throw new UnimplementedError(`DataType ${n} (${name}) is not supported by tfcluster`);
}

export function dtypeToWire(d: DType): number {
  return DATA_TYPE_NUMBER[d];
}

/** Static shape → TensorShapeProto: `null` is unknown rank, a `null` dim is -1. */
export function shapeToWire(shape: Shape): ShapeWire {
  if (shape === null) return { unknown_rank: true };
  return { dim: shape.map((d) => ({ size: d ?? -1 })) };
}

export function shapeFromWire(w: ShapeWire | null | undefined): Shape {
  if (!w) return [];
  if (w.unknown_rank) return null;
  return (w.dim ?? []).map((d) => {
    const n = toNumber(d.size);
    return n < 0 ? null : n;
  });
}

/** A concrete tensor's shape: every dimension known and non-negative. */
function concreteShape(w: ShapeWire | null | undefined): number[] {
  const s = shapeFromWire(w);
  if (s === null || s.some((d) => d === null)) {
    throw new InvalidArgumentError(`A tensor value needs a fully defined shape, got ${JSON.stringify(s)}`);
  }
  return s as number[];
}

export function resourceHandleToWire(h: ResourceHandle): ResourceHandleWire {
  return { device: h.device, container: h.container, name: h.name, maybe_type_name: h.kind };
}

export function resourceHandleFromWire(w: ResourceHandleWire): ResourceHandle {
  return { device: w.device ?? "", container: w.container ?? "", name: w.name ?? "", kind: w.maybe_type_name ?? "" };
}

/** The bytes of a fixed-size NDArray's data, as a view (no copy). */
export function contentBytes(data: NDData): Uint8Array {
  const v = data as Float32Array;
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

export function tensorToWire(nd: NDArray): TensorProtoWire {
  const wire: TensorProtoWire = { dtype: dtypeToWire(nd.dtype), tensor_shape: { dim: nd.shape.map((size) => ({ size })) } };
  if (nd.dtype === "string") wire.string_val = nd.data as Uint8Array[];
  else if (nd.dtype === "resource") wire.resource_handle_val = (nd.data as ResourceHandle[]).map(resourceHandleToWire);
  else if (nd.size > 0) wire.tensor_content = contentBytes(nd.data);
  return wire;
}

/** A fresh copy (not bytes.slice(): a Buffer's slice is a view). */
function copyBytes(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy;
}

/** Typed data of `dtype` over `bytes`: a view when aligned, else a copy into fresh memory. */
export function dataFromContent(dtype: DType, bytes: Uint8Array): NDData {
  const bpe = bytesPerElement(dtype);
  const n = bytes.byteLength / bpe;
  const aligned = bytes.byteOffset % bpe === 0;
  const buf = aligned ? bytes.buffer : copyBytes(bytes).buffer;
  const off = aligned ? bytes.byteOffset : 0;
  switch (dtype) {
    case "float32":
      return new Float32Array(buf, off, n);
    case "float64":
      return new Float64Array(buf, off, n);
    case "int32":
      return new Int32Array(buf, off, n);
    case "int64":
      return new BigInt64Array(buf, off, n);
    default:
      return new Uint8Array(buf, off, n);
  }
}

/** TF's rule for `*_val` lists: exactly n values, or fewer with the last one repeated. */
function checkValCount(count: number, n: number, what: string): void {
  if (count > n) throw new InvalidArgumentError(`TensorProto has ${count} ${what} values for ${n} elements`);
}

/** Values from a `*_val` list into a JS array of n (strings, handles: already charged to the budget). */
function fillFrom<T>(vals: readonly T[], n: number, what: string): T[] {
  checkValCount(vals.length, n, what);
  if (vals.length === n) return vals as T[];
  const out = vals.slice();
  const last = vals[vals.length - 1];
  if (last === undefined) return out;
  out.length = n;
  out.fill(last, vals.length);
  return out;
}

/** Fills typed `out` from a `*_val` list, repeating the last value (no JS array of n is built). */
function fillTyped<T>(out: { [i: number]: T; fill(v: T, start?: number): unknown }, vals: readonly T[], n: number, what: string): void {
  checkValCount(vals.length, n, what);
  for (let i = 0; i < vals.length; i++) out[i] = vals[i]!;
  if (vals.length > 0 && vals.length < n) out.fill(vals[vals.length - 1]!, vals.length);
}

function numericFromVals(dtype: DType, w: TensorProtoWire, n: number): NDData {
  const data = allocData(dtype, n);
  if (dtype === "int64") {
    const vals = w.int64_val ?? [];
    const big: bigint[] = [];
    for (const v of vals) big.push(toBigInt(v));
    fillTyped(data as BigInt64Array, big, n, "int64");
    return data;
  }
  const source: readonly (number | boolean)[] =
    dtype === "float32" ? (w.float_val ?? [])
    : dtype === "float64" ? (w.double_val ?? [])
    : dtype === "bool" ? (w.bool_val ?? [])
    : (w.int_val ?? []);
  const nums: number[] = [];
  for (const v of source) nums.push(Number(v));
  fillTyped(data as Float32Array, nums, n, dtype);
  return data;
}

/** Bytes of a string tensor's contents as TF would hold them: the listed values, the last repeated. */
function stringBytes(vals: readonly Uint8Array[], n: number): number {
  let total = 0;
  for (const v of vals) total += v.byteLength;
  const last = vals[vals.length - 1];
  return last && n > vals.length ? total + (n - vals.length) * last.byteLength : total;
}

export function tensorFromWire(w: TensorProtoWire): NDArray {
  const dtype = dtypeFromWire(w.dtype);
  const shape = concreteShape(w.tensor_shape);
  if (dtype === "string") {
    const raw = w.string_val ?? [];
    chargeDecodedTensor("TensorProto", dtype, shape, stringBytes(raw, elementCount(shape)));
    const n = sizeOf(shape);
    const vals = fillFrom(raw, n, "string").map(plainBytes);
    return new NDArray(dtype, shape, n > 0 && vals.length === 0 ? allocData(dtype, n) : vals);
  }
  chargeDecodedTensor("TensorProto", dtype, shape);
  const n = sizeOf(shape);
  if (dtype === "resource") {
    const vals = fillFrom(w.resource_handle_val ?? [], n, "resource handle");
    if (vals.length !== n) throw new InvalidArgumentError(`TensorProto of ${n} resources has no handles`);
    return new NDArray(dtype, shape, vals.map(resourceHandleFromWire));
  }
  const content = w.tensor_content;
  if (content && content.byteLength > 0) {
    const expected = n * bytesPerElement(dtype);
    if (content.byteLength !== expected) {
      throw new InvalidArgumentError(
        `TensorProto of ${dtype}[${shape.join(",")}] needs ${expected} content bytes, got ${content.byteLength}`,
      );
    }
    return new NDArray(dtype, shape, dataFromContent(dtype, content));
  }
  return new NDArray(dtype, shape, numericFromVals(dtype, w, n));
}

export const tensorCodec = codec<NDArray, TensorProtoWire>("tensorflow.TensorProto", tensorToWire, tensorFromWire);
export const encodeTensor = tensorCodec.encode;
export const decodeTensor = tensorCodec.decode;

export const shapeCodec = codec<Shape, ShapeWire>("tensorflow.TensorShapeProto", shapeToWire, shapeFromWire);
export const encodeTensorShape = shapeCodec.encode;
export const decodeTensorShape = shapeCodec.decode;
