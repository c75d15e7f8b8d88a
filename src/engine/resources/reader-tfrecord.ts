/**
 * TFRecordReader (tf_record_reader_op.cc): one record per TFRecord, key "<file>:<offset>" with the
 * offset of the record's start in the uncompressed stream. The stream's end moves on to the next
 * file; DataLoss (a truncated or corrupted record) fails the read and keeps the file current.
 */
import { RecordReader } from "../io/record-reader.js";
import { compressionFromAttr } from "../io/tfrecord-format.js";
import type { CompressionType } from "../io/tfrecord-format.js";
import { ReaderResource, workKey } from "./reader-base.js";
import type { ReadStep } from "./reader-base.js";

export class TFRecordReader extends ReaderResource {
  readonly typeName = "TFRecordReader";
  private readonly compression: CompressionType;
  private reader: RecordReader | null = null;

  constructor(nodeName: string, compressionType: string) {
    super(nodeName);
    this.compression = compressionFromAttr(compressionType);
  }

  protected override async onWorkStarted(): Promise<void> {
    await this.closeWork();
    const work = this.work;
    // Opening now makes a missing file fail the unit's start, as NewRandomAccessFile does in TF.
    const opened = await this.openWork(this.compression, work);
    this.reader = new RecordReader(() => this.openWork(this.compression, work), opened, undefined, this.policy.maxTensorBytes);
  }

  protected override onWorkFinished(): Promise<void> {
    return this.closeWork();
  }

  protected override async closeWork(): Promise<void> {
    const reader = this.reader;
    this.reader = null;
    await reader?.close();
  }

  protected async readLocked(): Promise<ReadStep> {
    const reader = this.reader;
    if (!reader) return { record: null, atEnd: true };
    const key = workKey(this.work, reader.offset);
    const value = await reader.readRecord();
    if (value === null) return { record: null, atEnd: true };
    return { record: { key, value }, atEnd: false };
  }
}
