/**
 * Tensors in a frame: one descriptor per NDArray in the envelope, its bytes after the envelope.
 * The writer copies a tensor's bytes straight from its typed array into the ring; the reader
 * copies them once into the typed array of the NDArray it rebuilds.
 */
import { InvalidArgumentError } from "../../errors/index.js";
import type { DType } from "../../tensor/dtypes.js";
import { bytesPerElement, isDType } from "../../tensor/dtypes.js";
import { NDArray, allocData, sizeOf } from "../../tensor/ndarray.js";
import type { ResourceHandle } from "../../tensor/resource-handle.js";

export interface TensorDesc {
  dtype: DType;
  shape: number[];
  /** Bytes of this tensor's payload in the frame. */
  byteLength: number;
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

export function allocTensor(desc: TensorDesc): TensorSink {
  if (typeof desc !== "object" || desc === null || !isDType(desc.dtype) || !Array.isArray(desc.shape)) {
    throw new TypeError("thread transport: malformed tensor descriptor in frame");
  }
  if (desc.dtype === "resource") {
    return { array: new NDArray("resource", desc.shape, desc.handles ?? []), target: new Uint8Array(0) };
  }
  if (desc.dtype === "string") {
    const target = new Uint8Array(desc.byteLength);
    const elems: Uint8Array[] = [];
    let at = 0;
    for (const len of desc.lengths ?? []) {
      elems.push(target.subarray(at, at + len));
      at += len;
    }
    return { array: new NDArray("string", desc.shape, elems), target };
  }
  const data = allocData(desc.dtype, sizeOf(desc.shape)) as FlatData;
  if (data.byteLength !== desc.byteLength) {
    throw new TypeError(`thread transport: ${desc.dtype}[${desc.shape.join(",")}] frame carries ${desc.byteLength} bytes, expected ${data.byteLength}`);
  }
  return { array: new NDArray(desc.dtype, desc.shape, data), target: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
