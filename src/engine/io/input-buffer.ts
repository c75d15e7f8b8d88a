/**
 * A buffered reader over a ByteSource (TF's io::InputBuffer / BufferedInputStream): lines, runs of
 * bytes and skips, with the position in the (uncompressed) stream. The buffer size never changes
 * what is read, only how many reads reach the file.
 */
import { OutOfRangeError, ResourceExhaustedError } from "../../errors/index.js";
import type { ByteSource } from "./byte-source.js";

const EMPTY = new Uint8Array(0);
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!.slice();
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Drops one trailing "\r" (a CRLF line end), as InputBuffer::ReadLine does. */
function stripCarriageReturn(line: Uint8Array): Uint8Array {
  return line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN ? line.subarray(0, line.length - 1) : line;
}

export class InputBuffer {
  private buffer: Uint8Array = EMPTY;
  private at = 0;
  private eof = false;
  /** Bytes consumed so far from the start of the stream. */
  private consumed = 0;

  constructor(
    private readonly source: ByteSource,
    private readonly bufferBytes = 256 * 1024,
  ) {}

  get position(): number {
    return this.consumed;
  }

  private get buffered(): number {
    return this.buffer.length - this.at;
  }

  /** Refills the (drained) buffer; false at the end of the stream. */
  private async fill(): Promise<boolean> {
    if (this.eof) return false;
    const chunk = await this.source.read(this.bufferBytes);
    if (chunk.length === 0) {
      this.eof = true;
      return false;
    }
    this.buffer = chunk;
    this.at = 0;
    return true;
  }

  private take(n: number): Uint8Array {
    const out = this.buffer.subarray(this.at, this.at + n);
    this.at += n;
    this.consumed += n;
    return out;
  }

  /**
   * The next line without its "\n" and without one "\r" before it (or before the end); null at the
   * end. A final "\n" adds no empty line, and a last line that strips to "" counts as the end.
   */
  async readLine(maxBytes = Infinity): Promise<Uint8Array | null> {
    const parts: Uint8Array[] = [];
    let held = 0;
    for (;;) {
      if (held > maxBytes) {
        throw new ResourceExhaustedError(`a line longer than ${maxBytes} bytes, this task's limit per tensor (maxTensorBytes)`);
      }
      const newline = this.buffer.indexOf(NEWLINE, this.at);
      if (newline >= 0) {
        parts.push(this.take(newline - this.at));
        this.take(1);
        return stripCarriageReturn(concat(parts));
      }
      if (this.buffered > 0) {
        held += this.buffered;
        parts.push(this.take(this.buffered));
      }
      if (!(await this.fill())) break;
    }
    if (parts.length === 0) return null;
    const line = stripCarriageReturn(concat(parts));
    return line.length > 0 ? line : null;
  }

  /** Up to `n` bytes; fewer only at the end of the stream. */
  async readBytes(n: number): Promise<Uint8Array> {
    if (this.buffered >= n) return this.take(n).slice();
    const parts: Uint8Array[] = [];
    let remaining = n;
    while (remaining > 0) {
      if (this.buffered === 0 && !(await this.fill())) break;
      const part = this.take(Math.min(remaining, this.buffered));
      parts.push(part);
      remaining -= part.length;
    }
    return parts.length === 0 ? EMPTY : concat(parts);
  }

  /** Skips up to `n` bytes; returns how many were skipped (fewer only at the end). */
  async skipBytes(n: number): Promise<number> {
    let remaining = n;
    while (remaining > 0) {
      if (this.buffered === 0 && !(await this.fill())) break;
      remaining -= this.take(Math.min(remaining, this.buffered)).length;
    }
    return n - remaining;
  }

  /** Skips exactly `n` bytes, or OutOfRangeError as TF's SkipNBytes gives at the end of the file. */
  async skipExactly(n: number): Promise<void> {
    if ((await this.skipBytes(n)) < n) throw new OutOfRangeError("reached end of file");
  }

  close(): Promise<void> {
    this.buffer = EMPTY;
    this.at = 0;
    return this.source.close();
  }
}
