/**
 * The SPSC ring, both ends in this thread (Atomics.waitAsync wakes a waiter of the same thread).
 * Model: the reader's byte stream equals the concatenation of the writer's chunks, in order, for
 * any chunk sizes and any ring capacity; the fill level never exceeds the capacity.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { RingClosedError, RingReader, RingWriter, allocateRing } from "../../../../src/transport/thread/ring.js";

function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed * 7) & 0xff;
  return out;
}

describe("ring", () => {
  test("rejects capacities that are not powers of two", () => {
    expect(() => allocateRing(1000)).toThrow(RangeError);
    expect(() => allocateRing(32)).toThrow(RangeError);
    expect(allocateRing(1024).byteLength).toBeGreaterThan(1024);
  });

  test("streams any chunking without loss, duplication or reordering", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(64, 128, 1024),
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 2500 }), { minLength: 1, maxLength: 8 }),
        async (capacity, writeSizes, readSizes) => {
          const sab = allocateRing(capacity);
          const writer = new RingWriter(sab);
          const reader = new RingReader(sab);
          const chunks = writeSizes.map((n, i) => pattern(n, i));
          const total = writeSizes.reduce((a, b) => a + b, 0);
          const expected = new Uint8Array(total);
          let at = 0;
          for (const c of chunks) {
            expected.set(c, at);
            at += c.length;
          }
          let maxFill = 0;
          const writing = (async () => {
            for (const c of chunks) {
              await writer.write(c);
              maxFill = Math.max(maxFill, writer.pendingBytes);
            }
            writer.flush();
          })();
          const got = new Uint8Array(total);
          let off = 0;
          for (let i = 0; off < total; i++) {
            const n = Math.min(readSizes[i % readSizes.length]!, total - off);
            await reader.readInto(got.subarray(off, off + n));
            off += n;
          }
          await writing;
          expect(Buffer.compare(got, expected)).toBe(0);
          expect(maxFill).toBeLessThanOrEqual(capacity);
        },
      ),
      { numRuns: 60 },
    );
  });

  test("a full ring makes the writer wait until the reader drains it", async () => {
    const sab = allocateRing(1024);
    const writer = new RingWriter(sab);
    const reader = new RingReader(sab);
    let done = false;
    const writing = writer.write(pattern(10 * 1024, 1)).then(() => {
      writer.flush();
      done = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    expect(writer.pendingBytes).toBe(1024);
    expect(writer.stats.waits).toBeGreaterThan(0);
    const got = new Uint8Array(10 * 1024);
    await reader.readInto(got);
    await writing;
    expect(done).toBe(true);
    expect(Buffer.compare(got, pattern(10 * 1024, 1))).toBe(0);
  });

  test("closing wakes a waiting reader and a waiting writer at once", async () => {
    const full = new RingWriter(allocateRing(64));
    const empty = new RingReader(allocateRing(64));
    const reading = empty.readInto(new Uint8Array(10));
    const writing = full.write(new Uint8Array(200));
    const t0 = performance.now();
    setTimeout(() => {
      new RingReader(full.buffer).close();
      new RingWriter(empty.buffer).close();
    }, 20);
    await expect(writing).rejects.toBeInstanceOf(RingClosedError);
    await expect(reading).rejects.toBeInstanceOf(RingClosedError);
    expect(performance.now() - t0).toBeLessThan(200);
  });

  test("peek gives an in-place view only when the bytes are contiguous", async () => {
    const sab = allocateRing(64);
    const writer = new RingWriter(sab);
    const reader = new RingReader(sab);
    await writer.write(pattern(40, 2));
    writer.flush();
    expect(reader.peek(41)).toBeUndefined();
    expect(reader.peek(40)?.[1]).toBe(pattern(40, 2)[1]);
    reader.consume(40);
    await writer.write(pattern(40, 3)); // wraps around the end
    writer.flush();
    expect(reader.peek(40)).toBeUndefined();
    const got = new Uint8Array(40);
    await reader.readInto(got);
    expect(Buffer.compare(got, pattern(40, 3))).toBe(0);
  });
});
