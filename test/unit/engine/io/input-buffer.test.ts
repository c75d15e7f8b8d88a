/**
 * InputBuffer::ReadLine's rules (inputbuffer_test.cc, tf-input-pipeline.md §2.3) and the byte reads
 * the fixed-length and TFRecord readers use, over every buffer size from 1 byte up, so chunk
 * boundaries fall everywhere.
 */
import { describe, expect, it } from "vitest";
import { OutOfRangeError } from "../../../../src/errors/index.js";
import type { ByteSource } from "../../../../src/engine/io/byte-source.js";
import { InputBuffer } from "../../../../src/engine/io/input-buffer.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A ByteSource over bytes in memory. */
function memorySource(text: string | Uint8Array): ByteSource & { closed: boolean } {
  const bytes = typeof text === "string" ? enc.encode(text) : text;
  let at = 0;
  return {
    closed: false,
    read(maxBytes) {
      const out = bytes.slice(at, at + maxBytes);
      at += out.length;
      return Promise.resolve(out);
    },
    close() {
      this.closed = true;
      return Promise.resolve();
    },
  };
}

async function lines(text: string, bufferBytes: number): Promise<string[]> {
  const input = new InputBuffer(memorySource(text), bufferBytes);
  const out: string[] = [];
  for (let line = await input.readLine(); line !== null; line = await input.readLine()) out.push(dec.decode(line));
  return out;
}

const BUFFER_SIZES = [1, 2, 3, 5, 7, 64, 256 * 1024];

describe("InputBuffer.readLine", () => {
  const cases: [string, string[]][] = [
    ["a\nb", ["a", "b"]],
    ["a\nb\n", ["a", "b"]],
    ["line one\n\n\nline two\nline three", ["line one", "", "", "line two", "line three"]],
    ["line one\r\n\r\n\r\nline two\r\nline three\r\n", ["line one", "", "", "line two", "line three"]],
    ["a\r\rb\r\n", ["a\r\rb"]],
    ["mid\rdle\n", ["mid\rdle"]],
    ["a\n\r", ["a"]],
    ["last\r", ["last"]],
    ["", []],
    ["\n", [""]],
    ["\n\n", ["", ""]],
  ];
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text)} → ${JSON.stringify(expected)}`, async () => {
      for (const size of BUFFER_SIZES) expect(await lines(text, size)).toEqual(expected);
    });
  }

  it("counts consumed bytes and closes its source", async () => {
    const source = memorySource("ab\ncd\n");
    const input = new InputBuffer(source, 2);
    await input.readLine();
    expect(input.position).toBe(3);
    await input.close();
    expect(source.closed).toBe(true);
  });
});

describe("InputBuffer byte reads", () => {
  it("readBytes returns short only at the end; skipBytes reports what it skipped", async () => {
    for (const size of BUFFER_SIZES) {
      const input = new InputBuffer(memorySource("0123456789"), size);
      expect(dec.decode(await input.readBytes(3))).toBe("012");
      expect(await input.skipBytes(4)).toBe(4);
      expect(input.position).toBe(7);
      expect(dec.decode(await input.readBytes(5))).toBe("789");
      expect((await input.readBytes(1)).length).toBe(0);
      expect(await input.skipBytes(3)).toBe(0);
    }
  });

  it("skipExactly fails with OutOfRange 'reached end of file' past the end", async () => {
    const input = new InputBuffer(memorySource("abc"), 2);
    await input.skipExactly(3);
    await expect(new InputBuffer(memorySource("abc"), 2).skipExactly(4)).rejects.toBeInstanceOf(OutOfRangeError);
    await expect(new InputBuffer(memorySource("abc"), 2).skipExactly(4)).rejects.toThrow("reached end of file");
  });

  it("values do not alias the read buffer", async () => {
    const input = new InputBuffer(memorySource("abcdef"), 64);
    const a = await input.readBytes(3);
    const b = await input.readBytes(3);
    expect(a.buffer).not.toBe(b.buffer);
  });
});
