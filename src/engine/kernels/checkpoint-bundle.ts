/**
 * The files of one checkpoint, in TF's V2 layout with safetensors inside:
 *
 *   <prefix>.data-00000-of-0000N  one safetensors file per shard (the tensors; any safetensors reader opens it)
 *   <prefix>.index                a safetensors file with no tensors whose metadata lists the shards and keys
 *
 * Every data file carries a random checkpoint id in its metadata and the index names the id it
 * expects of each shard, so a restore reads exactly the files its own index lists and notices a
 * stale or half-overwritten data file instead of mixing two checkpoints. The index is written last
 * (through a temporary file and a rename): a crash mid-save leaves the previous checkpoint, or none.
 */
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { DataLossError, NotFoundError } from "../../errors/index.js";
import type { NDArray } from "../../tensor/ndarray.js";
import type { Random } from "../../util/env.js";
import { decodeSafetensors, encodeSafetensors, safetensorsMetadata } from "./safetensors.js";

const INDEX_FORMAT = "tfcluster-checkpoint-index-1";

export interface ShardRef {
  /** The data file's base name, relative to the index's directory. */
  file: string;
  id: string;
}

export interface BundleIndex {
  shards: ShardRef[];
  /** Checkpoint key → index into `shards`. */
  keys: Record<string, number>;
}

/** "<prefix>.data-00001-of-00004" (TF's DataFilename). */
export function dataFilename(prefix: string, shard: number, numShards: number): string {
  const pad = (v: number) => String(v).padStart(5, "0");
  return `${prefix}.data-${pad(shard)}-of-${pad(numShards)}`;
}

export function indexFilename(prefix: string): string {
  return `${prefix}.index`;
}

export function newCheckpointId(random: Random): string {
  return Array.from({ length: 4 }, () => random.int(0x10000).toString(16).padStart(4, "0")).join("");
}

/** Writes `bytes` to `path` through a temporary sibling and a rename. */
export async function writeAtomically(path: string, bytes: Uint8Array, tempTag: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${tempTag}`;
  await writeFile(temp, bytes);
  await rename(temp, path);
}

export async function writeIndex(prefix: string, index: BundleIndex, tempTag: string): Promise<void> {
  const bytes = encodeSafetensors([], { format: INDEX_FORMAT, shards: JSON.stringify(index.shards), keys: JSON.stringify(index.keys) });
  await writeAtomically(indexFilename(prefix), bytes, tempTag);
}

/** Writes a single-shard checkpoint at `prefix` (what one SaveV2 does). */
export async function writeBundle(prefix: string, tensors: [string, NDArray][], meta: { device: string; random: Random; tempTag: string }): Promise<void> {
  const id = newCheckpointId(meta.random);
  const data = dataFilename(prefix, 0, 1);
  await writeAtomically(data, encodeSafetensors(tensors, { format: "tfcluster", device: meta.device, checkpoint_id: id }), meta.tempTag);
  const keys = Object.fromEntries(tensors.map(([name]) => [name, 0]));
  await writeIndex(prefix, { shards: [{ file: basename(data), id }], keys }, meta.tempTag);
}

/** The index of the checkpoint at `prefix`; NotFoundError when it has none. */
export async function readIndex(prefix: string): Promise<BundleIndex> {
  const path = indexFilename(prefix);
  const bytes = await readFile(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT" || e.code === "ENOTDIR") throw new NotFoundError(`Unsuccessful TensorSliceReader constructor: Failed to find any matching files for ${prefix}`);
    throw new DataLossError(`Unable to read checkpoint index ${path}: ${e.message}`);
  });
  const meta = safetensorsMetadata(bytes, path);
  if (meta.format !== INDEX_FORMAT) throw new DataLossError(`${path} is not a checkpoint index (format '${String(meta.format)}', expected '${INDEX_FORMAT}')`);
  try {
    return { shards: JSON.parse(meta.shards ?? "[]") as ShardRef[], keys: JSON.parse(meta.keys ?? "{}") as Record<string, number> };
  } catch (e) {
    throw new DataLossError(`Checkpoint index ${path} is corrupt: ${(e as Error).message}`);
  }
}

/** The tensors of shard `k` of the checkpoint whose index is `index`, checked against the id the index expects. */
export async function readShard(prefix: string, index: BundleIndex, k: number): Promise<Map<string, NDArray>> {
  const ref = index.shards[k];
  if (!ref) throw new DataLossError(`Checkpoint index ${indexFilename(prefix)} names shard ${k}, but lists only ${index.shards.length}`);
  const path = join(dirname(prefix), ref.file);
  const bytes = await readFile(path).catch((e: NodeJS.ErrnoException) => {
    throw new DataLossError(`Checkpoint ${prefix} is missing its data file ${path} (${e.code ?? e.message})`);
  });
  const id = safetensorsMetadata(bytes, path).checkpoint_id;
  if (id !== ref.id) throw new DataLossError(`Data file ${path} belongs to another checkpoint (id ${String(id)}, its index ${indexFilename(prefix)} expects ${ref.id})`);
  return decodeSafetensors(bytes, path);
}

/**
 * Merges the single-shard checkpoints `parts` into one checkpoint at `destination` (TF's
 * MergeV2Checkpoints): each part's data file becomes `destination.data-k-of-N`, then the merged
 * index is written; the parts' indexes (and, with `deleteOldDirs`, their directories) are removed.
 */
export async function mergeBundles(parts: string[], destination: string, deleteOldDirs: boolean, tempTag: string): Promise<void> {
  const merged: BundleIndex = { shards: [], keys: {} };
  const indexes = await Promise.all(parts.map((p) => readIndex(p)));
  await mkdir(dirname(destination), { recursive: true });
  for (const [k, part] of parts.entries()) {
    const index = indexes[k]!;
    if (index.shards.length !== 1) throw new DataLossError(`Checkpoint part ${part} has ${index.shards.length} shards; MergeV2Checkpoints takes single-shard parts`);
    const target = dataFilename(destination, k, parts.length);
    await rename(join(dirname(part), index.shards[0]!.file), target);
    merged.shards.push({ file: basename(target), id: index.shards[0]!.id });
    for (const key of Object.keys(index.keys)) merged.keys[key] = k;
  }
  await writeIndex(destination, merged, tempTag);
  for (const part of parts) {
    await rm(indexFilename(part), { force: true });
    if (deleteOldDirs && dirname(part) !== dirname(destination)) await rm(dirname(part), { recursive: true, force: true });
  }
}
