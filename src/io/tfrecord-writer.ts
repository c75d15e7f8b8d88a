/**
 * Writes TFRecord files from the client (TF's tf.io.TFRecordWriter), optionally as one ZLIB or
 * GZIP stream. Records are written in call order; each `write` resolves once its bytes have gone
 * to the file (or into the compressor). After `close`, `write` and `flush` fail with
 * FailedPreconditionError, as in TF; a second `close` does nothing.
 *
 * @example
 * const w = await tf.io.TFRecordWriter.open("/tmp/data.tfrecord", {compressionType: "GZIP"});
 * await w.write("record one");
 * await w.close();
 */
import { open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import type { Writable } from "node:stream";
import { constants as zlibConstants, createDeflate, createGzip } from "node:zlib";
import type { Deflate, Gzip } from "node:zlib";
import { FailedPreconditionError } from "../errors/index.js";
import type { OpError } from "../errors/index.js";
import { fileError } from "../engine/io/file-errors.js";
import { encodeRecord } from "../engine/io/tfrecord-format.js";
import { compressionTypeString } from "../graph/ops/io.js";
import type { TFRecordCompression } from "../graph/ops/io.js";

export interface TFRecordOptions {
  /** "" or "NONE" (the default), "ZLIB" or "GZIP". */
  compressionType?: TFRecordCompression;
}

const utf8 = new TextEncoder();

function writeChunk(stream: Writable, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(chunk, (err) => (err ? reject(err) : resolve()));
  });
}

export class TFRecordWriter {
  private closed = false;
  private error: OpError | null = null;

  private constructor(
    readonly path: string,
    private readonly fileStream: Writable,
    private readonly compressor: Deflate | Gzip | null,
  ) {
    const fail = (err: unknown): void => {
      this.error ??= fileError(path, err);
    };
    fileStream.on("error", fail);
    compressor?.on("error", fail);
    compressor?.pipe(fileStream);
  }

  /** Creates (or truncates) `path` for writing; NotFoundError when its directory does not exist. */
  static async open(path: string, options: TFRecordOptions = {}): Promise<TFRecordWriter> {
    const compression = compressionTypeString(options.compressionType);
    let file: FileHandle;
    try {
      file = await open(path, "w");
    } catch (err) {
      throw fileError(path, err);
    }
    const compressor = compression === "GZIP" ? createGzip() : compression === "ZLIB" ? createDeflate() : null;
    return new TFRecordWriter(path, file.createWriteStream(), compressor);
  }

  private checkOpen(): void {
    if (this.closed) throw new FailedPreconditionError("Writer not initialized or previously closed");
    if (this.error) throw this.error;
  }

  /** Appends one record: bytes, or a string written as UTF-8. */
  async write(record: Uint8Array | string): Promise<void> {
    this.checkOpen();
    const bytes = encodeRecord(typeof record === "string" ? utf8.encode(record) : record);
    try {
      await writeChunk(this.compressor ?? this.fileStream, bytes);
    } catch (err) {
      throw (this.error ??= fileError(this.path, err));
    }
  }

  /** Pushes everything written so far to the file (a sync flush of the compressor first). */
  async flush(): Promise<void> {
    this.checkOpen();
    const compressor = this.compressor;
    if (compressor) await new Promise<void>((resolve) => compressor.flush(zlibConstants.Z_SYNC_FLUSH, () => resolve()));
    // A write's callback runs after every earlier chunk has been handled, so this waits for them all.
    await writeChunk(this.fileStream, new Uint8Array(0));
    if (this.error) throw this.error;
  }

  /** Finishes the stream and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // The file stream owns the file: it closes it after the last write, then emits 'close'.
    const done = new Promise<void>((resolve) => this.fileStream.once("close", resolve));
    if (this.compressor) this.compressor.end();
    else this.fileStream.end();
    await done;
    if (this.error) throw this.error;
  }
}
