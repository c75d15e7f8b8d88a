/**
 * ReadFile (a file's bytes) and MatchingFiles (the sorted paths matching one or more glob
 * patterns), as TF's io_ops kernels. Both touch the file system of the task they run on, so they
 * are stateful: never folded or deduplicated.
 */
import { readFile, stat } from "node:fs/promises";
import { InvalidArgumentError, withNode } from "../../errors/index.js";
import { NDArray } from "../../tensor/ndarray.js";
import { fileError, pathText } from "../io/file-errors.js";
import { matchingPaths } from "../io/glob.js";
import { checkOutputBytes, policyOf, shapeStr } from "./kernel-utils.js";
import { registerKernel } from "./registry.js";
import type { Kernel } from "./registry.js";

const utf8 = new TextEncoder();

function named(kernel: (ctx: Parameters<Kernel>[0]) => Promise<NDArray[]>): Kernel {
  return (ctx) => kernel(ctx).catch((err: unknown) => Promise.reject(withNode(err, ctx.node.name)));
}

/** A file is never slurped into memory when it is larger than the task's tensor budget. */
export async function checkFileSize(ctx: Parameters<Kernel>[0], path: string, shown: string): Promise<void> {
  const { size } = await stat(path);
  try {
    checkOutputBytes(ctx, "uint8", [size]);
  } catch (err) {
    throw Object.assign(err as Error, { message: `${(err as Error).message} (file '${shown}' is ${size} bytes)` });
  }
}

registerKernel(
  "ReadFile",
  named(async (ctx) => {
    const input = ctx.inputs[0]!;
    if (input.rank !== 0) throw new InvalidArgumentError(`Input filename tensor must be scalar, but had shape: ${shapeStr(input.shape)}`);
    const path = (input.data as Uint8Array[])[0]!;
    const real = await policyOf(ctx).files.checkRead("ReadFile", path);
    let contents: Buffer;
    try {
      await checkFileSize(ctx, real, pathText(path));
      contents = await readFile(real);
    } catch (err) {
      throw fileError(pathText(path), err);
    }
    return [new NDArray("string", [], [new Uint8Array(contents.buffer, contents.byteOffset, contents.byteLength)])];
  }),
  { stateful: true, deviceTypes: ["CPU"] },
);

/** Byte-wise order, as std::sort orders TF's strings. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

registerKernel(
  "MatchingFiles",
  named(async (ctx) => {
    const input = ctx.inputs[0]!;
    if (input.rank > 1) throw new InvalidArgumentError(`Input pattern tensor must be scalar or vector, but had shape: ${shapeStr(input.shape)}`);
    const found: Uint8Array[] = [];
    for (const pattern of input.data as Uint8Array[]) {
      const files = policyOf(ctx).files;
      const guard = (p: string) => files.checkRead("MatchingFiles", p);
      for (const path of await matchingPaths(pathText(pattern), guard)) found.push(utf8.encode(path));
    }
    found.sort(compareBytes);
    return [new NDArray("string", [found.length], found)];
  }),
  { stateful: true, deviceTypes: ["CPU"] },
);
