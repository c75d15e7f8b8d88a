/**
 * Reads TFRecord records one by one (TF's io::RecordReader), with TF's statuses:
 * - a clean end, or fewer than 12 header bytes left: `null` (TF's OutOfRange "eof");
 * - a complete header but a short data/footer: DataLoss "truncated record at <record start>";
 * - a bad length CRC: DataLoss "corrupted record at <record start>";
 * - a bad data CRC: DataLoss "corrupted record at <record start + 12>".
 * A failed read leaves `offset` at the failed record, so a retry reads it again.
 */
import { DataLossError, ResourceExhaustedError } from "../../errors/index.js";
import type { ByteSource } from "./byte-source.js";
import { crc32c, unmaskCrc } from "./crc32c.js";
import { InputBuffer } from "./input-buffer.js";
import { TFRECORD_FOOTER_BYTES, TFRECORD_HEADER_BYTES } from "./tfrecord-format.js";

/** Longest record we can hold in one typed array; TF's own limit (SIZE_MAX - 4) is far beyond memory. */
const MAX_RECORD_BYTES = 0x7fffffff;

export class RecordReader {
  private input: InputBuffer | null = null;
  /** Where the next record starts, in the uncompressed stream. */
  offset = 0;

  /**
   * `open` opens the stream from its start; it is called again to go back after a failed read.
   * `opened`, when given, is the stream already open at its start, used first.
   */
  constructor(
    private readonly open: () => Promise<ByteSource>,
    private opened: ByteSource | null = null,
    private readonly bufferBytes = 256 * 1024,
    /** The task's tensor budget: a longer record is ResourceExhaustedError, never read into memory. */
    private readonly maxRecordBytes = MAX_RECORD_BYTES,
  ) {}

  /** Positions the stream at `offset`, reopening it when it has moved past (a failed read). */
  private async positioned(): Promise<InputBuffer> {
    if (this.input && this.input.position > this.offset) {
      await this.input.close();
      this.input = null;
    }
    if (!this.input) {
      const source = this.opened ?? (await this.open());
      this.opened = null;
      this.input = new InputBuffer(source, this.bufferBytes);
    }
    const gap = this.offset - this.input.position;
    // A stream shorter than `offset` simply reads as ended.
    if (gap > 0) await this.input.skipBytes(gap);
    return this.input;
  }

  /** The next record's data, or null at the end of the stream. */
  async readRecord(): Promise<Uint8Array | null> {
    const input = await this.positioned();
    const start = this.offset;
    const header = await input.readBytes(TFRECORD_HEADER_BYTES);
    if (header.length < TFRECORD_HEADER_BYTES) return null;
    const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
    if (unmaskCrc(view.getUint32(8, true)) !== crc32c(header.subarray(0, 8))) {
      throw new DataLossError(`corrupted record at ${start}`);
    }
    const length = view.getBigUint64(0, true);
    if (length > BigInt(MAX_RECORD_BYTES)) throw new DataLossError("record size too large");
    const n = Number(length);
    if (n > this.maxRecordBytes) {
      throw new ResourceExhaustedError(`record at ${start} is ${n} bytes, more than this task's limit of ${this.maxRecordBytes} bytes per tensor (maxTensorBytes)`);
    }
    const body = await input.readBytes(n + TFRECORD_FOOTER_BYTES);
    if (body.length < n + TFRECORD_FOOTER_BYTES) throw new DataLossError(`truncated record at ${start}`);
    const data = body.subarray(0, n);
    const footer = new DataView(body.buffer, body.byteOffset + n, TFRECORD_FOOTER_BYTES).getUint32(0, true);
    if (unmaskCrc(footer) !== crc32c(data)) throw new DataLossError(`corrupted record at ${start + TFRECORD_HEADER_BYTES}`);
    this.offset = start + TFRECORD_HEADER_BYTES + n + TFRECORD_FOOTER_BYTES;
    return data;
  }

  async close(): Promise<void> {
    await this.opened?.close();
    await this.input?.close();
    this.opened = null;
    this.input = null;
  }
}
