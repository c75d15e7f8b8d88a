/**
 * Each file reader's keys and values (tf-input-pipeline.md §1.4, §2; TF's reader_ops_test.py):
 * WholeFileReader, TextLineReader, FixedLengthRecordReader (raw, ZLIB, GZIP) and TFRecordReader
 * (raw, ZLIB, GZIP), with empty and missing files and corrupted records.
 */
import { gzipSync, deflateSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DataLossError, InvalidArgumentError, NotFoundError, OutOfRangeError } from "../../../../src/errors/index.js";
import { encodeRecord } from "../../../../src/engine/io/tfrecord-format.js";
import { FixedLengthRecordReader, TextLineReader, TFRecordReader, WholeFileReader } from "../../../../src/graph/ops/io.js";
import type { FixedLengthRecordReaderOptions } from "../../../../src/graph/ops/io.js";
import { errorOf, tempDir } from "./io-harness.js";
import { ReaderPipeline } from "./reader-pipeline.js";

const enc = new TextEncoder();
let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

describe("WholeFileReader", () => {
  it("one record per file: the name as dequeued and the contents; then OutOfRange", async () => {
    const contents = ["One\na\nb\n", "Two\nC\nD", "Three x, y, z"];
    const files = contents.map((c, i) => tmp.write(`whole_file.${i}.txt`, c));
    const p = new ReaderPipeline(() => new WholeFileReader());
    await p.enqueue(...files);
    await p.close();
    expect(await p.readAll()).toEqual(files.map((f, i) => [f, contents[i]]));
  });

  it("an infinite producer cycles 0, 1, 2, 0, 1; an empty file is one empty record", async () => {
    const files = ["a", "b", ""].map((c, i) => tmp.write(`f${i}`, c));
    const p = new ReaderPipeline(() => new WholeFileReader());
    await p.enqueue(...files, ...files);
    const got = [];
    for (let i = 0; i < 5; i++) got.push(await p.read());
    expect(got.map(([k]) => k)).toEqual([files[0], files[1], files[2], files[0], files[1]]);
    expect(got[2]![1]).toBe("");
  });

  it("a missing file fails the read with NotFound, and stays current (it is opened while reading, as in TF)", async () => {
    const missing = tmp.path("missing");
    const p = new ReaderPipeline(() => new WholeFileReader());
    await p.enqueue(missing, tmp.write("ok", "fine"));
    const err = await errorOf(p.read());
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.message).toBe(`${missing}; No such file or directory`);
    await expect(p.read()).rejects.toBeInstanceOf(NotFoundError);
    await p.reset();
    expect(await p.read()).toEqual([tmp.path("ok"), "fine"]);
  });
});

describe("TextLineReader", () => {
  function lineFiles(crlf = false): string[] {
    return [0, 1].map((i) => {
      const lines = Array.from({ length: 5 }, (_, j) => `${i}: ${j}`);
      // The second file lacks its final newline (testOneEpochCRLF).
      const eol = crlf ? "\r\n" : "\n";
      return tmp.write(`text_line.${i}.txt`, lines.join(eol) + (i === 0 ? eol : ""));
    });
  }

  for (const crlf of [false, true]) {
    it(`keys file:1..5 per file, values without line ends${crlf ? " (CRLF)" : ""}`, async () => {
      const files = lineFiles(crlf);
      const p = new ReaderPipeline(() => new TextLineReader());
      await p.enqueue(...files);
      await p.close();
      const expected = files.flatMap((f, i) => Array.from({ length: 5 }, (_, j) => [`${f}:${j + 1}`, `${i}: ${j}`]));
      expect(await p.readAll()).toEqual(expected);
    });
  }

  it("skipHeaderLines: 1 skips the first line of every file; keys count it", async () => {
    const files = lineFiles();
    const p = new ReaderPipeline(() => new TextLineReader({ skipHeaderLines: 1 }));
    await p.enqueue(...files);
    await p.close();
    const expected = files.flatMap((f, i) => Array.from({ length: 4 }, (_, j) => [`${f}:${j + 2}`, `${i}: ${j + 1}`]));
    expect(await p.readAll()).toEqual(expected);
    expect(await p.completed()).toBe(2);
  });

  it("empty files, and files shorter than the header, are skipped within one read", async () => {
    const empty = tmp.write("empty.txt", "");
    const short = tmp.write("short.txt", "header only\n");
    const data = tmp.write("a.csv", "x1, x2, target\n1.,2.,0\n4.,5,1\n7.,,0\n");
    const p = new ReaderPipeline(() => new TextLineReader({ skipHeaderLines: 1 }));
    await p.enqueue(empty, short, empty, data);
    await p.close();
    expect(await p.read()).toEqual([`${data}:2`, "1.,2.,0"]);
    expect(await p.completed()).toBe(3);
    expect((await p.readAll()).map(([k]) => k)).toEqual([`${data}:3`, `${data}:4`]);
  });

  it("interior blank lines are records; one trailing CR is dropped, an inner one kept", async () => {
    const f = tmp.write("blank.txt", "line one\n\n\nline two\r\nmid\rdle\n");
    const p = new ReaderPipeline(() => new TextLineReader());
    await p.enqueue(f);
    await p.close();
    expect((await p.readAll()).map(([, v]) => v)).toEqual(["line one", "", "", "line two", "mid\rdle"]);
  });

  it("a missing file fails with NotFound and the next read moves on", async () => {
    const missing = tmp.path("nope.txt");
    const good = tmp.write("good.txt", "hello\n");
    const p = new ReaderPipeline(() => new TextLineReader());
    await p.enqueue(missing, good);
    await p.close();
    const err = await errorOf(p.read());
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.message).toBe(`${missing}; No such file or directory`);
    expect(await p.read()).toEqual([`${good}:1`, "hello"]);
    await expect(p.read()).rejects.toBeInstanceOf(OutOfRangeError);
  });

  it("readUpTo stays within one file: short batches at a file's end", async () => {
    const a = tmp.write("a.txt", "1\n2\n3\n4\n5\n");
    const b = tmp.write("b.txt", "6\n7\n");
    const p = new ReaderPipeline(() => new TextLineReader());
    await p.enqueue(a, tmp.write("e.txt", ""), b);
    await p.close();
    const batches = [];
    for (let i = 0; i < 3; i++) batches.push((await p.readUpTo(3))[1]);
    expect(batches).toEqual([["1", "2", "3"], ["4", "5"], ["6", "7"]]);
    await expect(p.readUpTo(3)).rejects.toBeInstanceOf(OutOfRangeError);
  });

  it("skipHeaderLines < 0 fails the reader op", async () => {
    const p = new ReaderPipeline(() => new TextLineReader({ skipHeaderLines: -1 }));
    const err = await errorOf(p.produced());
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.message).toBe("skip_header_lines must be >= 0 not -1");
    expect((err as InvalidArgumentError).nodeName).toBe("TextLineReaderV2");
  });
});

describe("FixedLengthRecordReader", () => {
  const HEADER = 5;
  const RECORD = 3;
  const FOOTER = 2;

  function records(file: number, n = 7): string[] {
    return Array.from({ length: n }, (_, r) => String(file * 2 + r).repeat(RECORD).slice(0, RECORD));
  }

  function body(file: number, gap = ""): string {
    return "H".repeat(HEADER) + records(file).join(gap) + "F".repeat(FOOTER);
  }

  const encodings = [
    ["", (s: string) => enc.encode(s)],
    ["ZLIB", (s: string) => deflateSync(s)],
    ["GZIP", (s: string) => gzipSync(s)],
  ] as const;

  for (const [encoding, compress] of encodings) {
    it(`testOneEpoch: keys file:0..6, the records between header and footer (encoding "${encoding}")`, async () => {
      const files = [0, 1].map((i) => tmp.write(`fixed.${i}`, compress(body(i))));
      const p = new ReaderPipeline(() => new FixedLengthRecordReader({ headerBytes: HEADER, recordBytes: RECORD, footerBytes: FOOTER, encoding }));
      await p.enqueue(...files);
      await p.close();
      const expected = files.flatMap((f, i) => records(i).map((r, j) => [`${f}:${j}`, r]));
      expect(await p.readAll()).toEqual(expected);
    });

    it(`gaps: hopBytes = recordBytes + 1 with one byte between records (encoding "${encoding}")`, async () => {
      const files = [0, 1].map((i) => tmp.write(`gap.${i}`, compress(body(i, "G"))));
      const p = new ReaderPipeline(() => new FixedLengthRecordReader({ headerBytes: HEADER, recordBytes: RECORD, footerBytes: FOOTER, hopBytes: RECORD + 1, encoding }));
      await p.enqueue(...files);
      await p.close();
      expect((await p.readAll()).map(([, v]) => v)).toEqual([...records(0), ...records(1)]);
    });

    it(`overlap: header 5, record 3, hop 2, footer 2 over "01234" gives "012", "234" (encoding "${encoding}")`, async () => {
      const f = tmp.write("overlap", compress("HHHHH01234FF"));
      const p = new ReaderPipeline(() => new FixedLengthRecordReader({ headerBytes: 5, recordBytes: 3, footerBytes: 2, hopBytes: 2, encoding }));
      await p.enqueue(f);
      await p.close();
      expect(await p.readAll()).toEqual([
        [`${f}:0`, "012"],
        [`${f}:1`, "234"],
      ]);
    });
  }

  it("drops a trailing partial record silently; header+footer only yields nothing", async () => {
    const partial = tmp.write("partial", "HHHHHaaabbbccFF");
    const empty = tmp.write("hf", "HHHHHFF");
    const p = new ReaderPipeline(() => new FixedLengthRecordReader({ headerBytes: HEADER, recordBytes: RECORD, footerBytes: FOOTER }));
    await p.enqueue(empty, partial);
    await p.close();
    expect((await p.readAll()).map(([, v]) => v)).toEqual(["aaa", "bbb"]);
  });

  it("a file shorter than its header fails the read with OutOfRange; the next read moves on", async () => {
    const short = tmp.write("short", "HH");
    const good = tmp.write("good", "HHHHHabcFF");
    const p = new ReaderPipeline(() => new FixedLengthRecordReader({ headerBytes: HEADER, recordBytes: RECORD, footerBytes: FOOTER }));
    await p.enqueue(short, good);
    const err = await errorOf(p.read());
    expect(err).toBeInstanceOf(OutOfRangeError);
    expect(err.message).toBe("reached end of file");
    expect(await p.read()).toEqual([`${good}:0`, "abc"]);
  });

  it("a missing file fails the read with NotFound and the next read moves on", async () => {
    const missing = tmp.path("missing.bin");
    const good = tmp.write("good.bin", "HHHHHxyzFF");
    const p = new ReaderPipeline(() => new FixedLengthRecordReader({ headerBytes: HEADER, recordBytes: RECORD, footerBytes: FOOTER }));
    await p.enqueue(missing, good);
    await expect(p.read()).rejects.toBeInstanceOf(NotFoundError);
    expect(await p.read()).toEqual([`${good}:0`, "xyz"]);
  });

  it.each(["headerBytes", "recordBytes", "footerBytes", "hopBytes"] as const)("%s < 0 fails the reader op", async (field) => {
    const options: FixedLengthRecordReaderOptions = { recordBytes: 3, [field]: -1 };
    const p = new ReaderPipeline(() => new FixedLengthRecordReader(options));
    const attr = field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    await expect(p.produced()).rejects.toThrow(`${attr} must be >= 0 not -1`);
  });
});

describe("TFRecordReader", () => {
  function recordFile(i: number, compress: (b: Uint8Array) => Uint8Array = (b) => b): { path: string; offsets: number[] } {
    const recs = Array.from({ length: 7 }, (_, j) => encodeRecord(enc.encode(`Record ${j} of file ${i}`)));
    const offsets = recs.map((_, j) => recs.slice(0, j).reduce((n, r) => n + r.length, 0));
    return { path: tmp.write(`tfrecord.${i}`, compress(Buffer.concat(recs))), offsets };
  }

  const kinds = [
    ["", undefined],
    ["ZLIB", (b: Uint8Array) => deflateSync(b)],
    ["GZIP", (b: Uint8Array) => gzipSync(b)],
  ] as const;

  for (const [compressionType, compress] of kinds) {
    it(`keys "<file>:<offset>", values in order, then OutOfRange (compression "${compressionType}")`, async () => {
      const files = [0, 1].map((i) => recordFile(i, compress));
      const p = new ReaderPipeline(() => new TFRecordReader({ compressionType }));
      await p.enqueue(...files.map((f) => f.path));
      await p.close();
      const expected = files.flatMap((f, i) => f.offsets.map((o, j) => [`${f.path}:${o}`, `Record ${j} of file ${i}`]));
      expect(await p.readAll()).toEqual(expected);
    });
  }

  it('records "abc" then "de" have keys f:0 and f:19', async () => {
    const f = tmp.write("f", Buffer.concat([encodeRecord(enc.encode("abc")), encodeRecord(enc.encode("de"))]));
    const p = new ReaderPipeline(() => new TFRecordReader());
    await p.enqueue(f);
    await p.close();
    expect((await p.readAll()).map(([k]) => k)).toEqual([`${f}:0`, `${f}:19`]);
  });

  it("testReadUpTo: batches of at most 3 never cross files, 14 in all, then OutOfRange", async () => {
    const files = [0, 1].map((i) => recordFile(i));
    const p = new ReaderPipeline(() => new TFRecordReader());
    await p.enqueue(...files.map((f) => f.path));
    await p.close();
    const sizes: number[] = [];
    for (;;) {
      const r = await p.readUpTo(3).catch((e: Error) => e);
      if (r instanceof Error) {
        expect(r).toBeInstanceOf(OutOfRangeError);
        break;
      }
      sizes.push(r[0].length);
      expect(new Set(r[0].map((k) => k.slice(0, k.lastIndexOf(":")))).size).toBe(1);
    }
    expect(sizes).toEqual([3, 3, 1, 3, 3, 1]);
    expect(await p.produced()).toBe(14);
    expect(await p.completed()).toBe(2);
  });

  it("a corrupted record fails with DataLoss and keeps the file current; reset moves past it", async () => {
    const good = encodeRecord(enc.encode("good"));
    const bad = encodeRecord(enc.encode("bad"));
    bad[14] = bad[14]! ^ 1;
    const f = tmp.write("corrupt", Buffer.concat([good, bad]));
    const next = recordFile(1);
    const p = new ReaderPipeline(() => new TFRecordReader());
    await p.enqueue(f, next.path);
    expect(await p.read()).toEqual([`${f}:0`, "good"]);
    for (let i = 0; i < 2; i++) {
      const err = await errorOf(p.read());
      expect(err).toBeInstanceOf(DataLossError);
      expect(err.message).toBe(`corrupted record at ${good.length + 12}`);
    }
    await p.reset();
    expect((await p.read())[0]).toBe(`${next.path}:0`);
  });

  it("a missing file fails the read with NotFound and the next read moves on", async () => {
    const missing = tmp.path("missing.tfrecord");
    const next = recordFile(0);
    const p = new ReaderPipeline(() => new TFRecordReader());
    await p.enqueue(missing, next.path);
    const err = await errorOf(p.read());
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.message).toBe(`${missing}; No such file or directory`);
    expect(await p.read()).toEqual([`${next.path}:0`, "Record 0 of file 0"]);
  });

  it("an unknown compression type is rejected when the graph is built", () => {
    expect(() => new TFRecordReader({ compressionType: "ZSTD" as "GZIP" })).toThrow('Not a valid compression_type: "ZSTD"');
  });
});
