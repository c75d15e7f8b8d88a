/**
 * Readers in the graph (TF's io_ops.py): each reader class builds a reader op (TextLineReaderV2,
 * ...) whose output is the reader's resource handle, and methods that build the ops using it
 * (ReaderReadV2, ReaderReadUpToV2, ...). Those ops are colocated with the reader op, so they run
 * where the reader lives; the filename queue given to `read` must live on the same task.
 * Readers are shared by (container, sharedName) like queues; without a sharedName a reader is
 * private to its op in each session.
 *
 * @example
 * const files = new tf.FIFOQueue({capacity: 10, dtypes: "string", shapes: []});
 * const reader = new tf.TextLineReader({skipHeaderLines: 1});
 * const [key, line] = reader.read(files);
 * const [x1, x2, target] = tf.decodeCsv(line, [[-1.0], [-1.0], Int32Array.of(-1)]);
 */
import { convertToTensor, makeOp } from "../convert.js";
import type { NameOption, TensorLike } from "../convert.js";
import type { AttrValue } from "../graph-def.js";
import type { Operation } from "../graph.js";
import { Tensor } from "../tensor.js";
import { OpNamer } from "./builder-utils.js";

export { decodeCsv, matchingFiles, readFile } from "./io-parsing.js";
export type { DecodeCsvOptions } from "./io-parsing.js";

/** A queue of work units (file names): a queue object, or its handle tensor. */
export type WorkQueue = { readonly queueRef: Tensor } | Tensor;

export interface ReaderOptions extends NameOption {
  /** Reader ops with the same shared name (and container) are one reader, across sessions. */
  sharedName?: string;
}

function queueRefOf(queue: WorkQueue): Tensor {
  const ref = queue instanceof Tensor ? queue : queue.queueRef;
  if (ref.dtype !== "resource") throw new TypeError(`Expected a queue or a queue handle (resource tensor), got a ${ref.dtype} tensor: ${ref.name}`);
  return ref;
}

/** Adds a reader op; `sharedName` starting with "_" is left for the kernel to reject, as for queues. */
function readerOp(type: string, options: ReaderOptions, attrs: Record<string, AttrValue> = {}): Tensor {
  const all = { ...attrs, container: { s: "" }, shared_name: { s: options.sharedName ?? "" } };
  return makeOp(type, [], all, [{ dtype: "resource", shape: [] }], { name: options.name ?? type }).output;
}

/**
 * What every reader does: read records from the work units (file names) of a queue.
 * `read` gives one (key, value) pair, `readUpTo` up to n of them from one work unit.
 */
export class ReaderBase {
  constructor(
    readonly readerRef: Tensor,
    /** Whether serializeState/restoreState work (IdentityReader, WholeFileReader). */
    readonly supportsSerialize = false,
  ) {}

  /** The reader op's full name. */
  get name(): string {
    return this.readerRef.op.name;
  }

  private handleOp(type: string, inputs: Tensor[], outputs: { dtype: Tensor["dtype"]; shape: (number | null)[] }[], name: string): Operation {
    return makeOp(type, [this.readerRef, ...inputs], {}, outputs, { name, colocateWith: this.readerRef.op });
  }

  /** The next record (ReaderReadV2): `[key, value]`, string scalars. Dequeues work from `queue` as needed. */
  read(queue: WorkQueue, options: NameOption = {}): [Tensor, Tensor] {
    const op = this.handleOp("ReaderReadV2", [queueRefOf(queue)], [{ dtype: "string", shape: [] }, { dtype: "string", shape: [] }], options.name ?? "ReaderReadV2");
    return [op.outputs[0]!, op.outputs[1]!];
  }

  /** Up to `numRecords` records of one work unit (ReaderReadUpToV2): `[keys, values]`, string vectors. */
  readUpTo(queue: WorkQueue, numRecords: TensorLike, options: NameOption = {}): [Tensor, Tensor] {
    const namer = new OpNamer(this.readerRef.graph, options.name ?? "ReaderReadUpToV2");
    const n = namer.inside(() => convertToTensor(numRecords, "int64", "num_records"));
    if (n.dtype !== "int64") throw new TypeError(`num_records must be int64, got ${n.dtype}`);
    const op = this.handleOp("ReaderReadUpToV2", [queueRefOf(queue), n], [{ dtype: "string", shape: [null] }, { dtype: "string", shape: [null] }], namer.name);
    return [op.outputs[0]!, op.outputs[1]!];
  }

  /** How many records this reader has produced, an int64 scalar. */
  numRecordsProduced(options: NameOption = {}): Tensor {
    return this.handleOp("ReaderNumRecordsProducedV2", [], [{ dtype: "int64", shape: [] }], options.name ?? "ReaderNumRecordsProducedV2").outputs[0]!;
  }

  /** How many work units this reader has finished, an int64 scalar. */
  numWorkUnitsCompleted(options: NameOption = {}): Tensor {
    return this.handleOp("ReaderNumWorkUnitsCompletedV2", [], [{ dtype: "int64", shape: [] }], options.name ?? "ReaderNumWorkUnitsCompletedV2").outputs[0]!;
  }

  /** The reader's state as a string scalar (UnimplementedError at run time unless supportsSerialize). */
  serializeState(options: NameOption = {}): Tensor {
    return this.handleOp("ReaderSerializeStateV2", [], [{ dtype: "string", shape: [] }], options.name ?? "ReaderSerializeStateV2").outputs[0]!;
  }

  /** Restores a state that serializeState produced. */
  restoreState(state: TensorLike, options: NameOption = {}): Operation {
    const namer = new OpNamer(this.readerRef.graph, options.name ?? "ReaderRestoreStateV2");
    const s = namer.inside(() => convertToTensor(state, "string", "state"));
    if (s.shape !== null && s.shape.length !== 0) throw new RangeError(`Shape must be rank 0 but is rank ${s.shape.length} for 'ReaderRestoreStateV2'`);
    return this.handleOp("ReaderRestoreStateV2", [s], [], namer.name);
  }

  /** Puts the reader back in its initial state: counters to 0, no current work unit. The queue is untouched. */
  reset(options: NameOption = {}): Operation {
    return this.handleOp("ReaderResetV2", [], [], options.name ?? "ReaderResetV2");
  }
}

/**
 * Lines of text files (TextLineReaderV2): key "<file>:<line>", 1-based, counting the
 * `skipHeaderLines` lines skipped at the top of every file; value the line without its newline.
 */
export class TextLineReader extends ReaderBase {
  constructor(options: ReaderOptions & { skipHeaderLines?: number } = {}) {
    super(readerOp("TextLineReaderV2", options, { skip_header_lines: { i: options.skipHeaderLines ?? 0 } }));
  }
}

export interface FixedLengthRecordReaderOptions extends ReaderOptions {
  recordBytes: number;
  headerBytes?: number;
  footerBytes?: number;
  /** Bytes from one record's start to the next; 0 (the default) means `recordBytes`. */
  hopBytes?: number;
  /** "ZLIB" or "GZIP": the whole file is a compressed stream. */
  encoding?: string;
}

/** Fixed-size records after a header and before a footer (FixedLengthRecordReaderV2): key "<file>:<index>", 0-based. */
export class FixedLengthRecordReader extends ReaderBase {
  constructor(options: FixedLengthRecordReaderOptions) {
    super(
      readerOp("FixedLengthRecordReaderV2", options, {
        header_bytes: { i: options.headerBytes ?? 0 },
        record_bytes: { i: options.recordBytes },
        footer_bytes: { i: options.footerBytes ?? 0 },
        hop_bytes: { i: options.hopBytes ?? 0 },
        encoding: { s: options.encoding ?? "" },
      }),
    );
  }
}

/** TFRecord compression names: "" (or "NONE"), "ZLIB", "GZIP". */
export type TFRecordCompression = "" | "NONE" | "ZLIB" | "GZIP";

/** TF's TFRecordOptions.get_compression_type_string: the kernel's attr value, or a RangeError. */
export function compressionTypeString(value: string | undefined | null): "" | "ZLIB" | "GZIP" {
  if (value === undefined || value === null || value === "" || value === "NONE") return "";
  if (value === "ZLIB" || value === "GZIP") return value;
  throw new RangeError(`Not a valid compression_type: "${value}"`);
}

/** The records of TFRecord files (TFRecordReaderV2): key "<file>:<byte offset of the record>". */
export class TFRecordReader extends ReaderBase {
  constructor(options: ReaderOptions & { compressionType?: TFRecordCompression } = {}) {
    super(readerOp("TFRecordReaderV2", options, { compression_type: { s: compressionTypeString(options.compressionType) } }));
  }
}

/** Whole files (WholeFileReaderV2): key the file name as dequeued, value its contents. */
export class WholeFileReader extends ReaderBase {
  constructor(options: ReaderOptions = {}) {
    super(readerOp("WholeFileReaderV2", options), true);
  }
}

/** Each work unit as a record (IdentityReaderV2): key and value are the dequeued string. */
export class IdentityReader extends ReaderBase {
  constructor(options: ReaderOptions = {}) {
    super(readerOp("IdentityReaderV2", options), true);
  }
}
