/**
 * Reader kernels (TF's reader_ops.cc and the reader op kernels): the five reader-creating ops,
 * which create or look up a reader in the task's resource manager and output its handle, and the
 * ops that take that handle as input 0. ReaderRead/ReadUpTo take the work queue's handle as input
 * 1; the queue must live on the reader's task, as TF requires the two to be colocated. Reads
 * block (on the reader's lock, then on the queue) and the step's signal cancels them.
 * Importing this file also registers DecodeCSV, ReadFile and MatchingFiles.
 */
import "./io-csv.js";
import "./io-files.js";
import { InvalidArgumentError, withNode } from "../../errors/index.js";
import { NDArray } from "../../tensor/ndarray.js";
import type { ResourceHandle } from "../../tensor/resource-handle.js";
import { QueueBase } from "../resources/queue-base.js";
import { READER_RESOURCE_KIND, ReaderResource } from "../resources/reader-base.js";
import type { ReaderRecord, ReadOptions } from "../resources/reader-base.js";
import { FixedLengthRecordReader } from "../resources/reader-fixed-length.js";
import { IdentityReader, WholeFileReader } from "../resources/reader-simple.js";
import { TextLineReader } from "../resources/reader-text-line.js";
import { TFRecordReader } from "../resources/reader-tfrecord.js";
import { checkOutputBytes, policyOf, scalarNumber } from "./kernel-utils.js";
import { registerKernel } from "./registry.js";
import type { Kernel, KernelContext } from "./registry.js";

// ---- private reader names ----

/**
 * A reader op without shared_name gets a reader private to its node in this session, as TF's
 * ResourceOpKernel gives each kernel instance its own: repeated runs see the same reader. The
 * worker frees it when the session ends (ResourceManager.releaseSession).
 */
function privateReaderName(ctx: KernelContext): string {
  return ctx.resources.privateName(ctx.step.sessionHandle, ctx.device.name, ctx.node.name);
}

/** Errors name the node, whichever path they take out of the kernel. */
function named(kernel: Kernel): Kernel {
  return (ctx) => {
    try {
      const out = kernel(ctx);
      return out instanceof Promise ? out.catch((err: unknown) => Promise.reject(withNode(err, ctx.node.name))) : out;
    } catch (err) {
      throw withNode(err, ctx.node.name);
    }
  };
}

function register(type: string, kernel: Kernel): void {
  // Readers are CPU-only in TF, and so are the ops on them.
  registerKernel(type, named(kernel), { stateful: true, deviceTypes: ["CPU"] });
}

// ---- reader-creating ops ----

/** Each kind builds a reader from the op's attrs; the constructor checks them, as TF's kernel does. */
const readerKinds: Record<string, (ctx: KernelContext) => ReaderResource> = {
  TextLineReaderV2: (ctx) => new TextLineReader(ctx.node.name, ctx.attrs.i("skip_header_lines", 0)),
  FixedLengthRecordReaderV2: (ctx) => {
    // Each record (with its footer) is one allocation: bounded by the task's budget up front.
    checkOutputBytes(ctx, "uint8", [Math.max(0, ctx.attrs.i("record_bytes")) + Math.max(0, ctx.attrs.i("footer_bytes", 0))]);
    return new FixedLengthRecordReader(ctx.node.name, {
      headerBytes: ctx.attrs.i("header_bytes", 0),
      recordBytes: ctx.attrs.i("record_bytes"),
      footerBytes: ctx.attrs.i("footer_bytes", 0),
      hopBytes: ctx.attrs.i("hop_bytes", 0),
      encoding: ctx.attrs.s("encoding", ""),
    });
  },
  TFRecordReaderV2: (ctx) => new TFRecordReader(ctx.node.name, ctx.attrs.s("compression_type", "")),
  WholeFileReaderV2: (ctx) => new WholeFileReader(ctx.node.name),
  IdentityReaderV2: (ctx) => new IdentityReader(ctx.node.name),
};

function readerHandleKernel(make: (ctx: KernelContext) => ReaderResource): Kernel {
  return (ctx) => {
    const sharedName = ctx.attrs.s("shared_name", "");
    if (sharedName.startsWith("_")) throw new InvalidArgumentError(`shared_name cannot start with '_':${sharedName}`);
    const fresh = make(ctx);
    fresh.policy = policyOf(ctx);
    fresh.io = ctx.step.io;
    const name = sharedName || privateReaderName(ctx);
    const container = ctx.resources.resolveContainer(ctx.attrs.s("container", ""));
    const reader = ctx.resources.lookupOrCreate(container, READER_RESOURCE_KIND, name, () => fresh);
    if (!(reader instanceof ReaderResource) || reader.typeName !== fresh.typeName) {
      const found = reader instanceof ReaderResource ? reader.displayName : "a resource that is not a reader";
      throw new InvalidArgumentError(`Reader ${container}/${name} shared by ${fresh.displayName} is ${found}`);
    }
    const handle: ResourceHandle = { device: ctx.device.name, container, name, kind: READER_RESOURCE_KIND };
    return [new NDArray("resource", [], [handle])];
  };
}

for (const [type, make] of Object.entries(readerKinds)) register(type, readerHandleKernel(make));

// ---- ops on a reader handle ----

/** "/job:w/replica:0/task:1" of a full device name: resources live per task. */
function taskOf(device: string): string {
  const i = device.indexOf("/device:");
  return i < 0 ? device : device.slice(0, i);
}

function handleInput(ctx: KernelContext, index: number, what: string): ResourceHandle {
  const h = ctx.inputs[index];
  if (!h || h.dtype !== "resource" || h.size !== 1) throw new InvalidArgumentError(`${ctx.node.op} expects a ${what} handle as input ${index}`);
  return (h.data as ResourceHandle[])[0]!;
}

function readerOf(ctx: KernelContext): ReaderResource {
  const h = handleInput(ctx, 0, "reader");
  if (taskOf(h.device) !== taskOf(ctx.device.name)) {
    throw new InvalidArgumentError(`Trying to access resource ${h.name} located in device ${h.device} from device ${ctx.device.name}`);
  }
  const r = ctx.resources.get(h.container, h.kind, h.name);
  if (!(r instanceof ReaderResource)) throw new InvalidArgumentError(`Resource ${h.container}/${h.name} is not a reader`);
  return r;
}

function queueOf(ctx: KernelContext): QueueBase {
  const h = handleInput(ctx, 1, "queue");
  if (taskOf(h.device) !== taskOf(ctx.device.name)) {
    throw new InvalidArgumentError(
      `Trying to access resource ${h.name} located in device ${h.device} from device ${ctx.device.name}: ` +
        `a reader's queue must be on the reader's device (colocate the filename queue with the reader)`,
    );
  }
  const q = ctx.resources.get(h.container, h.kind, h.name);
  if (!(q instanceof QueueBase)) throw new InvalidArgumentError(`Resource ${h.container}/${h.name} is not a queue`);
  return q;
}

function readOptions(ctx: KernelContext, queue: QueueBase): ReadOptions {
  const { signal, stepId } = ctx.step;
  return { dequeue: () => queue.dequeue({ signal, stepId }), signal };
}

function strings(values: Uint8Array[], shape: number[]): NDArray {
  return new NDArray("string", shape, values);
}

function int64Scalar(n: number): NDArray {
  return new NDArray("int64", [], BigInt64Array.of(BigInt(n)));
}

const handleOps: Record<string, Kernel> = {
  ReaderReadV2: async (ctx) => {
    const reader = readerOf(ctx);
    const record = await reader.read(readOptions(ctx, queueOf(ctx)));
    return [strings([record.key], []), strings([record.value], [])];
  },
  ReaderReadUpToV2: async (ctx) => {
    const reader = readerOf(ctx);
    const queue = queueOf(ctx);
    const n = scalarNumber(ctx, ctx.inputs[2]!, "num_records");
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`num_records must be >= 0 not ${n}`);
    const records: ReaderRecord[] = await reader.readUpTo(n, readOptions(ctx, queue));
    return [strings(records.map((r) => r.key), [records.length]), strings(records.map((r) => r.value), [records.length])];
  },
  ReaderNumRecordsProducedV2: (ctx) => [int64Scalar(readerOf(ctx).numRecordsProduced)],
  ReaderNumWorkUnitsCompletedV2: (ctx) => [int64Scalar(readerOf(ctx).numWorkUnitsCompleted)],
  ReaderResetV2: async (ctx) => {
    await readerOf(ctx).reset(ctx.step.signal);
    return [];
  },
  ReaderSerializeStateV2: async (ctx) => [strings([await readerOf(ctx).serializeState(ctx.step.signal)], [])],
  ReaderRestoreStateV2: async (ctx) => {
    const reader = readerOf(ctx);
    const state = ctx.inputs[1];
    if (!state || state.dtype !== "string" || state.rank !== 0) {
      throw new InvalidArgumentError(`Reader state must be scalar, but had shape: [${(state?.shape ?? []).join(",")}]`);
    }
    await reader.restoreState((state.data as Uint8Array[])[0]!, ctx.step.signal);
    return [];
  },
};

for (const [type, kernel] of Object.entries(handleOps)) register(type, kernel);

/** The op types this file registers (not counting DecodeCSV, ReadFile, MatchingFiles). */
export const READER_OP_TYPES: readonly string[] = [...Object.keys(readerKinds), ...Object.keys(handleOps)];
