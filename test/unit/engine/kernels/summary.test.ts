/**
 * The summary kernels through their builders (tf-training.md §7.1-7.2): SummaryV1OpsTest's
 * cases (testScalarSummary, testHistogramSummaryTypes, testMergeSummary) and histogram_test.cc's
 * default buckets, decoding the produced bytes with the Summary schema.
 */
import { describe, expect, it } from "vitest";
import "../../../../src/engine/kernels/summary.js";
import { DEFAULT_BUCKET_LIMITS, Histogram } from "../../../../src/engine/kernels/histogram.js";
import { InvalidArgumentError } from "../../../../src/errors/index.js";
import { constant } from "../../../../src/graph/ops/creation.js";
import { histogram, merge, scalar, text } from "../../../../src/graph/ops/summary.js";
import { NDArray, ndarray } from "../../../../src/tensor/ndarray.js";
import { decodeSummary, encodeSummary } from "../../../../src/transport/wire/summary-codec.js";
import type { SummaryProto } from "../../../../src/transport/wire/summary-codec.js";
import { evaluate1, inGraph, runKernel1 } from "./harness.js";

const str = (s: string): NDArray => new NDArray("string", [], [new TextEncoder().encode(s)]);

function summaryOf(out: NDArray): SummaryProto {
  expect(out.dtype).toBe("string");
  expect(out.shape).toEqual([]);
  return decodeSummary((out.data as Uint8Array[])[0]!);
}

describe("default histogram buckets (histogram.cc)", () => {
  it("has 1551 ascending limits from -DBL_MAX through 0 to DBL_MAX", () => {
    expect(DEFAULT_BUCKET_LIMITS.length).toBe(1551);
    expect(DEFAULT_BUCKET_LIMITS[0]).toBe(-Number.MAX_VALUE);
    expect(DEFAULT_BUCKET_LIMITS[775]).toBe(0);
    expect(DEFAULT_BUCKET_LIMITS[776]).toBe(1e-12);
    expect(DEFAULT_BUCKET_LIMITS[1550]).toBe(Number.MAX_VALUE);
    for (let i = 1; i < DEFAULT_BUCKET_LIMITS.length; i++) expect(DEFAULT_BUCKET_LIMITS[i]!).toBeGreaterThan(DEFAULT_BUCKET_LIMITS[i - 1]!);
  });

  it("Empty: one (DBL_MAX, 0) entry, min DBL_MAX and max -DBL_MAX", () => {
    const p = new Histogram().toProto();
    expect(p).toEqual({ min: Number.MAX_VALUE, max: -Number.MAX_VALUE, num: 0, sum: 0, sumSquares: 0, bucketLimit: [Number.MAX_VALUE], bucket: [0] });
  });

  it("a value equal to a limit goes into the next bucket (upper_bound)", () => {
    const h = new Histogram(Float64Array.of(0, 1, 2, Number.MAX_VALUE));
    h.add(1);
    expect(h.toProto().bucketLimit).toEqual([1, 2, Number.MAX_VALUE]);
    expect(h.toProto().bucket).toEqual([0, 1, 0]);
  });
});

describe("ScalarSummary", () => {
  it("testScalarSummary: one simple value per tag", async () => {
    const out = await runKernel1("ScalarSummary", [ndarray(["c1", "c2"]), ndarray([10, 20])], { T: { type: "float32" } });
    expect(summaryOf(out).value).toEqual([
      { tag: "c1", simpleValue: 10 },
      { tag: "c2", simpleValue: 20 },
    ]);
  });

  it("tags and values of different shapes: TF's error, naming the single tag", async () => {
    const err = await runKernel1("ScalarSummary", [str("loss"), ndarray([1, 2])], {}, { name: "s" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toBe("tags and values not the same shape: [] != [2] (tag 'loss')");
    await expect(runKernel1("ScalarSummary", [ndarray(["a", "b"]), ndarray([1])])).rejects.toThrow("tags and values not the same shape: [2] != [1]");
  });

  it("builder: scope name and tag, family prefix (testScalarSummary / testScalarSummaryWithFamily)", async () => {
    const { s, f1, f2 } = inGraph((g) =>
      g.withNameScope("outer", () => {
        const c = constant(3);
        return { s: scalar("inner", c), f1: scalar("inner", c, { family: "family" }), f2: scalar("inner", c, { family: "family" }) };
      }),
    );
    expect(s.op.name).toBe("outer/inner");
    expect(summaryOf(await evaluate1(s)).value).toEqual([{ tag: "outer/inner", simpleValue: 3 }]);
    expect(f1.op.name).toBe("outer/family/inner");
    expect(f2.op.name).toBe("outer/family/inner_1");
    expect(summaryOf(await evaluate1(f1)).value[0]!.tag).toBe("family/outer/family/inner");
    expect(s.graph.getCollection("summaries")).toEqual([s, f1, f2]);
  });

  it("builder: testSummaryNameConversion", () => {
    const names = inGraph(() => {
      const c = constant(1);
      return ["name with spaces", "name with many $#illegal^: characters!", "/name/with/leading/slash"].map((n) => scalar(n, c).op.name);
    });
    expect(names).toEqual(["name_with_spaces", "name_with_many___illegal___characters_", "name/with/leading/slash"]);
  });

  it("builder: an int64 value is exact to float; collections: [] joins none", async () => {
    const s = inGraph(() => scalar("big", constant(2n ** 40n), { collections: [] }));
    expect(summaryOf(await evaluate1(s)).value[0]!.simpleValue).toBe(2 ** 40);
    expect(s.graph.getCollection("summaries")).toEqual([]);
  });
});

describe("HistogramSummary", () => {
  it("testMergeSummary's histogram of 10.0: collapsed empty runs", async () => {
    const h = inGraph(() => histogram("h", constant(10)));
    const v = summaryOf(await evaluate1(h)).value;
    expect(v.length).toBe(1);
    expect(v[0]!.tag).toBe("h");
    const histo = v[0]!.histo!;
    expect([histo.min, histo.max, histo.num, histo.sum, histo.sumSquares]).toEqual([10, 10, 1, 10, 100]);
    expect(histo.bucket).toEqual([0, 1, 0]);
    expect(histo.bucketLimit[0]).toBeCloseTo(9.93809490288, 10);
    expect(histo.bucketLimit[1]).toBeCloseTo(10.9319043932, 10);
    expect(histo.bucketLimit[2]).toBe(Number.MAX_VALUE);
  });

  it("testHistogramSummaryTypes: int32, int64, uint8, float32, float64 all count", async () => {
    for (const dtype of ["int32", "int64", "uint8", "float32", "float64"] as const) {
      const out = await runKernel1("HistogramSummary", [str("h"), ndarray([1, 2, 2], { dtype })], { T: { type: dtype } });
      const histo = summaryOf(out).value[0]!.histo!;
      expect(histo.num).toBe(3);
      expect(histo.sum).toBe(5);
      expect(histo.bucket.reduce((a, b) => a + b, 0)).toBe(3);
    }
  });

  it("NaN, infinity and a non-scalar tag: TF's errors naming the op", async () => {
    await expect(runKernel1("HistogramSummary", [str("h"), ndarray([1, NaN])], {}, { name: "hist" })).rejects.toThrow("Nan in summary histogram for: hist");
    await expect(runKernel1("HistogramSummary", [str("h"), ndarray([-Infinity])], {}, { name: "hist" })).rejects.toThrow("Infinity in summary histogram for: hist");
    await expect(runKernel1("HistogramSummary", [ndarray(["a", "b"]), ndarray([1])])).rejects.toThrow("tags must be scalar");
  });
});

describe("TensorSummaryV2 (text)", () => {
  it("text: the string tensor with the text plugin's metadata", async () => {
    const t = inGraph(() => text("note", constant(["hello", "world"])));
    expect(t.op.type).toBe("TensorSummaryV2");
    const v = summaryOf(await evaluate1(t)).value[0]!;
    expect(v.tag).toBe("note");
    expect(v.metadata?.pluginData?.pluginName).toBe("text");
    expect(v.tensor?.dtype).toBe("string");
    expect(v.tensor?.toArray()).toEqual(["hello", "world"]);
  });

  it("text of a non-string tensor fails at build time", () => {
    expect(() => inGraph(() => text("n", constant(1)))).toThrow(/to have dtype string, got float32/);
  });
});

describe("MergeSummary", () => {
  it("joins the values of every input; merge is not collected", async () => {
    const m = inGraph(() => merge([scalar("a", constant(1)), histogram("b", constant(10))]));
    expect(m.op.name).toBe("Merge/MergeSummary");
    const v = summaryOf(await evaluate1(m)).value;
    expect(v.map((x) => x.tag)).toEqual(["a", "b"]);
    expect(v[1]!.histo?.bucket).toEqual([0, 1, 0]);
    expect(m.graph.getCollection("summaries").length).toBe(2);
  });

  it("a repeated tag and unparsable bytes: TF's errors", async () => {
    const one = new NDArray("string", [], [encodeSummary({ value: [{ tag: "x", simpleValue: 1 }] })]);
    await expect(runKernel1("MergeSummary", [one, one], { N: { i: 2 } })).rejects.toThrow("Duplicate tag x found in summary inputs");
    await expect(runKernel1("MergeSummary", [str("garbage")], { N: { i: 1 } })).rejects.toThrow("Could not parse one of the summary inputs");
  });

  it("empty tags may repeat (tensor summaries)", async () => {
    const one = new NDArray("string", [], [encodeSummary({ value: [{ tag: "", simpleValue: 1 }] })]);
    const out = await runKernel1("MergeSummary", [one, one], { N: { i: 2 } });
    expect(summaryOf(out).value.length).toBe(2);
  });
});
