/**
 * The reader classes, decodeCsv, readFile and matchingFiles as graph builders: op types and attrs,
 * default names, static shapes, colocation with the reader, containers, and build-time errors.
 */
import { describe, expect, it } from "vitest";
import { Graph } from "../../../../src/graph/graph.js";
import { FIFOQueue } from "../../../../src/graph/ops/data-flow.js";
import { constant, placeholder } from "../../../../src/graph/ops/creation.js";
import {
  decodeCsv,
  FixedLengthRecordReader,
  IdentityReader,
  matchingFiles,
  readFile,
  ReaderBase,
  TextLineReader,
  TFRecordReader,
  WholeFileReader,
} from "../../../../src/graph/ops/io.js";
import { container, device } from "../../../../src/graph/scopes.js";

const inGraph = <T>(fn: (g: Graph) => T): T => {
  const g = new Graph();
  return g.asDefault(() => fn(g));
};

const node = (g: Graph, name: string) => g.toGraphDef().node.find((n) => n.name === name)!;

describe("reader constructors", () => {
  it("each reader is a *ReaderV2 op with TF's attrs and default name", () => {
    inGraph((g) => {
      const readers: [ReaderBase, string, Record<string, unknown>][] = [
        [new TextLineReader({ skipHeaderLines: 1 }), "TextLineReaderV2", { skip_header_lines: { i: 1 } }],
        [
          new FixedLengthRecordReader({ recordBytes: 3, headerBytes: 5, footerBytes: 2, hopBytes: 4, encoding: "GZIP" }),
          "FixedLengthRecordReaderV2",
          { header_bytes: { i: 5 }, record_bytes: { i: 3 }, footer_bytes: { i: 2 }, hop_bytes: { i: 4 }, encoding: { s: "GZIP" } },
        ],
        [new TFRecordReader({ compressionType: "ZLIB" }), "TFRecordReaderV2", { compression_type: { s: "ZLIB" } }],
        [new WholeFileReader(), "WholeFileReaderV2", {}],
        [new IdentityReader(), "IdentityReaderV2", {}],
      ];
      for (const [reader, type, attrs] of readers) {
        expect(reader.name).toBe(type);
        expect(reader.readerRef.dtype).toBe("resource");
        expect(reader.readerRef.shape).toEqual([]);
        expect(node(g, type)).toEqual({ name: type, op: type, input: [], device: "", attr: { ...attrs, container: { s: "" }, shared_name: { s: "" } } });
      }
      expect(readers.map(([r]) => r.supportsSerialize)).toEqual([false, false, false, true, true]);
    });
  });

  it("defaults: no header skip, hop/header/footer 0, no compression; NONE means none", () => {
    inGraph((g) => {
      new TextLineReader();
      new FixedLengthRecordReader({ recordBytes: 8 });
      new TFRecordReader({ compressionType: "NONE" });
      expect(node(g, "TextLineReaderV2").attr.skip_header_lines).toEqual({ i: 0 });
      expect(node(g, "FixedLengthRecordReaderV2").attr).toMatchObject({ header_bytes: { i: 0 }, footer_bytes: { i: 0 }, hop_bytes: { i: 0 }, encoding: { s: "" } });
      expect(node(g, "TFRecordReaderV2").attr.compression_type).toEqual({ s: "" });
    });
  });

  it("names, shared names and containers", () => {
    inGraph((g) => {
      const a = new IdentityReader({ name: "test_reader", sharedName: "shared" });
      const b = new IdentityReader({ name: "test_reader" });
      container("c1", () => new TextLineReader({ name: "in_c1" }));
      expect(a.name).toBe("test_reader");
      expect(b.name).toBe("test_reader_1");
      expect(node(g, "test_reader").attr.shared_name).toEqual({ s: "shared" });
      expect(node(g, "in_c1").attr.container).toEqual({ s: "c1" });
    });
  });

  it("rejects an unknown TFRecord compression type like TFRecordOptions", () => {
    inGraph(() => {
      expect(() => new TFRecordReader({ compressionType: "LZ4" as "ZLIB" })).toThrow(new RangeError('Not a valid compression_type: "LZ4"'));
    });
  });
});

describe("ops on a reader", () => {
  it("read, readUpTo, counters, reset, serialize, restore: op types, inputs, shapes, colocation", () => {
    inGraph((g) => {
      const q = device("/job:worker/task:0", () => new FIFOQueue({ capacity: 5, dtypes: "string", shapes: [[]] }));
      const reader = device("/job:worker/task:0", () => new TextLineReader());
      const [key, value] = device("/job:ps/task:0", () => reader.read(q));
      expect([key.op.type, key.name, value.name]).toEqual(["ReaderReadV2", "ReaderReadV2:0", "ReaderReadV2:1"]);
      expect([key.dtype, key.shape, value.dtype, value.shape]).toEqual(["string", [], "string", []]);
      expect(key.op.inputs.map((t) => t.name)).toEqual(["TextLineReaderV2:0", "fifo_queue:0"]);
      // Colocated with the reader, whatever the device scope says.
      expect(key.op.device).toBe(reader.readerRef.op.device);

      const [keys, values] = reader.readUpTo(q.queueRef, 10);
      expect([keys.op.type, keys.shape, values.shape]).toEqual(["ReaderReadUpToV2", [null], [null]]);
      const n = keys.op.inputs[2]!;
      expect([n.dtype, n.name]).toEqual(["int64", "ReaderReadUpToV2/num_records:0"]);

      const produced = reader.numRecordsProduced();
      const completed = reader.numWorkUnitsCompleted();
      expect([produced.op.type, produced.dtype, produced.shape]).toEqual(["ReaderNumRecordsProducedV2", "int64", []]);
      expect([completed.op.type, completed.dtype]).toEqual(["ReaderNumWorkUnitsCompletedV2", "int64"]);
      expect(reader.reset().type).toBe("ReaderResetV2");
      const state = reader.serializeState();
      expect([state.op.type, state.dtype, state.shape]).toEqual(["ReaderSerializeStateV2", "string", []]);
      const restore = reader.restoreState(state);
      expect([restore.type, restore.inputs.length]).toEqual(["ReaderRestoreStateV2", 2]);
      expect(node(g, "ReaderReadV2").device).toBe("/job:worker/task:0");
    });
  });

  it("restoreState needs a scalar; read needs a queue", () => {
    inGraph(() => {
      const reader = new IdentityReader();
      expect(() => reader.restoreState(["a", "b"])).toThrow("Shape must be rank 0 but is rank 1");
      expect(() => reader.read(constant(1))).toThrow(TypeError);
    });
  });
});

describe("decodeCsv", () => {
  it("one DecodeCSV op: outputs shaped like the records, typed like the defaults", () => {
    inGraph((g) => {
      const records = placeholder("string", [null, 2]);
      const outs = decodeCsv(records, [[1.0], Int32Array.of(0), ["a"], new Float64Array(0), BigInt64Array.of(1n)], {
        fieldDelim: ";",
        useQuoteDelim: false,
        naValue: "NA",
        selectCols: [0, 1, 3, 4, 6],
      });
      expect(outs.map((t) => t.dtype)).toEqual(["float32", "int32", "string", "float64", "int64"]);
      expect(outs.map((t) => t.shape)).toEqual(Array(5).fill([null, 2]));
      expect(outs[0]!.op.type).toBe("DecodeCSV");
      expect(outs[0]!.op.inputs.map((t) => t.name)).toEqual([
        "Placeholder:0",
        "DecodeCSV/record_defaults:0",
        "DecodeCSV/record_defaults_1:0",
        "DecodeCSV/record_defaults_2:0",
        "DecodeCSV/record_defaults_3:0",
        "DecodeCSV/record_defaults_4:0",
      ]);
      expect(node(g, "DecodeCSV").attr).toEqual({
        OUT_TYPE: { list: { type: ["float32", "int32", "string", "float64", "int64"] } },
        field_delim: { s: ";" },
        use_quote_delim: { b: false },
        na_value: { s: "NA" },
        select_cols: { list: { i: [0, 1, 3, 4, 6] } },
      });
    });
  });

  it("defaults: comma, quotes, no NA value, all columns; a scalar record gives scalars", () => {
    inGraph((g) => {
      const outs = decodeCsv("1,2", [[0], [0]]);
      expect(outs.map((t) => t.shape)).toEqual([[], []]);
      expect(node(g, "DecodeCSV").attr).toMatchObject({ field_delim: { s: "," }, use_quote_delim: { b: true }, na_value: { s: "" }, select_cols: { list: { i: [] } } });
    });
  });

  it("TF's build-time errors", () => {
    inGraph(() => {
      expect(() => decodeCsv("1", [[true]])).toThrow(TypeError);
      expect(() => decodeCsv("1", [[true]])).toThrow("not in list of allowed values: float32, float64, int32, int64, string");
      expect(() => decodeCsv("1", [[[1]]])).toThrow("Shape must be at most rank 1 but is rank 2");
      expect(() => decodeCsv("1", [[1], [2]], { selectCols: [1, 0] })).toThrow(new RangeError("select_cols is not strictly increasing."));
      expect(() => decodeCsv("1", [[1], [2]], { selectCols: [-1, 0] })).toThrow(new RangeError("select_cols contains negative values."));
      expect(() => decodeCsv("1", [[1], [2]], { selectCols: [0] })).toThrow(new RangeError("Length of select_cols and record_defaults do not match."));
      expect(() => decodeCsv(constant(1), [[1]])).toThrow(TypeError);
    });
  });
});

describe("readFile and matchingFiles", () => {
  it("ReadFile gives a string scalar, MatchingFiles a string vector", () => {
    inGraph(() => {
      const contents = readFile("/tmp/x");
      expect([contents.op.type, contents.dtype, contents.shape, contents.op.inputs[0]!.name]).toEqual(["ReadFile", "string", [], "ReadFile/filename:0"]);
      const files = matchingFiles(["/tmp/*.csv", "/tmp/*.txt"], { name: "globs" });
      expect([files.op.type, files.dtype, files.shape, files.op.name]).toEqual(["MatchingFiles", "string", [null], "globs"]);
    });
  });
});
