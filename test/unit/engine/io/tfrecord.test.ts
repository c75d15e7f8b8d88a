/**
 * The TFRecord format (tf-input-pipeline.md §3): CRC-32C test vectors and TF's mask, the byte
 * layout of known records, round trips through tf.io's writer and iterator (none, ZLIB, GZIP),
 * compatibility with files compressed as a whole by other tools, and TF's DataLoss texts.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { deflateSync, gzipSync, gunzipSync, inflateSync, constants as zc } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DataLossError, FailedPreconditionError, NotFoundError } from "../../../../src/errors/index.js";
import { CRC_MASK_DELTA, crc32c, maskCrc, maskedCrc32c, unmaskCrc } from "../../../../src/engine/io/crc32c.js";
import { encodeRecord } from "../../../../src/engine/io/tfrecord-format.js";
import { TFRecordWriter, tfRecordIterator } from "../../../../src/io/index.js";
import { errorOf, tempDir } from "./io-harness.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

async function readAll(path: string, compressionType?: "" | "ZLIB" | "GZIP"): Promise<string[]> {
  const out: string[] = [];
  for await (const r of tfRecordIterator(path, compressionType === undefined ? {} : { compressionType })) out.push(dec.decode(r));
  return out;
}

function concatRecords(records: string[]): Uint8Array {
  return Buffer.concat(records.map((r) => encodeRecord(enc.encode(r))));
}

describe("CRC-32C and the mask", () => {
  it("matches crc32c_test.cc's vectors (RFC 3720 B.4) and the standard check value", () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
    expect(crc32c(enc.encode("123456789"))).toBe(0xe3069283);
  });

  it("masks as TF does: rotate right 15, add 0xa282ead8; unmask inverts it", () => {
    expect(maskCrc(0)).toBe(CRC_MASK_DELTA);
    expect(maskCrc(0x576c35e3)).toBe(0x0e4999b0);
    expect(maskCrc(0x364b3fb7)).toBe(0x21f1576e);
    for (const crc of [0, 1, 0xffffffff, 0x80000000, 0x12345678, 0xe3069283]) {
      expect(unmaskCrc(maskCrc(crc))).toBe(crc);
      expect(maskCrc(crc)).not.toBe(crc);
    }
    expect(maskedCrc32c(enc.encode("abc"))).toBe(0x21f1576e);
  });
});

describe("record layout", () => {
  it("encodes the worked vectors of the reference", () => {
    expect(hex(encodeRecord(enc.encode("abc")))).toBe("0300000000000000" + "b099490e" + "616263" + "6e57f121");
    expect(hex(encodeRecord(new Uint8Array(0)))).toBe("0000000000000000" + "29039807" + "d8ea82a2");
    expect(hex(encodeRecord(enc.encode("foo")))).toBe("0300000000000000" + "b099490e" + "666f6f" + "618abefe");
  });
});

describe("TFRecordWriter and tfRecordIterator", () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  for (const compressionType of ["", "ZLIB", "GZIP"] as const) {
    it(`round-trips records, the empty one included (compression "${compressionType}")`, async () => {
      const path = tmp.path(`rt-${compressionType || "none"}.tfrecord`);
      const w = await TFRecordWriter.open(path, { compressionType });
      for (const r of ["foo", "bar", "", "xxxx"]) await w.write(r);
      await w.write(new Uint8Array(100_000).fill(7));
      await w.close();
      const got = [];
      for await (const r of tfRecordIterator(path, { compressionType })) got.push(r);
      expect(got.map((r) => r.length)).toEqual([3, 3, 0, 4, 100_000]);
      expect(dec.decode(got[1])).toBe("bar");
      expect(got[4]!.every((b) => b === 7)).toBe(true);
    });
  }

  it("writes exactly the concatenated records when uncompressed, and whole-stream zlib/gzip when asked", async () => {
    const records = ["Record 0 of file 0", "Record 1 of file 0"];
    const plain = concatRecords(records);
    const raw = tmp.path("raw");
    const z = tmp.path("z");
    const gz = tmp.path("gz");
    for (const [p, c] of [[raw, ""], [z, "ZLIB"], [gz, "GZIP"]] as const) {
      const w = await TFRecordWriter.open(p, { compressionType: c });
      for (const r of records) await w.write(r);
      await w.close();
    }
    expect(hex(readFileSync(raw))).toBe(hex(plain));
    expect(hex(inflateSync(readFileSync(z)))).toBe(hex(plain));
    expect(hex(gunzipSync(readFileSync(gz)))).toBe(hex(plain));
  });

  it("reads files that other tools compressed as a whole (testZlibReadWrite, testGzipReadWrite, testZLibFlushRecord)", async () => {
    const records = Array.from({ length: 5 }, (_, i) => `Record ${i}`);
    const plain = concatRecords(records);
    writeFileSync(tmp.path("a.z"), deflateSync(plain));
    writeFileSync(tmp.path("a.gz"), gzipSync(plain));
    // Many Z_FULL_FLUSH blocks: compress one byte at a time with a full flush after each.
    const chunks: Buffer[] = [];
    const { createDeflate } = await import("node:zlib");
    const d = createDeflate();
    d.on("data", (c: Buffer) => chunks.push(c));
    for (const b of plain) {
      d.write(Buffer.of(b));
      await new Promise<void>((r) => d.flush(zc.Z_FULL_FLUSH, () => r()));
    }
    await new Promise<void>((r) => d.end(() => r()));
    writeFileSync(tmp.path("flushed.z"), Buffer.concat(chunks));
    expect(await readAll(tmp.path("a.z"), "ZLIB")).toEqual(records);
    expect(await readAll(tmp.path("a.gz"), "GZIP")).toEqual(records);
    expect(await readAll(tmp.path("flushed.z"), "ZLIB")).toEqual(records);
  });

  it("an empty file is a valid file with no records", async () => {
    expect(await readAll(tmp.write("empty", ""))).toEqual([]);
  });

  it("after close, write and flush fail with FailedPreconditionError; a second close is fine", async () => {
    const w = await TFRecordWriter.open(tmp.path("closed"));
    await w.write("x");
    await w.flush();
    await w.close();
    await w.close();
    const err = await errorOf(w.write("y"));
    expect(err).toBeInstanceOf(FailedPreconditionError);
    expect(err.message).toBe("Writer not initialized or previously closed");
    await expect(w.flush()).rejects.toBeInstanceOf(FailedPreconditionError);
    expect(await readAll(tmp.path("closed"))).toEqual(["x"]);
  });

  it("flush makes the records so far readable before close, compressed too", async () => {
    const w = await TFRecordWriter.open(tmp.path("flush.gz"), { compressionType: "GZIP" });
    await w.write("one");
    await w.flush();
    const partial = readFileSync(tmp.path("flush.gz"));
    expect(partial.length).toBeGreaterThan(10);
    await w.close();
    expect(await readAll(tmp.path("flush.gz"), "GZIP")).toEqual(["one"]);
  });

  it("missing directory or file: NotFoundError '<path>; No such file or directory'", async () => {
    const missing = tmp.path("no/such/dir/f.tfrecord");
    const openErr = await errorOf(TFRecordWriter.open(missing));
    expect(openErr).toBeInstanceOf(NotFoundError);
    expect(openErr.message).toBe(`${missing}; No such file or directory`);
    const readErr = await errorOf(readAll(tmp.path("nope")));
    expect(readErr).toBeInstanceOf(NotFoundError);
    expect(readErr.message).toBe(`${tmp.path("nope")}; No such file or directory`);
  });

  it("rejects an unknown compression type like TFRecordOptions", async () => {
    await expect(TFRecordWriter.open(tmp.path("x"), { compressionType: "LZ4" as "ZLIB" })).rejects.toThrow('Not a valid compression_type: "LZ4"');
  });
});

describe("corruption and truncation (record_reader.cc, recordio_test.cc)", () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  function corrupted(bytes: Uint8Array, index: number): string {
    const copy = Uint8Array.from(bytes);
    copy[index] = copy[index]! ^ 0x01;
    return tmp.write(`c${index}`, copy);
  }

  it.each([
    [6, "corrupted record at 0"],
    [10, "corrupted record at 0"],
    [14, "corrupted record at 12"],
    [18, "corrupted record at 12"],
  ])("flipping byte %i of a 'foo' record gives DataLoss '%s'", async (index, message) => {
    const err = await errorOf(readAll(corrupted(encodeRecord(enc.encode("foo")), index)));
    expect(err).toBeInstanceOf(DataLossError);
    expect(err.message).toBe(message);
  });

  it("reports the offset of the failing record, after the good ones", async () => {
    const file = concatRecords(["abc", "de"]);
    const path = corrupted(file, 19 + 13);
    const got: string[] = [];
    const err = await errorOf(
      (async () => {
        for await (const r of tfRecordIterator(path)) got.push(dec.decode(r));
      })(),
    );
    expect(got).toEqual(["abc"]);
    expect(err.message).toBe("corrupted record at 31");
  });

  it("a complete header with short data is 'truncated record at <start>'; a short header is a clean end", async () => {
    const one = encodeRecord(enc.encode("hello world"));
    const err = await errorOf(readAll(tmp.write("t14", one.subarray(0, 14))));
    expect(err).toBeInstanceOf(DataLossError);
    expect(err.message).toBe("truncated record at 0");
    expect(await readAll(tmp.write("t10", one.subarray(0, 10)))).toEqual([]);
    const two = Buffer.concat([encodeRecord(enc.encode("a")), one.subarray(0, one.length - 1)]);
    const err2 = await errorOf(readAll(tmp.write("t2", two)));
    expect(err2.message).toBe("truncated record at 17");
  });

  it("a corrupted zlib stream is DataLoss from inflate()", async () => {
    const err = await errorOf(readAll(tmp.write("bad.z", "this is not zlib data at all"), "ZLIB"));
    expect(err).toBeInstanceOf(DataLossError);
    expect(err.message).toMatch(/^inflate\(\) failed with error -?\d+: /);
  });
});
