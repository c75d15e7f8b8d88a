/**
 * Example parsing through builders and kernels: tf-training.md §10's wire format and worked
 * examples A-E (parsing_ops_test.py / parse_single_example_op_test.py cases: testEmptySerialized-
 * WithoutDefaultsShouldFail, testDenseNotMatchingShapeShouldFail, testSerializedContainingSparse,
 * FastParse.Packed/NonPacked, …), and the build-time checks of the feature configs.
 */
import { describe, expect, it } from "vitest";
import "../../../../src/engine/kernels/parse-example.js";
import { InvalidArgumentError } from "../../../../src/errors/index.js";
import { constant } from "../../../../src/graph/ops/creation.js";
import { FixedLenFeature, FixedLenSequenceFeature, VarLenFeature } from "../../../../src/graph/ops/parse-features.js";
import type { Feature } from "../../../../src/graph/ops/parse-features.js";
import { parseExample, parseSingleExample, SparseTensor } from "../../../../src/graph/ops/parsing-example.js";
import type { ParsedFeatures } from "../../../../src/graph/ops/parsing-example.js";
import type { Tensor } from "../../../../src/graph/tensor.js";
import { serializeExample } from "../../../../src/io/serialize-example.js";
import { NDArray } from "../../../../src/tensor/ndarray.js";
import { evaluate, inGraph } from "./harness.js";

const enc = new TextEncoder();
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");
const strings = (xs: (string | Uint8Array)[]): NDArray => new NDArray("string", [xs.length], xs.map((x) => (typeof x === "string" ? enc.encode(x) : x)));
const scalarString = (x: Uint8Array | string): NDArray => new NDArray("string", [], [typeof x === "string" ? enc.encode(x) : x]);

/** A length-delimited field (one-byte tag, one-byte length). */
const field = (tag: number, body: number[]): number[] => [tag, body.length, ...body];
/** An Example with one feature whose Feature message is `featureBody`. */
function rawExample(key: string, featureBody: number[]): Uint8Array {
  const entry = [...field(0x0a, [...enc.encode(key)]), ...field(0x12, featureBody)];
  return Uint8Array.from(field(0x0a, field(0x0a, entry)));
}

/** Runs every output of a parse, returning arrays keyed like the features (sparse as a triple). */
async function run(parsed: ParsedFeatures): Promise<Record<string, unknown>> {
  const keys = Object.keys(parsed);
  const tensors: Tensor[] = [];
  for (const k of keys) {
    const v = parsed[k]!;
    if (v instanceof SparseTensor) tensors.push(v.indices, v.values, v.denseShape);
    else tensors.push(v);
  }
  const values = await evaluate(tensors);
  const out: Record<string, unknown> = {};
  let i = 0;
  for (const k of keys) {
    if (parsed[k] instanceof SparseTensor) {
      out[k] = { indices: values[i]!.toArray(), values: values[i + 1]!.toArray(), denseShape: values[i + 2]!.toArray(), indicesShape: values[i]!.shape };
      i += 3;
    } else {
      out[k] = { value: values[i]!.toArray(), shape: values[i]!.shape, dtype: values[i]!.dtype };
      i++;
    }
  }
  return out;
}

async function failure(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => new Error("expected the parse to fail"),
    (e: unknown) => e as Error,
  );
}

const A_FEATURES = (): Record<string, Feature> => ({
  age: FixedLenFeature([], "int64", -1),
  xy: FixedLenFeature([2], "float32"),
  tags: VarLenFeature("string"),
});
const A0 = serializeExample({ feature: { age: { int64List: [29] }, xy: { floatList: [1.5, -2] }, tags: { bytesList: ["a", "b"] } } });
// `tags: value { }` is an empty Feature: written by hand, as serializeExample always sets a list.
const A1 = (() => {
  const xy = serializeExample({ feature: { xy: { floatList: [0, 4] } } });
  const tags = rawExample("tags", []);
  const body = [...xy.subarray(2), ...tags.subarray(2)];
  return Uint8Array.from([0x0a, body.length, ...body]);
})();

describe("tf.train.Example wire format", () => {
  it("serializeExample writes TF's bytes for age = 13", () => {
    expect(hex(serializeExample({ feature: { age: { int64List: [13] } } }))).toBe("0a 0e 0a 0c 0a 03 61 67 65 12 05 1a 03 0a 01 0d");
  });

  it("packed and unpacked lists parse alike (FastParse.Packed / NonPacked)", async () => {
    const unpackedFloats = rawExample("f", field(0x12, [0x0d, 0, 0, 0xc0, 0x3f, 0x0d, 0, 0, 0, 0xc0]));
    const unpackedInts = rawExample("i", field(0x1a, [0x08, 0x05, 0x08, 0x96, 0x01]));
    const r = await run(
      inGraph(() =>
        parseExample(strings([unpackedFloats]), { f: FixedLenFeature([2], "float32", [0, 0]), i: FixedLenFeature([2], "int64", [0, 0]) }),
      ),
    );
    expect((r.f as { value: unknown }).value).toEqual([[1.5, -2]]);
    expect((r.i as { value: unknown }).value).toEqual([[0n, 0n]]);
    const r2 = await run(inGraph(() => parseExample(strings([unpackedInts]), { i: FixedLenFeature([2], "int64") })));
    expect((r2.i as { value: unknown }).value).toEqual([[5n, 150n]]);
  });

  it("int64 values are exact over the whole 64-bit range", async () => {
    const vals = [2n ** 63n - 1n, -1n, -(2n ** 63n), 2n ** 53n + 1n, 0n];
    const rec = serializeExample({ feature: { v: { int64List: vals } } });
    const r = await run(inGraph(() => parseSingleExample(scalarString(rec), { v: FixedLenFeature([5], "int64") })));
    expect(r.v).toEqual({ value: vals, shape: [5], dtype: "int64" });
  });

  it("unknown top-level fields are skipped; in concatenated Examples the last copy of a key wins", async () => {
    const one = serializeExample({ feature: { a: { floatList: [1] } } });
    const two = serializeExample({ feature: { a: { floatList: [2] } } });
    const unknown = [0x10, 0x05, 0x1a, 0x01, 0x00, 0x25, 1, 2, 3, 4];
    const rec = Uint8Array.from([...unknown, ...one, ...two, ...unknown]);
    const r = await run(inGraph(() => parseSingleExample(scalarString(rec), { a: FixedLenFeature([], "float32") })));
    expect((r.a as { value: unknown }).value).toBe(2);
  });
});

describe("worked examples (§10.6)", () => {
  it("A: parseExample of two records: dense, default and sparse", async () => {
    const r = await run(inGraph(() => parseExample(strings([A0, A1]), A_FEATURES())));
    expect(r.age).toEqual({ value: [29n, -1n], shape: [2], dtype: "int64" });
    expect(r.xy).toEqual({ value: [[1.5, -2], [0, 4]], shape: [2, 2], dtype: "float32" });
    expect(r.tags).toEqual({ indices: [[0n, 0n], [0n, 1n]], values: ["a", "b"], denseShape: [2n, 2n], indicesShape: [2, 2] });
  });

  it("A: parseSingleExample of record 1, fused and with names", async () => {
    for (const options of [{}, { exampleNames: "r1" }]) {
      const r = await run(inGraph(() => parseSingleExample(scalarString(A1), A_FEATURES(), options)));
      expect(r.age).toEqual({ value: -1n, shape: [], dtype: "int64" });
      expect(r.xy).toEqual({ value: [0, 4], shape: [2], dtype: "float32" });
      expect(r.tags).toEqual({ indices: [], values: [], denseShape: [0n], indicesShape: [0, 1] });
    }
  });

  it("testSerializedContainingSparse: indices by example then position, shape [B, longest]", async () => {
    const recs = [
      serializeExample({ feature: { c: { floatList: [3, 4] } } }),
      serializeExample({ feature: {} }),
      serializeExample({ feature: { c: { floatList: [] } } }),
      serializeExample({ feature: { c: { floatList: [1, 2, -1] } } }),
    ];
    const r = await run(inGraph(() => parseExample(strings(recs), { c: VarLenFeature("float32") })));
    expect(r.c).toEqual({ indices: [[0n, 0n], [0n, 1n], [3n, 0n], [3n, 1n], [3n, 2n]], values: [3, 4, 1, 2, -1], denseShape: [4n, 3n], indicesShape: [5, 2] });
    const single = await run(inGraph(() => parseSingleExample(scalarString(recs[3]!), { c: VarLenFeature("float32") })));
    expect(single.c).toEqual({ indices: [[0n], [1n], [2n]], values: [1, 2, -1], denseShape: [3n], indicesShape: [3, 1] });
  });

  it("B: a wrong number of values (testDenseNotMatchingShapeShouldFail)", async () => {
    const recs = [serializeExample({ feature: { a: { floatList: [1, 2, 3] } } }), serializeExample({ feature: { a: { floatList: [-1, -1] } } })];
    const features = { a: FixedLenFeature([1, 3], "float32") };
    const err = await failure(run(inGraph(() => parseExample(strings(recs), features, { exampleNames: ["passing", "failing"] }))));
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.message).toBe("Name: failing, Key: a, Index: 1.  Number of float values != expected.  Values size: 2 but output shape: [1,3]");
    const fused = await failure(run(inGraph(() => parseSingleExample(scalarString(recs[1]!), features))));
    expect(fused.message).toBe("Key: a.  Can't parse serialized Example.");
  });

  it("C: a list of the wrong kind, default or not", async () => {
    const rec = serializeExample({ feature: { xy: { int64List: [1, 2] } } });
    for (const dflt of [null, [0, 0]]) {
      const features = { xy: FixedLenFeature([2], "float32", dflt) };
      const err = await failure(run(inGraph(() => parseExample(strings([rec]), features, { exampleNames: ["ex0"] }))));
      expect(err.message).toBe("Name: ex0, Key: xy, Index: 0.  Data types don't match. Data type: int64 but expected type: float");
      const fused = await failure(run(inGraph(() => parseSingleExample(scalarString(rec), features))));
      expect(fused.message).toBe("Key: xy.  Data types don't match. Data type: int64 but expected type: float");
    }
  });

  it("D: a required feature absent (testEmptySerializedWithoutDefaultsShouldFail), or given a default", async () => {
    const emptyFeature = rawExample("label", []);
    const required = { label: FixedLenFeature([], "int64") };
    for (const rec of [new Uint8Array(0), emptyFeature]) {
      const fused = await failure(run(inGraph(() => parseSingleExample(scalarString(rec), required))));
      expect(fused.message).toBe("Feature: label (data type: int64) is required but could not be found.");
    }
    const batch = await failure(run(inGraph(() => parseExample(strings(["", ""]), required, { exampleNames: ["r0", "r1"] }))));
    expect(batch.message).toBe("Name: r0, Feature: label (data type: int64) is required but could not be found.");
    const noNames = await failure(run(inGraph(() => parseExample(strings([""]), required))));
    expect(noNames.message).toBe("Name: <unknown>, Feature: label (data type: int64) is required but could not be found.");
    const withDefault = { label: FixedLenFeature([], "int64", 0) };
    expect((await run(inGraph(() => parseSingleExample(scalarString(emptyFeature), withDefault)))).label).toEqual({ value: 0n, shape: [], dtype: "int64" });
    expect((await run(inGraph(() => parseExample(strings(["", ""]), withDefault)))).label).toEqual({ value: [0n, 0n], shape: [2], dtype: "int64" });
    // An empty list is present with zero values: the default does not apply.
    const emptyList = serializeExample({ feature: { label: { int64List: [] } } });
    const err = await failure(run(inGraph(() => parseExample(strings([emptyList]), withDefault, { exampleNames: ["e"] }))));
    expect(err.message).toBe("Name: e, Key: label, Index: 0.  Number of int64 values != expected.  Values size: 0 but output shape: []");
  });

  it("E: bytes that are no Example", async () => {
    const features = { a: FixedLenFeature([], "float32", 0) };
    const err = await failure(run(inGraph(() => parseExample(strings(["garbage"]), features))));
    expect(err.message).toBe("Could not parse example input, value: 'garbage'");
    const fused = await failure(run(inGraph(() => parseSingleExample(scalarString("garbage"), features))));
    expect(fused.message).toBe("Could not parse example input, value: 'garbage'");
  });

  it("a string feature and a multi-dimensional default (testSerializedContainingDenseWithDefaults)", async () => {
    const features = { a: FixedLenFeature([1, 2, 1], "float32", [3.0, -3.0]), b: FixedLenFeature([1, 1, 1, 1], "string", "tmp_str") };
    const rec = serializeExample({ feature: { b: { bytesList: ["b1"] } } });
    const r = await run(inGraph(() => parseExample(strings([rec, ""]), features)));
    expect(r.a).toEqual({ value: [[[[3], [-3]]], [[[3], [-3]]]], shape: [2, 1, 2, 1], dtype: "float32" });
    expect((r.b as { value: unknown }).value).toEqual([[[[["b1"]]]], [[[["tmp_str"]]]]]);
  });

  it("a 784-float feature parses into one Float32Array", async () => {
    const pixels = Float32Array.from({ length: 784 }, (_v, i) => i / 784);
    const rec = serializeExample({ feature: { image: { floatList: pixels }, label: { int64List: [7n] } } });
    const parsed = inGraph(() => parseSingleExample(scalarString(rec), { image: FixedLenFeature([784], "float32"), label: FixedLenFeature([], "int64") }));
    const [image, label] = await evaluate([parsed.image as Tensor, parsed.label as Tensor]);
    expect(image!.data).toBeInstanceOf(Float32Array);
    expect(image!.data).toEqual(pixels);
    expect(label!.data).toEqual(BigInt64Array.of(7n));
  });
});

describe("FixedLenSequenceFeature (§10.5, testSerializedContainingVarLenDense)", () => {
  const recs = [
    serializeExample({ feature: { a: { floatList: [1, 2, 3, 4] }, s: { bytesList: ["x"] } } }),
    serializeExample({ feature: {} }),
    serializeExample({ feature: { a: { floatList: [5, 6] }, s: { bytesList: ["y", "z"] } } }),
  ];

  it("parseExample pads every record to the longest, with 0 / \"\" or the default", async () => {
    const features = { a: FixedLenSequenceFeature([2], "float32", true), s: FixedLenSequenceFeature([], "string", true), p: FixedLenSequenceFeature([1], "int64", true, -1) };
    const parsed = inGraph(() => parseExample(strings(recs), features));
    expect((parsed.a as Tensor).shape).toEqual([3, null, 2]);
    const r = await run(parsed);
    expect(r.a).toEqual({ value: [[[1, 2], [3, 4]], [[0, 0], [0, 0]], [[5, 6], [0, 0]]], shape: [3, 2, 2], dtype: "float32" });
    expect(r.s).toEqual({ value: [["x", ""], ["", ""], ["y", "z"]], shape: [3, 2], dtype: "string" });
    expect(r.p).toEqual({ value: [[], [], []], shape: [3, 0, 1], dtype: "int64" });
  });

  it("parseSingleExample gives [T] + shape; an absent feature gives no rows", async () => {
    const features = { a: FixedLenSequenceFeature([2], "float32", true, -1) };
    expect((await run(inGraph(() => parseSingleExample(scalarString(recs[0]!), features)))).a).toEqual({ value: [[1, 2], [3, 4]], shape: [2, 2], dtype: "float32" });
    expect((await run(inGraph(() => parseSingleExample(scalarString(recs[1]!), features)))).a).toEqual({ value: [], shape: [0, 2], dtype: "float32" });
  });

  it("a count that is no multiple of the row, allowMissing false, a non-scalar padding: TF's errors", async () => {
    const odd = serializeExample({ feature: { a: { floatList: [1, 2, 3] } } });
    const features = { a: FixedLenSequenceFeature([2], "float32", true) };
    const err = await failure(run(inGraph(() => parseExample(strings([odd]), features, { exampleNames: ["in1"] }))));
    expect(err.message).toBe("Name: in1, Key: a, Index: 0.  Number of float values is not a multiple of stride length. Saw 3 values but output shape is: [?,2]");
    const fused = await failure(run(inGraph(() => parseSingleExample(scalarString(odd), features))));
    expect(fused.message).toBe("Key: a.  Number of float values is not a multiple of stride length. Saw 3 values but output shape is: [?,2]");
    expect(() => inGraph(() => parseExample(strings([odd]), { a: FixedLenSequenceFeature([2], "float32") }))).toThrow(
      "Unsupported: FixedLenSequenceFeature requires allow_missing to be True.",
    );
    expect(() => inGraph(() => parseExample(strings([odd]), { a: FixedLenSequenceFeature([2], "float32", true, []) }))).toThrow(
      /^Cannot reshape a tensor with 0 elements to shape \[\] \(1 elements\)/,
    );
  });
});

describe("feature configs at build time (§10.2)", () => {
  it("static shapes: [B] + shape, sparse (None, 2) / (None,) / (2,)", () => {
    const parsed = inGraph(() => parseExample(strings([A0, A1]), A_FEATURES()));
    expect((parsed.xy as Tensor).shape).toEqual([2, 2]);
    expect((parsed.age as Tensor).shape).toEqual([2]);
    const tags = parsed.tags as SparseTensor;
    expect([tags.indices.shape, tags.values.shape, tags.denseShape.shape]).toEqual([[null, 2], [null], [2]]);
    const single = inGraph(() => parseSingleExample(scalarString(A0), { xy: FixedLenFeature(2, "float32") }));
    expect((single.xy as Tensor).shape).toEqual([2]);
    expect((single.xy as Tensor).op.name).toBe("ParseSingleExample/ParseSingleExample");
  });

  it("TF's errors for type, shape and default", () => {
    const s = (): NDArray => strings([A0]);
    expect(() => inGraph(() => parseExample(s(), { a: FixedLenFeature([1], undefined as never) }))).toThrow("Missing type for feature a.");
    expect(() => inGraph(() => parseExample(s(), { a: FixedLenFeature(null, "float32") }))).toThrow("Missing shape for feature a.");
    expect(() => inGraph(() => parseExample(s(), { a: FixedLenFeature([null, 2], "float32") }))).toThrow(
      "First dimension of shape for feature a unknown. Consider using FixedLenSequenceFeature.",
    );
    expect(() => inGraph(() => parseExample(s(), { a: FixedLenFeature([1, null], "float32") }))).toThrow(
      "All dimensions of shape for feature a need to be known but received (1, None).",
    );
    expect(() => inGraph(() => parseExample(s(), { a: FixedLenFeature([1], "int32") }))).toThrow(
      "Value passed to parameter 'dense_defaults' has DataType int32 not in list of allowed values: float32, int64, string",
    );
    expect(() => inGraph(() => parseExample(s(), { a: FixedLenFeature([2], "float32", 1) }))).toThrow(/^Cannot reshape a tensor with 1 elements to shape \[2\] \(2 elements\)/);
    expect(() => inGraph(() => parseExample(s(), {}))).toThrow("Missing: features was {}.");
    expect(() => inGraph(() => parseSingleExample(scalarString(A0), {}))).toThrow("Missing features.");
    expect(() => inGraph(() => parseSingleExample(s(), { a: FixedLenFeature([], "float32") }))).toThrow(/Shape must be rank 0 but is rank 1/);
  });

  it("a Tensor default of the wrong shape fails in the kernel", async () => {
    const parsed = inGraph(() => parseSingleExample(scalarString(""), { a: FixedLenFeature([2], "float32", constant([1, 2, 3])) }));
    const err = await failure(evaluate([parsed.a as Tensor]));
    expect(err.message).toBe("def_value[0].shape() == [3] is not compatible with dense_shapes_[0] == [2]");
  });
});
