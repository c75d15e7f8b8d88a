/**
 * A single-producer single-consumer byte ring over a SharedArrayBuffer, signalled with Atomics.
 *
 * Layout: a 192-byte header of Int32 slots (write counter, read counter and closed flag, each on
 * its own cache line), then `capacity` data bytes. The counters are byte totals modulo 2^32;
 * `capacity` is a power of two no larger than 2^30, so `(write - read) >>> 0` is the fill level
 * and `counter & (capacity - 1)` the offset. Both sides only ever wait with Atomics.waitAsync
 * (never Atomics.wait), so no event loop is blocked; close() ends every wait (see NO_TIMEOUT).
 */
import { UnavailableError } from "../../errors/index.js";

const WRITE = 0;
const READ = 16;
const CLOSED = 32;
/** Set by a side while it waits (or is about to): the other side notifies only then. */
const READER_WAITING = 36;
const WRITER_WAITING = 40;
const HEADER_BYTES = 192;
/**
 * Waits carry no timeout by default. Each is bounded by the ring's lifetime instead: every way a
 * ring ends (either side's close(), or the peer thread dying, which closes the connection's
 * MessagePort and so calls close() here) notifies both counters and wakes every waiter. A timeout
 * per wait is not free: V8 keeps a delayed task for each until it expires, and at 20k calls/s those
 * piled up and more than doubled a call's cost (measured 32 µs → 78 µs).
 */
const NO_TIMEOUT = Infinity;

type WaitAsyncResult =
  | { async: false; value: "not-equal" | "timed-out" }
  | { async: true; value: Promise<"ok" | "timed-out"> };
type WaitAsync = (ta: Int32Array, index: number, value: number, timeoutMs?: number) => WaitAsyncResult;
// ES2024 API, present in Node 20 but not in our ES2023 lib typings.
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** Resolves once ctl[index] differs from `seen`, after a notify, or after `timeoutMs`. */
export async function waitForChange(ctl: Int32Array, index: number, seen: number, timeoutMs: number): Promise<void> {
  const r = waitAsync(ctl, index, seen, timeoutMs);
  if (r.async) await r.value;
}

/** Allocates the shared memory of one ring; `capacity` must be a power of two in [64, 2^30]. */
export function allocateRing(capacity: number): SharedArrayBuffer {
  if (!Number.isInteger(capacity) || capacity < 64 || capacity > 2 ** 30 || (capacity & (capacity - 1)) !== 0) {
    throw new RangeError(`ring capacity must be a power of two between 64 B and 1 GiB, got ${capacity}`);
  }
  return new SharedArrayBuffer(HEADER_BYTES + capacity);
}

/** Raised by a ring operation once either side closed the ring. */
export class RingClosedError extends UnavailableError {}

/** Counters every ring end keeps, for tests and metrics. */
export interface RingStats {
  /** Bytes moved through this end. */
  bytes: number;
  /** Times this end had to wait: the writer for space, the reader for data. */
  waits: number;
}

abstract class RingEnd {
  protected readonly ctl: Int32Array;
  protected readonly data: Uint8Array;
  protected readonly capacity: number;
  protected readonly mask: number;
  /** Largest piece copied before publishing progress, so both sides work at once on big messages. */
  readonly pieceBytes: number;
  readonly stats: RingStats = { bytes: 0, waits: 0 };

  constructor(readonly buffer: SharedArrayBuffer) {
    this.ctl = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    this.data = new Uint8Array(buffer, HEADER_BYTES);
    this.capacity = this.data.length;
    this.mask = this.capacity - 1;
    this.pieceBytes = Math.max(64, this.capacity >>> 2);
  }

  get closed(): boolean {
    return Atomics.load(this.ctl, CLOSED) !== 0;
  }

  /** Marks the ring closed for both sides and wakes every waiter on it. */
  close(): void {
    Atomics.store(this.ctl, CLOSED, 1);
    Atomics.notify(this.ctl, WRITE);
    Atomics.notify(this.ctl, READ);
  }

  /**
   * Waits until ctl[index] is no longer `seen` (or the ring closes). Lost wake-ups cannot happen:
   * the flag is raised before the counter is re-read, and the other side publishes its counter
   * before it reads the flag (all seq-cst), so either we see the new counter or it sees the flag.
   */
  protected async waitWhile(index: number, seen: number, flag: number, timeoutMs: number): Promise<void> {
    Atomics.store(this.ctl, flag, 1);
    try {
      if (Atomics.load(this.ctl, index) === seen && !this.closed) await waitForChange(this.ctl, index, seen, timeoutMs);
    } finally {
      Atomics.store(this.ctl, flag, 0);
    }
  }

  protected checkOpen(): void {
    if (this.closed) throw new RingClosedError("thread transport: channel closed");
  }
}

/** The producing end. Callers serialize their use of it (one frame at a time). */
export class RingWriter extends RingEnd {
  /** Byte counter of what this writer copied in; `published` is what the reader may see. */
  private written = 0;
  private published = 0;

  /**
   * Copies all of `src` into the ring, waiting (asynchronously) while it is full.
   * Progress is published when the ring fills, every `pieceBytes`, and on flush().
   */
  async write(src: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < src.length) {
      this.checkOpen();
      const read = Atomics.load(this.ctl, READ);
      const used = (this.written - read) >>> 0;
      const free = this.capacity - used;
      if (free === 0) {
        this.flush();
        this.stats.waits++;
        await this.waitWhile(READ, read, WRITER_WAITING, NO_TIMEOUT);
        continue;
      }
      const n = Math.min(free, src.length - offset, this.pieceBytes);
      const at = this.written & this.mask;
      const first = Math.min(n, this.capacity - at);
      this.data.set(src.subarray(offset, offset + first), at);
      if (first < n) this.data.set(src.subarray(offset + first, offset + n), 0);
      this.written = (this.written + n) | 0;
      offset += n;
      this.stats.bytes += n;
      if (((this.written - this.published) >>> 0) >= this.pieceBytes) this.flush();
    }
  }

  /** Publishes everything written so far and wakes the reader. */
  flush(): void {
    if (this.published === this.written) return;
    this.published = this.written;
    Atomics.store(this.ctl, WRITE, this.written);
    if (Atomics.load(this.ctl, READER_WAITING) !== 0) Atomics.notify(this.ctl, WRITE);
  }

  /** Bytes the reader has not consumed yet, as this writer sees it. */
  get pendingBytes(): number {
    return (this.written - Atomics.load(this.ctl, READ)) >>> 0;
  }

  /** Bytes that fit now without waiting. */
  get freeBytes(): number {
    return this.capacity - this.pendingBytes;
  }

  /** Byte counter of what was written so far; modulo 8 it is the ring offset modulo 8. */
  get position(): number {
    return this.written;
  }

  /**
   * Copies all of `src` in now, without publishing it; the caller checked `freeBytes` first.
   * No promise, no wait: a small frame goes in with a few synchronous copies and one flush().
   */
  writeNow(src: Uint8Array): void {
    this.checkOpen();
    const n = src.length;
    if (n > this.freeBytes) throw new RangeError(`ring: writeNow of ${n} bytes with ${this.freeBytes} free`);
    const at = this.written & this.mask;
    const first = Math.min(n, this.capacity - at);
    this.data.set(first === n ? src : src.subarray(0, first), at);
    if (first < n) this.data.set(src.subarray(first), 0);
    this.written = (this.written + n) | 0;
    this.stats.bytes += n;
  }
}

/** The consuming end. One reader loop per ring. */
export class RingReader extends RingEnd {
  private consumed = 0;

  /** Bytes ready to read now. */
  available(): number {
    return (Atomics.load(this.ctl, WRITE) - this.consumed) >>> 0;
  }

  /** Byte counter of what was consumed so far; modulo 8 it is the ring offset modulo 8. */
  get position(): number {
    return this.consumed;
  }

  /** Waits until data is available or the ring closes (or `timeoutMs`); true when data is there. */
  async waitForData(timeoutMs = NO_TIMEOUT): Promise<boolean> {
    this.checkOpen();
    const write = Atomics.load(this.ctl, WRITE);
    if (write !== this.consumed) return true;
    this.stats.waits++;
    await this.waitWhile(WRITE, write, READER_WAITING, timeoutMs);
    this.checkOpen();
    return Atomics.load(this.ctl, WRITE) !== this.consumed;
  }

  /**
   * Fills all of `dst` now if the ring holds that much already (true), else reads nothing (false).
   * Up to `pieceBytes` only: a bigger read goes piece by piece so that the writer refills behind it.
   */
  readNow(dst: Uint8Array): boolean {
    const n = dst.length;
    if (n > this.pieceBytes || this.available() < n) return false;
    if (n === 0) return true;
    const at = this.consumed & this.mask;
    const first = Math.min(n, this.capacity - at);
    dst.set(this.data.subarray(at, at + first));
    if (first < n) dst.set(this.data.subarray(0, n - first), first);
    this.advance(n);
    return true;
  }

  /** Fills all of `dst` from the ring (copy once), waiting for the writer as needed. */
  async readInto(dst: Uint8Array): Promise<void> {
    if (this.readNow(dst)) return;
    let offset = 0;
    while (offset < dst.length) {
      const avail = this.available();
      if (avail === 0) {
        await this.waitForData();
        continue;
      }
      const n = Math.min(avail, dst.length - offset, this.pieceBytes);
      const at = this.consumed & this.mask;
      const first = Math.min(n, this.capacity - at);
      dst.set(this.data.subarray(at, at + first), offset);
      if (first < n) dst.set(this.data.subarray(0, n - first), offset + first);
      offset += n;
      this.advance(n);
    }
  }

  /** Discards `n` bytes (a reply nobody waits for any more). */
  async skip(n: number): Promise<void> {
    let left = n;
    while (left > 0) {
      const avail = this.available();
      if (avail === 0) {
        await this.waitForData();
        continue;
      }
      const k = Math.min(avail, left);
      this.advance(k);
      left -= k;
    }
  }

  /**
   * A view of the next `n` bytes in place when they are already there and contiguous, else
   * undefined. The view is valid until consume(n).
   */
  peek(n: number): Uint8Array | undefined {
    if (this.available() < n) return undefined;
    const at = this.consumed & this.mask;
    if (at + n > this.capacity) return undefined;
    return this.data.subarray(at, at + n);
  }

  consume(n: number): void {
    if (n > 0) this.advance(n);
  }

  private advance(n: number): void {
    this.consumed = (this.consumed + n) | 0;
    this.stats.bytes += n;
    Atomics.store(this.ctl, READ, this.consumed);
    if (Atomics.load(this.ctl, WRITER_WAITING) !== 0) Atomics.notify(this.ctl, READ);
  }
}
