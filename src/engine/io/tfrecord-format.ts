/**
 * The TFRecord layout (core/lib/io/record_writer.h): per record, little-endian,
 *   uint64 length | uint32 masked_crc32c(the 8 length bytes) | data[length] | uint32 masked_crc32c(data)
 * with no file header or footer. Compression ("ZLIB", "GZIP") wraps the whole stream, not a record.
 */
import { maskedCrc32c } from "./crc32c.js";

export const TFRECORD_HEADER_BYTES = 12;
export const TFRECORD_FOOTER_BYTES = 4;

/** The compression of a TFRecord stream, as TF's option strings name it ("" is none). */
export type CompressionType = "" | "ZLIB" | "GZIP";

/**
 * TF's RecordReaderOptions::CreateRecordReaderOptions: "ZLIB" and "GZIP" compress, anything else
 * reads the stream as it is (TF logs an error for an unknown name and carries on uncompressed).
 */
export function compressionFromAttr(value: string): CompressionType {
  return value === "ZLIB" || value === "GZIP" ? value : "";
}

/** The 12-byte header of a record of `length` bytes. */
export function encodeRecordHeader(length: number): Uint8Array {
  const header = new Uint8Array(TFRECORD_HEADER_BYTES);
  const view = new DataView(header.buffer);
  view.setBigUint64(0, BigInt(length), true);
  view.setUint32(8, maskedCrc32c(header.subarray(0, 8)), true);
  return header;
}

/** One whole record: header, data, footer. */
export function encodeRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(TFRECORD_HEADER_BYTES + data.length + TFRECORD_FOOTER_BYTES);
  out.set(encodeRecordHeader(data.length), 0);
  out.set(data, TFRECORD_HEADER_BYTES);
  new DataView(out.buffer).setUint32(TFRECORD_HEADER_BYTES + data.length, maskedCrc32c(data), true);
  return out;
}
