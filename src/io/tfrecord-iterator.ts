/**
 * Reads the records of a TFRecord file from the client (TF's tf.io.tf_record_iterator): an async
 * iterable of each record's bytes. NotFoundError for a missing file, DataLossError on a truncated
 * or corrupted record (with TF's texts); a file cut inside a record header simply ends.
 *
 * @example
 * for await (const record of tf.io.tfRecordIterator("/tmp/data.tfrecord")) console.log(record.length);
 */
import { openByteSource } from "../engine/io/byte-source.js";
import { RecordReader } from "../engine/io/record-reader.js";
import { compressionTypeString } from "../graph/ops/io.js";
import type { TFRecordOptions } from "./tfrecord-writer.js";

const utf8 = new TextEncoder();

export async function* tfRecordIterator(path: string, options: TFRecordOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
  const compression = compressionTypeString(options.compressionType);
  const bytesPath = utf8.encode(path);
  const reader = new RecordReader(() => openByteSource(bytesPath, compression), await openByteSource(bytesPath, compression));
  try {
    for (;;) {
      const record = await reader.readRecord();
      if (record === null) return;
      yield record;
    }
  } finally {
    await reader.close();
  }
}
