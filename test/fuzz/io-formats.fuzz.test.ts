/**
 * Fuzz suite 3: mutated CSV records into decodeCsv, mutated TFRecord files into the reader.
 * Models (TF's rules, reference/tf-io.md): a well-formed CSV record of a float, an int32 and a
 * string column decodes to exactly those values; a well-formed TFRecord file reads back exactly
 * its records, whatever its compression. Any mutation: the values, or a typed OpError
 * (InvalidArgumentError for a bad field, DataLossError for a corrupt record), never a JS error.
 */
import fc from "fast-check";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { Tally, classify, fuzzRuns, fuzzSeed, outcomeOf } from "./fuzz-harness.js";

const edit = fc.oneof(
  fc.record({ at: fc.nat(), del: fc.integer({ min: 0, max: 3 }), ins: fc.constantFrom("", '"', ",", ";", "\n", "\r", "x", "-", ".", "e", "1", "\u00e9", "\0", "nan", "1e999") }),
);

function applyEdits(s: string, edits: { at: number; del: number; ins: string }[]): string {
  let out = s;
  for (const e of edits) {
    const at = out.length === 0 ? 0 : e.at % (out.length + 1);
    out = out.slice(0, at) + e.ins + out.slice(at + e.del);
  }
  return out;
}

describe("fuzz: decodeCsv", () => {
  const tally = new Tally("decode-csv", fuzzSeed());
  const graphs = [",", ";"].map((fieldDelim) => {
    const g = new tf.Graph();
    const t = g.asDefault(() => {
      const records = tf.placeholder("string", [null], { name: "records" });
      return { records, cols: tf.decodeCsv(records, [[0.5], Int32Array.of(-1), [""]], { fieldDelim }) };
    });
    return { g, fieldDelim, ...t, sess: new tf.Session(undefined, { graph: g }) };
  });
  afterAll(async () => {
    tally.report();
    await Promise.all(graphs.map((x) => x.sess.close()));
  });

  it("well-formed records decode to their values; mutated ones decode or fail typed", async () => {
    const row = fc.record({
      f: fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map((v) => Math.fround(v)),
      i: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      s: fc.stringMatching(/^[a-z ]{0,8}$/),
    });
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 1 }), fc.array(row, { minLength: 1, maxLength: 4 }), fc.array(edit, { maxLength: 3 }), async (gi, rows, edits) => {
        const { sess, records, cols, fieldDelim } = graphs[gi]!;
        const lines = rows.map((r) => [String(r.f), String(r.i), `"${r.s}"`].join(fieldDelim));
        const fed = edits.length === 0 ? lines : lines.map((l, k) => (k === 0 ? applyEdits(l, edits) : l));
        let got: tf.NDArray[] = [];
        const err = await outcomeOf(async () => {
          got = await sess.run(cols, { feedDict: [[records, fed]] });
        });
        tally.add(classify(err));
        if (edits.length === 0) {
          expect(err).toBeUndefined();
          expect(Array.from(got[0]!.data as Float32Array)).toEqual(rows.map((r) => r.f));
          expect(Array.from(got[1]!.data as Int32Array)).toEqual(rows.map((r) => r.i));
          expect(got[2]!.toArray()).toEqual(rows.map((r) => r.s));
        }
      }),
      { numRuns: fuzzRuns(), seed: tally.seed },
    );
  });
});

describe("fuzz: TFRecord files", () => {
  const tally = new Tally("tfrecord", fuzzSeed());
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "tfcluster-fuzz-tfrecord-"));
  });
  afterAll(() => {
    tally.report();
    rmSync(dir, { recursive: true, force: true });
  });

  async function readRecords(path: string, compressionType: "" | "ZLIB" | "GZIP"): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for await (const r of tf.io.tfRecordIterator(path, { compressionType })) out.push(r);
    return out;
  }

  it("a file reads back its records; a mutated file reads or fails typed", async () => {
    let n = 0;
    const mutationArb = fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
        fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
        fc.record({ kind: fc.constant("length" as const), record: fc.nat(), value: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }),
      ),
      { maxLength: 3 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 5 }),
        fc.constantFrom("" as const, "ZLIB" as const, "GZIP" as const),
        mutationArb,
        async (records, compressionType, mutations) => {
          const path = join(dir, `f${n++}.tfrecord`);
          const w = await tf.io.TFRecordWriter.open(path, { compressionType });
          for (const r of records) await w.write(r);
          await w.close();
          let bytes = new Uint8Array(readFileSync(path));
          for (const m of mutations) {
            if (bytes.length === 0) break;
            if (m.kind === "set") bytes[m.at % bytes.length] = m.value;
            else if (m.kind === "cut") bytes = bytes.subarray(0, m.at % bytes.length);
            else if (compressionType === "" && bytes.length >= 8) {
              // A record header claiming a huge length (its CRC left as it was).
              new DataView(bytes.buffer, bytes.byteOffset).setBigUint64(0, m.value, true);
            }
          }
          writeFileSync(path, bytes);
          let got: Uint8Array[] = [];
          const err = await outcomeOf(async () => {
            got = await readRecords(path, compressionType);
          });
          tally.add(classify(err));
          rmSync(path, { force: true });
          if (mutations.length === 0) {
            expect(err).toBeUndefined();
            expect(got.map((r) => Buffer.from(r).toString("hex"))).toEqual(records.map((r) => Buffer.from(r).toString("hex")));
          }
        },
      ),
      { numRuns: fuzzRuns(), seed: tally.seed },
    );
  });
});
