/**
 * Checkpoint kernels: SaveV2, RestoreV2 and ShardedFilename, with TF's inputs and attrs, storing
 * tensors in the safetensors format (https://huggingface.co/docs/safetensors): an 8-byte
 * little-endian header length, a JSON header {name: {dtype, shape, data_offsets}} (plus
 * "__metadata__"), then the raw little-endian bytes. The format is small enough that it is
 * written here rather than taken from npm (no maintained safetensors writer exists there for
 * Node without native code), and a file written here opens in any safetensors reader.
 *
 * SaveV2 writes exactly one file, at `prefix` (through a temporary file and a rename, so a
 * reader never sees half a checkpoint). RestoreV2 reads `prefix` when it is a file, else the
 * shard files `prefix-00000-of-0000N` (ShardedFilename's names) that a sharded Saver wrote,
 * whichever shard holds each name — so a checkpoint restores whatever the restoring graph's
 * sharding. Only whole tensors: a non-empty shape_and_slices entry is UnimplementedError.
 */
import { mkdir, readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { endianness } from "node:os";
import { basename, dirname, join } from "node:path";
import { DataLossError, InvalidArgumentError, NotFoundError, UnimplementedError } from "../../errors/index.js";
import { bytesPerElement } from "../../tensor/dtypes.js";
import type { DType } from "../../tensor/dtypes.js";
import { allocData, NDArray, ndarray, sizeOf } from "../../tensor/ndarray.js";
import { input, invalidArg, kernelFailure, policyOf, scalarNumber } from "./kernel-utils.js";
import { registerKernel } from "./registry.js";
import type { KernelContext } from "./registry.js";

const SAFETENSORS_DTYPE: Partial<Record<DType, string>> = { float32: "F32", float64: "F64", int32: "I32", int64: "I64", uint8: "U8", bool: "BOOL" };
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

/** The named tensors of a safetensors file (a corrupt file is DataLossError). */
export function decodeSafetensors(bytes: Uint8Array, what = "checkpoint"): Map<string, NDArray> {
  const fail = (why: string) => new DataLossError(`Unable to read ${what} as safetensors: ${why}`);
  if (bytes.length < 8) throw fail("shorter than its 8-byte header length");
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (8 + headerLength > bytes.length) throw fail(`header length ${headerLength} runs past the end of the file (${bytes.length} bytes)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, unknown>;
  } catch (e) {
    throw fail(`header is not JSON (${(e as Error).message})`);
  }
  const base = 8 + headerLength;
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

function strings(a: NDArray): string[] {
  return a.dtype === "string" ? (a.toArray() as string[] | string[][]).flat() : [];
}

function checkLittleEndian(ctx: KernelContext): void {
  if (endianness() !== "LE") throw new UnimplementedError(`${ctx.node.op}: safetensors checkpoints need a little-endian host`, { nodeName: ctx.node.name });
}

/** Prefix, names and (whole-tensor) slices: the three inputs SaveV2 and RestoreV2 share. */
function namesOf(ctx: KernelContext): { prefix: string; names: string[] } {
  const prefixT = input(ctx, 0);
  if (prefixT.dtype !== "string" || prefixT.size !== 1) throw invalidArg(ctx, `prefix must be a string scalar, got ${prefixT.dtype}[${prefixT.shape.join(",")}]`);
  const prefix = String(prefixT.item());
  const names = strings(input(ctx, 1));
  const slices = strings(input(ctx, 2));
  if (slices.length !== names.length) throw invalidArg(ctx, `tensor_names has ${names.length} entries but shape_and_slices has ${slices.length}`);
  const sliced = slices.findIndex((s) => s !== "");
  if (sliced !== -1) throw new UnimplementedError(`${ctx.node.op}: partial slices are not supported ('${slices[sliced]}' for '${names[sliced]}')`, { nodeName: ctx.node.name });
  return { prefix, names };
}

registerKernel(
  "SaveV2",
  async (ctx) => {
    checkLittleEndian(ctx);
    const { prefix, names } = namesOf(ctx);
    const tensors = ctx.inputs.slice(3);
    if (tensors.length !== names.length) throw invalidArg(ctx, `Expected ${names.length} tensors to save, got ${tensors.length}`);
    const bad = tensors.findIndex((t) => SAFETENSORS_DTYPE[t.dtype] === undefined);
    if (bad !== -1) throw new UnimplementedError(`SaveV2: safetensors cannot store ${tensors[bad]!.dtype} tensor '${names[bad]}'`, { nodeName: ctx.node.name });
    const bytes = encodeSafetensors(names.map((n, i) => [n, tensors[i]!]), { format: "tfcluster", device: ctx.device.name });
    // The resolved path is written: a symlink planted at `prefix` cannot redirect the write.
    const target = await policyOf(ctx).files.checkWrite("SaveV2", prefix).catch((err: unknown) => Promise.reject(kernelFailure(err, ctx)));
    const temp = `${target}.tmp-${ctx.step.stepId}-${ctx.device.job}-${ctx.device.task}`;
    await mkdir(dirname(target), { recursive: true });
    await writeFile(temp, bytes);
    await rename(temp, target);
    return [];
  },
  { stateful: true, deviceTypes: ["CPU"] },
);

const SHARD = /^(.*)-(\d{5})-of-(\d{5})$/;

/** The files a checkpoint `prefix` consists of: itself, or its newest complete set of shards. */
async function checkpointFiles(ctx: KernelContext, prefix: string): Promise<string[]> {
  const own = await stat(prefix).catch(() => null);
  if (own?.isFile()) return [prefix];
  const dir = dirname(prefix);
  const entries = await readdir(dir).catch(() => [] as string[]);
  const sets = new Map<number, string[]>();
  for (const e of entries) {
    const m = SHARD.exec(e);
    if (!m || m[1] !== basename(prefix)) continue;
    const n = Number(m[3]);
    sets.set(n, [...(sets.get(n) ?? []), join(dir, e)]);
  }
  let best: { files: string[]; mtimeMs: number } | null = null;
  for (const [n, files] of sets) {
    if (files.length !== n) continue;
    const mtimeMs = Math.max(...(await Promise.all(files.map(async (f) => (await stat(f)).mtimeMs))));
    if (!best || mtimeMs > best.mtimeMs) best = { files: files.sort(), mtimeMs };
  }
  if (!best) throw new NotFoundError(`Unsuccessful TensorSliceReader constructor: Failed to find any matching files for ${prefix}`, { nodeName: ctx.node.name });
  return best.files;
}

registerKernel(
  "RestoreV2",
  async (ctx) => {
    checkLittleEndian(ctx);
    const { prefix, names } = namesOf(ctx);
    const dtypes = ctx.attrs.list("dtypes").type ?? [];
    if (dtypes.length !== names.length) throw invalidArg(ctx, `RestoreV2 has ${dtypes.length} dtypes for ${names.length} tensor names`);
    const found = new Map<string, NDArray>();
    await policyOf(ctx).files.checkRead("RestoreV2", prefix).catch((err: unknown) => Promise.reject(kernelFailure(err, ctx)));
    for (const file of await checkpointFiles(ctx, prefix)) {
      await policyOf(ctx).files.checkRead("RestoreV2", file).catch((err: unknown) => Promise.reject(kernelFailure(err, ctx)));
      for (const [k, v] of decodeSafetensors(await readFile(file), file)) if (names.includes(k)) found.set(k, v);
    }
    return names.map((name, i) => {
      const t = found.get(name);
      if (!t) throw new NotFoundError(`Key ${name} not found in checkpoint ${prefix}`, { nodeName: ctx.node.name });
      if (t.dtype !== dtypes[i]) {
        throw new InvalidArgumentError(`tensor_name = ${name}; expected dtype ${dtypes[i]} does not equal original dtype ${t.dtype}`, { nodeName: ctx.node.name });
      }
      return t;
    });
  },
  { stateful: true, deviceTypes: ["CPU"] },
);

registerKernel("ShardedFilename", (ctx) => {
  const base = input(ctx, 0);
  if (base.dtype !== "string" || base.size !== 1) throw invalidArg(ctx, "basename must be a string scalar");
  const shard = scalarNumber(ctx, input(ctx, 1), "shard");
  const num = scalarNumber(ctx, input(ctx, 2), "num_shards");
  const pad = (v: number) => String(v).padStart(5, "0");
  return [ndarray(`${String(base.item())}-${pad(shard)}-of-${pad(num)}`, { dtype: "string" })];
});
