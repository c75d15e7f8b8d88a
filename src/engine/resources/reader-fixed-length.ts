/**
 * FixedLengthRecordReader (fixed_length_record_reader_op.cc, the version with `encoding`):
 * [header_bytes][records...][footer_bytes], the whole file optionally a ZLIB or GZIP stream.
 * Record i starts `hop` bytes after record i-1 (hop 0 means record_bytes) and is emitted only when
 * record_bytes + footer_bytes bytes are there from its start; otherwise the file ends silently.
 * Keys are "<file>:<record index>", 0-based. A file shorter than its header fails the read with
 * the stream's OutOfRangeError, and the next read moves on.
 */
import { InvalidArgumentError } from "../../errors/index.js";
import { InputBuffer } from "../io/input-buffer.js";
import { compressionFromAttr } from "../io/tfrecord-format.js";
import type { CompressionType } from "../io/tfrecord-format.js";
import { ReaderResource, workKey } from "./reader-base.js";
import type { ReadStep } from "./reader-base.js";

const BUFFER_BYTES = 256 * 1024;

export interface FixedLengthLayout {
  headerBytes: number;
  recordBytes: number;
  footerBytes: number;
  hopBytes: number;
  /** "ZLIB" or "GZIP" decompress the file; anything else reads it raw. */
  encoding: string;
}

export class FixedLengthRecordReader extends ReaderResource {
  readonly typeName = "FixedLengthRecordReader";
  private readonly layout: FixedLengthLayout;
  private readonly compression: CompressionType;
  private input: InputBuffer | null = null;
  private recordNumber = 0;
  /** The bytes from the current record's start: record_bytes + footer_bytes of lookahead. */
  private lookahead = new Uint8Array(0);

  constructor(nodeName: string, layout: FixedLengthLayout) {
    super(nodeName);
    for (const [attr, value] of [
      ["header_bytes", layout.headerBytes],
      ["record_bytes", layout.recordBytes],
      ["footer_bytes", layout.footerBytes],
      ["hop_bytes", layout.hopBytes],
    ] as const) {
      if (value < 0) throw new InvalidArgumentError(`${attr} must be >= 0 not ${value}`);
    }
    this.layout = { ...layout };
    this.compression = compressionFromAttr(layout.encoding);
  }

  protected override async onWorkStarted(): Promise<void> {
    await this.closeWork();
    this.recordNumber = 0;
    this.lookahead = new Uint8Array(0);
    this.input = new InputBuffer(await this.openWork(this.compression), BUFFER_BYTES);
    await this.input.skipExactly(this.layout.headerBytes);
  }

  protected override onWorkFinished(): Promise<void> {
    return this.closeWork();
  }

  protected override async closeWork(): Promise<void> {
    const input = this.input;
    this.input = null;
    this.lookahead = new Uint8Array(0);
    await input?.close();
  }

  /** Moves the lookahead to the next record's start and fills it; false when it cannot be filled. */
  private async advance(input: InputBuffer): Promise<boolean> {
    const { recordBytes, footerBytes } = this.layout;
    const hop = this.layout.hopBytes === 0 ? recordBytes : this.layout.hopBytes;
    if (this.recordNumber > 0) {
      if (hop >= this.lookahead.length) {
        const gap = hop - this.lookahead.length;
        this.lookahead = new Uint8Array(0);
        if ((await input.skipBytes(gap)) < gap) return false;
      } else {
        this.lookahead = this.lookahead.subarray(hop);
      }
    }
    const needed = recordBytes + footerBytes;
    if (this.lookahead.length < needed) {
      const more = await input.readBytes(needed - this.lookahead.length);
      const filled = new Uint8Array(this.lookahead.length + more.length);
      filled.set(this.lookahead, 0);
      filled.set(more, this.lookahead.length);
      this.lookahead = filled;
    }
    return this.lookahead.length >= needed;
  }

  protected async readLocked(): Promise<ReadStep> {
    const input = this.input;
    if (!input || !(await this.advance(input))) return { record: null, atEnd: true };
    const value = this.lookahead.slice(0, this.layout.recordBytes);
    const key = workKey(this.work, this.recordNumber);
    this.recordNumber++;
    return { record: { key, value }, atEnd: false };
  }
}
