/**
 * Tensors in a frame: one descriptor per NDArray in the envelope, its bytes after the envelope.
 * The writer copies a tensor's bytes straight from its typed array into the ring; the reader
 * copies them once into the typed array of the NDArray it rebuilds, allocated at the same offset
 * modulo 8 as the payload in the ring (see ALIGN_BYTES in protocol.ts).
 */
import { DataLossError, InvalidArgumentError } from "../../errors/index.js";
import type { OpError } from "../../errors/index.js";
import { DEFAULT_MAX_TENSOR_BYTES, chargeDecodedTensor, checkTensorBytes, elementCount } from "../../tensor/budget.js";
import type { DType } from "../../tensor/dtypes.js";
import { bytesPerElement, isDType } from "../../tensor/dtypes.js";
import { NDArray, allocData, sizeOf } from "../../tensor/ndarray.js";
import type { ResourceHandle } from "../../tensor/resource-handle.js";
import { ALIGN_BYTES } from "./protocol.js";

export interface TensorDesc {
  dtype: DType;
  shape: number[];
  /** Bytes of this tensor's payload in the frame. */
  byteLength: number;
  /** Zero bytes in the frame before this payload (absent: none), for alignment. */
  padBytes?: number;
  /** string tensors: each element's byte length (the payload is the elements back to back). */
  lengths?: number[];
  /** resource tensors travel inside the envelope: they are small. */
  handles?: ResourceHandle[];
}

type FlatData = Exclude<NDArray["data"], unknown[]>;

export function describeTensor(t: NDArray): TensorDesc {
  const shape = [...t.shape];
  if (t.dtype === "string") {
    const lengths = (t.data as Uint8Array[]).map((e) => e.byteLength);
    return { dtype: t.dtype, shape, byteLength: lengths.reduce((a, b) => a + b, 0), lengths };
  }
  if (t.dtype === "resource") {
    return { dtype: t.dtype, shape, byteLength: 0, handles: (t.data as ResourceHandle[]).map((h) => ({ ...h })) };
  }
  const data = t.data as FlatData;
  const expected = t.size * bytesPerElement(t.dtype);
  if (data.byteLength !== expected) {
    throw new InvalidArgumentError(`thread transport: ${t.dtype} tensor of shape [${t.shape.join(",")}] holds ${data.byteLength} bytes, expected ${expected}`);
  }
  return { dtype: t.dtype, shape, byteLength: expected };
}

/**
 * Where the payload of `views` would like to start in the ring, modulo ALIGN_BYTES: its own
 * offset, so that the copy in is a word copy. Strings are many small views: aligned start only.
 */
export function payloadSkew(desc: TensorDesc, views: readonly Uint8Array[]): number {
  if (desc.dtype === "string" || views.length !== 1) return 0;
  return views[0]!.byteOffset % ALIGN_BYTES;
}

/** The byte views of a tensor's payload, in frame order (no copy). */
export function payloadViews(t: NDArray): Uint8Array[] {
  if (t.dtype === "resource") return [];
  if (t.dtype === "string") return t.data as Uint8Array[];
  const d = t.data as FlatData;
  return [new Uint8Array(d.buffer, d.byteOffset, d.byteLength)];
}

/** An NDArray ready to receive its payload: `target` is where the frame's bytes go (copy once). */
export interface TensorSink {
  array: NDArray;
  target: Uint8Array;
}

/**
 * Allocates the NDArray a payload is read into. `skew` is the payload's ring offset modulo
 * ALIGN_BYTES: the typed array is placed at that offset in its buffer when its element size
 * allows, so that the one copy out of the ring is a word copy (it always does for payloads a
 * sender aligned to its source, which only typed arrays at a legal byteOffset can be).
 */
export function allocTensor(desc: TensorDesc, skew = 0, maxBytes = DEFAULT_MAX_TENSOR_BYTES): TensorSink {
  const { dtype, shape, byteLength } = checkDesc(desc, maxBytes);
  if (dtype === "resource") {
    const handles = desc.handles ?? [];
    if (!Array.isArray(handles) || handles.length !== elementCount(shape)) throw badFrame(`resource[${shape.join(",")}] with ${String(handles.length)} handles`);
    return { array: new NDArray("resource", shape, handles), target: new Uint8Array(0) };
  }
  if (dtype === "string") {
    const lengths = desc.lengths ?? [];
    let total = 0;
    if (Array.isArray(lengths) && lengths.length === elementCount(shape)) {
      for (const len of lengths) total += Number.isInteger(len) && len >= 0 ? len : NaN;
    }
    if (total !== byteLength) throw badFrame(`string[${shape.join(",")}] with ${String(lengths.length)} lengths for ${byteLength} bytes`);
    const target = new Uint8Array(byteLength);
    const elems: Uint8Array[] = [];
    let at = 0;
    for (const len of lengths) {
      elems.push(target.subarray(at, at + len));
      at += len;
    }
    return { array: new NDArray("string", shape, elems), target };
  }
  if (elementCount(shape) * bytesPerElement(dtype) !== byteLength) {
    throw badFrame(`${dtype}[${shape.join(",")}] frame carries ${byteLength} bytes, expected ${elementCount(shape) * bytesPerElement(dtype)}`);
  }
  const data = allocAt(dtype, sizeOf(shape), skew);
  return { array: new NDArray(dtype, shape, data), target: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function badFrame(why: string): OpError {
  return new DataLossError(`thread transport: malformed tensor descriptor in frame (${why})`);
}

/** A descriptor read from a frame, checked before anything is allocated for it. */
function checkDesc(desc: TensorDesc, maxBytes: number): TensorDesc {
  if (typeof desc !== "object" || desc === null || !isDType(desc.dtype) || !Array.isArray(desc.shape)) throw badFrame("not a descriptor");
  if (!desc.shape.every((d) => Number.isInteger(d) && d >= 0)) throw badFrame(`shape [${desc.shape.join(",")}]`);
  if (!Number.isInteger(desc.byteLength) || desc.byteLength < 0) throw badFrame(`byteLength ${String(desc.byteLength)}`);
  chargeDecodedTensor("thread transport frame", desc.dtype, desc.shape, desc.dtype === "string" ? desc.byteLength : 0);
  if (desc.byteLength > maxBytes) checkTensorBytes("thread transport frame", "uint8", [desc.byteLength], maxBytes);
  return desc;
}

type FlatCtor = new (buffer: ArrayBuffer, byteOffset: number, length: number) => FlatData;
const FLAT_CTORS: Partial<Record<DType, FlatCtor>> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

/** Below this, a zeroed allocation is as cheap and keeps nothing of malloc's past around. */
const UNINITIALIZED_MIN_BYTES = 64 << 10;

/**
 * A typed array of `n` elements at byte offset `skew` mod ALIGN_BYTES in a buffer of its own.
 * Large ones are not zeroed first: the payload overwrites every byte before anyone sees it, and
 * malloc's recycled memory is already mapped, while fresh zeroed pages fault on the first write
 * (16 MiB: 2.2 ms into fresh pages vs 1.3 ms into recycled ones, physical-limits.md fig. 1).
 */
function allocAt(dtype: DType, n: number, skew: number): FlatData {
  const bpe = bytesPerElement(dtype);
  const ctor = FLAT_CTORS[dtype];
  const offset = skew % bpe === 0 ? skew % ALIGN_BYTES : 0;
  const bytes = n * bpe;
  if (!ctor || (offset === 0 && bytes < UNINITIALIZED_MIN_BYTES)) return allocData(dtype, n) as FlatData;
  const buffer = bytes < UNINITIALIZED_MIN_BYTES ? new ArrayBuffer(offset + bytes) : Buffer.allocUnsafeSlow(offset + bytes).buffer;
  return new ctor(buffer, offset, n);
}
