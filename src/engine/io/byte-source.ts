/**
 * A file as a stream of bytes, raw or decompressed (TF's RandomAccessInputStream and
 * ZlibInputStream). Compression wraps the whole file: "ZLIB" is a zlib (RFC 1950) stream,
 * "GZIP" a gzip container, read with node:zlib.
 */
import { open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { pipeline } from "node:stream";
import type { Readable } from "node:stream";
import { createGunzip, createInflate } from "node:zlib";
import { DataLossError } from "../../errors/index.js";
import type { OpError } from "../../errors/index.js";
import { fileError, fsPath, pathText } from "./file-errors.js";
import type { CompressionType } from "./tfrecord-format.js";
import type { IoGate } from "../../util/env.js";

export interface ByteSource {
  /** The next bytes, at most `maxBytes` of them; an empty array only at the end of the stream. */
  read(maxBytes: number): Promise<Uint8Array>;
  /** Releases the file; safe to call twice. */
  close(): Promise<void>;
}

const EMPTY = new Uint8Array(0);

class RawFileSource implements ByteSource {
  private position = 0;
  private closed = false;

  constructor(
    private readonly file: FileHandle,
    private readonly name: string,
  ) {}

  async read(maxBytes: number): Promise<Uint8Array> {
    if (this.closed) return EMPTY;
    const buffer = Buffer.allocUnsafe(maxBytes);
    let bytesRead: number;
    try {
      ({ bytesRead } = await this.file.read(buffer, 0, maxBytes, this.position));
    } catch (err) {
      throw fileError(this.name, err);
    }
    this.position += bytesRead;
    return new Uint8Array(buffer.buffer, buffer.byteOffset, bytesRead);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.file.close().catch(() => undefined);
  }
}

/** zlib's "unexpected end of file": a truncated stream ends where its data ends, as TF reads it. */
function isTruncation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "Z_BUF_ERROR";
}

/** TF's ZlibInputStream text: "inflate() failed with error <zlib code>: <zlib message>". File errors stay file errors. */
function inflateError(name: string, err: unknown): OpError {
  const { code, errno } = typeof err === "object" && err !== null ? (err as { code?: unknown; errno?: unknown }) : {};
  if (typeof code !== "string" || !code.startsWith("Z_") || typeof errno !== "number") return fileError(name, err);
  const message = err instanceof Error ? err.message : String(err);
  return new DataLossError(`inflate() failed with error ${errno}: ${message}`);
}

class InflatingSource implements ByteSource {
  private readonly chunks: AsyncIterator<Buffer>;
  private pending: Uint8Array = EMPTY;
  private ended = false;
  private readonly output: Readable;

  constructor(
    private readonly file: FileHandle,
    private readonly name: string,
    compression: "ZLIB" | "GZIP",
  ) {
    const inflater = compression === "GZIP" ? createGunzip() : createInflate();
    // pipeline() forwards a read error of the file into the inflater and destroys both on failure.
    this.output = pipeline(file.createReadStream({ autoClose: false }), inflater, () => undefined);
    this.chunks = this.output[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  async read(maxBytes: number): Promise<Uint8Array> {
    while (this.pending.length === 0 && !this.ended) {
      let next: IteratorResult<Buffer>;
      try {
        next = await this.chunks.next();
      } catch (err) {
        this.ended = true;
        if (isTruncation(err)) break;
        throw inflateError(this.name, err);
      }
      if (next.done) this.ended = true;
      else this.pending = new Uint8Array(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    }
    const out = this.pending.subarray(0, maxBytes);
    this.pending = this.pending.subarray(out.length);
    return out;
  }

  async close(): Promise<void> {
    this.ended = true;
    this.output.destroy();
    await this.file.close().catch(() => undefined);
  }
}

/** A source whose every read and close completes when the simulation's I/O gate says. */
class GatedSource implements ByteSource {
  constructor(
    private readonly inner: ByteSource,
    private readonly name: string,
    private readonly io: IoGate,
  ) {}

  read(maxBytes: number): Promise<Uint8Array> {
    return this.io(`io read ${this.name}`, () => this.inner.read(maxBytes));
  }

  close(): Promise<void> {
    return this.io(`io close ${this.name}`, () => this.inner.close());
  }
}

/**
 * Opens `path` (bytes, as TF strings are) for reading; fails as TF's NewRandomAccessFile does.
 * `resolved`: the path a FileAccess check returned, opened instead (messages keep `path`).
 * With `io` (a simulation's gate), the open and every read complete in the scheduler's order.
 */
export async function openByteSource(path: Uint8Array, compression: CompressionType = "", resolved?: string, io?: IoGate): Promise<ByteSource> {
  const name = pathText(path);
  const real = resolved ?? fsPath(path);
  let file: FileHandle;
  try {
    file = await (io ? io(`io open ${name}`, () => open(real, "r")) : open(real, "r"));
  } catch (err) {
    throw fileError(name, err);
  }
  const source = compression === "" ? new RawFileSource(file, name) : new InflatingSource(file, name, compression);
  return io ? new GatedSource(source, name, io) : source;
}
