/**
 * Checkpoint kernels with TF's inputs and attrs: SaveV2, RestoreV2, MergeV2Checkpoints and
 * ShardedFilename. The files are TF's V2 layout (`prefix.index` + `prefix.data-k-of-N`) holding
 * safetensors (checkpoint-bundle.ts). A sharded Saver has each task's SaveV2 write a one-shard
 * part under a temporary directory, then one MergeV2Checkpoints renames the parts' data files
 * into place and writes the merged index last. RestoreV2 reads only the data files its
 * checkpoint's index lists. Only whole tensors: a non-empty shape_and_slices entry is
 * UnimplementedError.
 */
import { endianness } from "node:os";
import { dirname, join } from "node:path";
import { InvalidArgumentError, NotFoundError, UnimplementedError, withNode } from "../../errors/index.js";
import type { NDArray } from "../../tensor/ndarray.js";
import { ndarray } from "../../tensor/ndarray.js";
import { mergeBundles, readIndex, readShard, writeBundle } from "./checkpoint-bundle.js";
import { dataFilename, indexFilename } from "./checkpoint-bundle.js";
import { input, invalidArg, policyOf, scalarNumber } from "./kernel-utils.js";
import { registerKernel } from "./registry.js";
import type { KernelContext } from "./registry.js";
import { SAFETENSORS_DTYPE } from "./safetensors.js";

export { decodeSafetensors, encodeSafetensors, safetensorsMetadata } from "./safetensors.js";

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

/** The task's file policy on `path` (allowed roots, after symlinks and ".."), with the node named. */
function checked(ctx: KernelContext, how: "read" | "write", path: string): Promise<string> {
  const files = policyOf(ctx).files;
  const check = how === "read" ? files.checkRead(ctx.node.op, path) : files.checkWrite(ctx.node.op, path);
  return check.catch((err: unknown) => Promise.reject(withNode(err, ctx.node.name)));
}

/** A temporary-file tag unique to this op run, so concurrent writers never share a temporary file. */
function tempTag(ctx: KernelContext): string {
  return `${ctx.step.stepId}-${ctx.device.job}-${ctx.device.task}-${ctx.step.random.int(0x7fffffff).toString(36)}`;
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
    await checked(ctx, "write", indexFilename(prefix));
    await checked(ctx, "write", dataFilename(prefix, 0, 1));
    await writeBundle(prefix, names.map((n, i) => [n, tensors[i]!]), { device: ctx.device.name, random: ctx.step.random, tempTag: tempTag(ctx) });
    return [];
  },
  { stateful: true, deviceTypes: ["CPU"] },
);

registerKernel(
  "MergeV2Checkpoints",
  async (ctx) => {
    const parts = strings(input(ctx, 0));
    const dest = input(ctx, 1);
    if (dest.dtype !== "string" || dest.size !== 1) throw invalidArg(ctx, `destination_prefix must be a string scalar, got ${dest.dtype}[${dest.shape.join(",")}]`);
    if (parts.length === 0) throw invalidArg(ctx, "checkpoint_prefixes is empty");
    for (const p of parts) await checked(ctx, "read", indexFilename(p));
    await checked(ctx, "write", indexFilename(String(dest.item())));
    await mergeBundles(parts, String(dest.item()), ctx.attrs.b("delete_old_dirs", true), tempTag(ctx));
    return [];
  },
  { stateful: true, deviceTypes: ["CPU"] },
);

registerKernel(
  "RestoreV2",
  async (ctx) => {
    checkLittleEndian(ctx);
    const { prefix, names } = namesOf(ctx);
    const dtypes = ctx.attrs.list("dtypes").type ?? [];
    if (dtypes.length !== names.length) throw invalidArg(ctx, `RestoreV2 has ${dtypes.length} dtypes for ${names.length} tensor names`);
    await checked(ctx, "read", indexFilename(prefix));
    const index = await readIndex(prefix).catch((e: unknown) => {
      if (e instanceof NotFoundError) throw new NotFoundError(e.message, { nodeName: ctx.node.name });
      throw e;
    });
    const shards = new Map<number, Map<string, NDArray>>();
    const out: NDArray[] = [];
    for (const [i, name] of names.entries()) {
      const k = index.keys[name];
      if (k === undefined) throw new NotFoundError(`Key ${name} not found in checkpoint ${prefix}`, { nodeName: ctx.node.name });
      if (!shards.has(k)) {
        await checked(ctx, "read", join(dirname(prefix), index.shards[k]?.file ?? ""));
        shards.set(k, await readShard(prefix, index, k));
      }
      const t = shards.get(k)!.get(name);
      if (!t) throw new NotFoundError(`Key ${name} not found in checkpoint ${prefix}`, { nodeName: ctx.node.name });
      if (t.dtype !== dtypes[i]) {
        throw new InvalidArgumentError(`tensor_name = ${name}; expected dtype ${dtypes[i]} does not equal original dtype ${t.dtype}`, { nodeName: ctx.node.name });
      }
      out.push(t);
    }
    return out;
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
