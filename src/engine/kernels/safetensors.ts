/**
 * The safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian header
 * length, a JSON header {name: {dtype, shape, data_offsets}} (plus "__metadata__", string values
 * only), then the raw little-endian bytes. The format is small enough that it is written here
 * rather than taken from npm (no maintained safetensors writer exists there for Node without
 * native code), and a file written here opens in any safetensors reader.
 */
import { DataLossError } from "../../errors/index.js";
import { bytesPerElement } from "../../tensor/dtypes.js";
import type { DType } from "../../tensor/dtypes.js";
import { allocData, NDArray, sizeOf } from "../../tensor/ndarray.js";

export const SAFETENSORS_DTYPE: Partial<Record<DType, string>> = { float32: "F32", float64: "F64", int32: "I32", int64: "I64", uint8: "U8", bool: "BOOL" };
const FROM_SAFETENSORS = new Map(Object.entries(SAFETENSORS_DTYPE).map(([k, v]) => [v, k as DType]));

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** One safetensors file's bytes for named tensors, in the order given. */
export function encodeSafetensors(tensors: [string, NDArray][], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, HeaderEntry | Record<string, string>> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    const dtype = SAFETENSORS_DTYPE[t.dtype];
    if (dtype === undefined) throw new TypeError(`safetensors cannot store ${t.dtype} tensor '${name}'`);
    const bytes = t.size * bytesPerElement(t.dtype);
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const raw = new TextEncoder().encode(JSON.stringify(header));
  // The spec recommends padding the header with spaces to a multiple of 8 bytes.
  const jsonBytes = new Uint8Array(Math.ceil(raw.length / 8) * 8).fill(0x20);
  jsonBytes.set(raw);
  const out = new Uint8Array(8 + jsonBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(jsonBytes.length), true);
  out.set(jsonBytes, 8);
  let at = 8 + jsonBytes.length;
  for (const [, t] of tensors) {
    const view = t.data as Float32Array;
    out.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), at);
    at += view.byteLength;
  }
  return out;
}

/** The parsed JSON header and where the data begins (a corrupt file is DataLossError). */
function readHeader(bytes: Uint8Array, what: string): { header: Record<string, unknown>; base: number; fail: (why: string) => DataLossError } {
  const fail = (why: string) => new DataLossError(`Unable to read ${what} as safetensors: ${why}`);
  if (bytes.length < 8) throw fail("shorter than its 8-byte header length");
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (8 + headerLength > bytes.length) throw fail(`header length ${headerLength} runs past the end of the file (${bytes.length} bytes)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    throw fail(`header is not JSON (${(e as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) throw fail("header is not a JSON object");
  return { header: header as Record<string, unknown>, base: 8 + headerLength, fail };
}

/** The "__metadata__" strings of a safetensors file ({} when it has none). */
export function safetensorsMetadata(bytes: Uint8Array, what = "checkpoint"): Record<string, string | undefined> {
  const meta = readHeader(bytes, what).header.__metadata__;
  return typeof meta === "object" && meta !== null ? (meta as Record<string, string>) : {};
}

/** The named tensors of a safetensors file (a corrupt file is DataLossError). */
export function decodeSafetensors(bytes: Uint8Array, what = "checkpoint"): Map<string, NDArray> {
  const { header, base, fail } = readHeader(bytes, what);
  const out = new Map<string, NDArray>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const entry = raw as HeaderEntry;
    const dtype = FROM_SAFETENSORS.get(entry.dtype);
    if (dtype === undefined) throw fail(`tensor '${name}' has unsupported dtype ${String(entry.dtype)}`);
    const [begin, end] = entry.data_offsets;
    const n = sizeOf(entry.shape);
    if (end - begin !== n * bytesPerElement(dtype) || base + end > bytes.length) throw fail(`tensor '${name}' has data_offsets [${begin}, ${end}] that do not fit its shape or the file`);
    const data = allocData(dtype, n) as Float32Array;
    new Uint8Array(data.buffer).set(bytes.subarray(base + begin, base + end));
    out.set(name, new NDArray(dtype, [...entry.shape], data));
  }
  return out;
}
