/**
 * The envelope of a frame: the message with every NDArray lifted out, v8-serialized, plus one
 * descriptor per tensor. Tensor bytes do not go through v8: the frame writer copies them straight
 * from the NDArray's typed array into the ring, and the reader copies them once into the typed
 * array of the NDArray it rebuilds.
 */
import v8 from "node:v8";
import { InvalidArgumentError } from "../../errors/index.js";
import type { DType } from "../../tensor/dtypes.js";
import { bytesPerElement, isDType } from "../../tensor/dtypes.js";
import { NDArray, allocData, sizeOf } from "../../tensor/ndarray.js";
import type { ResourceHandle } from "../../tensor/resource-handle.js";

/** Messages are TF protos as plain objects: a few levels deep. Deeper is a bug, not data. */
const MAX_DEPTH = 64;

export type Path = (string | number)[];

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

interface Envelope {
  body: unknown;
  paths: Path[];
  tensors: TensorDesc[];
}

export interface EncodedMessage {
  envelope: Uint8Array;
  /** Tensors whose payload follows the envelope, in order. */
  tensors: NDArray[];
  payloadBytes: number;
}

/** Serializes `message`, lifting out its NDArrays (their bytes are written separately). */
export function encodeMessage(message: unknown): EncodedMessage {
  const tensors: NDArray[] = [];
  const paths: Path[] = [];
  const body = lift(message, [], 0, tensors, paths);
  const descs = tensors.map(describe);
  const payloadBytes = descs.reduce((sum, d) => sum + d.byteLength, 0);
  const envelope: Envelope = { body, paths, tensors: descs };
  return { envelope: v8.serialize(envelope), tensors, payloadBytes };
}

/** Copy-on-write walk: containers on the way to an NDArray are copied, the rest is shared. */
function lift(value: unknown, path: Path, depth: number, out: NDArray[], paths: Path[]): unknown {
  if (value instanceof NDArray) {
    out.push(value);
    paths.push([...path]);
    return null;
  }
  if (typeof value !== "object" || value === null || ArrayBuffer.isView(value)) return value;
  if (depth > MAX_DEPTH) throw new InvalidArgumentError(`thread transport: message nested deeper than ${MAX_DEPTH} levels at ${path.join(".")}`);
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      const v = lift(value[i], path, depth + 1, out, paths);
      path.pop();
      if (v !== value[i]) (copy ??= value.slice())[i] = v;
    }
    return copy ?? value;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let copy: Record<string, unknown> | undefined;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    path.push(key);
    const v = lift(record[key], path, depth + 1, out, paths);
    path.pop();
    if (v !== record[key]) (copy ??= { ...record })[key] = v;
  }
  return copy ?? value;
}

function describe(t: NDArray): TensorDesc {
  const shape = [...t.shape];
  if (t.dtype === "string") {
    const elems = t.data as Uint8Array[];
    const lengths = elems.map((e) => e.byteLength);
    return { dtype: t.dtype, shape, byteLength: lengths.reduce((a, b) => a + b, 0), lengths };
  }
  if (t.dtype === "resource") {
    return { dtype: t.dtype, shape, byteLength: 0, handles: (t.data as ResourceHandle[]).map((h) => ({ ...h })) };
  }
  const data = t.data as Exclude<typeof t.data, unknown[]>;
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
  const d = t.data as Exclude<typeof t.data, unknown[]>;
  return [new Uint8Array(d.buffer, d.byteOffset, d.byteLength)];
}

export interface DecodedEnvelope {
  body: unknown;
  paths: Path[];
  tensors: TensorDesc[];
}

/**
 * Node's default deserializer returns typed arrays as views into the bytes it reads when they are
 * aligned. Our bytes are the ring (or a reused staging buffer), which the next frame overwrites:
 * every typed array is copied out instead.
 */
class CopyingDeserializer extends v8.DefaultDeserializer {
  _readHostObject(): unknown {
    const base = v8.DefaultDeserializer.prototype as unknown as { _readHostObject(this: v8.Deserializer): unknown };
    const view = base._readHostObject.call(this);
    return ArrayBuffer.isView(view) ? copyView(view) : view;
  }
}

function copyView(view: ArrayBufferView): ArrayBufferView {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
  // Buffer#slice would alias, and `new Buffer(...)` is deprecated: Buffer gets its own case.
  if (Buffer.isBuffer(view)) return Buffer.from(bytes.buffer, 0, bytes.byteLength);
  if (view instanceof DataView) return new DataView(bytes.buffer);
  const Ctor = view.constructor as new (buffer: ArrayBuffer, byteOffset: number, length: number) => ArrayBufferView;
  const perElement = (view as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  return new Ctor(bytes.buffer, 0, view.byteLength / perElement);
}

/** Parses an envelope; `bytes` may be a view into the ring: nothing decoded keeps pointing into it. */
export function decodeEnvelope(bytes: Uint8Array): DecodedEnvelope {
  const deserializer = new CopyingDeserializer(bytes);
  deserializer.readHeader();
  const e: unknown = deserializer.readValue();
  if (typeof e !== "object" || e === null || !Array.isArray((e as Envelope).paths) || !Array.isArray((e as Envelope).tensors)) {
    throw new TypeError("thread transport: malformed frame envelope");
  }
  const env = e as Envelope;
  for (const d of env.tensors) {
    if (!isDType(d.dtype)) throw new TypeError(`thread transport: unknown dtype ${String(d.dtype)} in frame`);
  }
  return env;
}

/** An NDArray ready to receive its payload: `target` is where the frame's bytes go (copy once). */
export interface TensorSink {
  array: NDArray;
  target: Uint8Array;
}

export function allocTensor(desc: TensorDesc): TensorSink {
  const n = sizeOf(desc.shape);
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
  const data = allocData(desc.dtype, n) as Exclude<ReturnType<typeof allocData>, unknown[]>;
  if (data.byteLength !== desc.byteLength) {
    throw new TypeError(`thread transport: ${desc.dtype}[${desc.shape.join(",")}] frame carries ${desc.byteLength} bytes, expected ${data.byteLength}`);
  }
  return { array: new NDArray(desc.dtype, desc.shape, data), target: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Puts the rebuilt NDArrays back where the sender's were. */
export function restoreTensors(body: unknown, paths: Path[], arrays: NDArray[]): unknown {
  let root = body;
  paths.forEach((path, i) => {
    const array = arrays[i]!;
    if (path.length === 0) {
      root = array;
      return;
    }
    let node = root as Record<string | number, unknown>;
    for (let k = 0; k < path.length - 1; k++) node = node[path[k]!] as Record<string | number, unknown>;
    node[path[path.length - 1]!] = array;
  });
  return root;
}
