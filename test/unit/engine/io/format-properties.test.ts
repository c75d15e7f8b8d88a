/**
 * Properties of the pure format code, each against a small model:
 * - InputBuffer.readLine, whatever the buffer size, equals the model "split on \n, drop the empty
 *   tail after a final \n, strip one trailing \r per line, and drop a last unterminated line that
 *   strips to empty";
 * - TFRecord: records encoded back to back and read through any chunking come back unchanged;
 * - CSV: fields quoted the RFC 4180 way and joined with commas split back into the same fields.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ByteSource } from "../../../../src/engine/io/byte-source.js";
import { extractFields } from "../../../../src/engine/io/csv.js";
import { InputBuffer } from "../../../../src/engine/io/input-buffer.js";
import { RecordReader } from "../../../../src/engine/io/record-reader.js";
import { encodeRecord } from "../../../../src/engine/io/tfrecord-format.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A ByteSource that hands out at most `chunk` bytes per read. */
function chunked(bytes: Uint8Array, chunk: number): ByteSource {
  let at = 0;
  return {
    read: (maxBytes) => {
      const out = bytes.slice(at, at + Math.min(maxBytes, chunk));
      at += out.length;
      return Promise.resolve(out);
    },
    close: () => Promise.resolve(),
  };
}

function modelLines(text: string): string[] {
  const parts = text.split("\n");
  const terminated = parts.pop()!;
  const strip = (s: string) => (s.endsWith("\r") ? s.slice(0, -1) : s);
  const lines = parts.map(strip);
  const tail = strip(terminated);
  if (tail !== "") lines.push(tail);
  return lines;
}

describe("format properties", () => {
  it("readLine matches the line model for any text and buffer size", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom("a", "b", "\n", "\r", "é"), { maxLength: 40 }), fc.integer({ min: 1, max: 9 }), async (chars, size) => {
        const text = chars.join("");
        const input = new InputBuffer(chunked(enc.encode(text), size), size);
        const got: string[] = [];
        for (let line = await input.readLine(); line !== null; line = await input.readLine()) got.push(dec.decode(line));
        expect(got).toEqual(modelLines(text));
      }),
      { numRuns: 300 },
    );
  });

  it("TFRecord records round-trip through any chunking", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 }), fc.integer({ min: 1, max: 32 }), async (records, size) => {
        const file = Buffer.concat(records.map((r) => encodeRecord(r)));
        const reader = new RecordReader(() => Promise.resolve(chunked(file, size)), null, size);
        const got: number[][] = [];
        for (let r = await reader.readRecord(); r !== null; r = await reader.readRecord()) got.push([...r]);
        expect(got).toEqual(records.map((r) => [...r]));
        expect(reader.offset).toBe(file.length);
      }),
      { numRuns: 200 },
    );
  });

  it("quoted CSV fields split back into themselves", () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.constantFrom("a", ",", '"', "\n", "\r", " "), { maxLength: 6 }), { minLength: 1, maxLength: 6 }), (fieldChars) => {
        const fields = fieldChars.map((c) => c.join(""));
        const record = fields.map((f) => `"${f.replaceAll('"', '""')}"`).join(",");
        const got = extractFields(enc.encode(record), { delim: 0x2c, useQuoteDelim: true, selectCols: [] }).map((f) => dec.decode(f));
        expect(got).toEqual(fields);
      }),
      { numRuns: 300 },
    );
  });
});
