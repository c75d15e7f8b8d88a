import { describe, expect, it } from "vitest";
import { Graph } from "../../../../src/graph/graph.js";
import { constant, placeholder } from "../../../../src/graph/ops/creation.js";
import { add, cast, div, equal, logicalAnd, mul, neg, sigmoid, sqrt, sub } from "../../../../src/graph/ops/math.js";

const inGraph = <T>(fn: (g: Graph) => T): T => {
  const g = new Graph();
  return g.asDefault(() => fn(g));
};

describe("binary ops", () => {
  it("add is AddV2 named Add, with T and broadcast shape", () => {
    inGraph((g) => {
      const a = placeholder("float32", [null, 3]);
      const b = placeholder("float32", [3]);
      const c = add(a, b);
      expect(c.name).toBe("Add:0");
      expect(c.op.type).toBe("AddV2");
      expect(c.op.attrs).toEqual({ T: { type: "float32" } });
      expect(c.shape).toEqual([null, 3]);
      expect(g.toGraphDef().node[2]!.input).toEqual(["Placeholder", "Placeholder_1"]);
    });
  });

  it("converts a JS value to the other side's dtype, named after the argument", () => {
    inGraph(() => {
      const x = placeholder("int32", [2]);
      const y = sub(x, 1);
      expect(y.op.inputs[1]!.dtype).toBe("int32");
      expect(y.op.inputs[1]!.op.name).toBe("Sub/y");
      const z = mul(2, x);
      expect(z.op.inputs[0]!.op.name).toBe("Mul/x");
      expect(z.dtype).toBe("int32");
    });
  });

  it("rejects mismatched dtypes with a TypeError naming both", () => {
    inGraph(() => {
      const a = placeholder("float32", [2]);
      const b = placeholder("int32", [2]);
      expect(() => add(a, b)).toThrow(/type int32 that does not match type float32/);
    });
  });

  it("rejects incompatible static shapes", () => {
    inGraph(() => {
      expect(() => add(constant([1, 2]), constant([1, 2, 3]))).toThrow(/Dimensions must be equal, but are 2 and 3/);
    });
  });

  it("broadcasts unknown dimensions and unknown rank", () => {
    inGraph(() => {
      expect(add(placeholder("float32", [null, 1]), placeholder("float32", [4, 5])).shape).toEqual([4, 5]);
      expect(add(placeholder("float32"), 1).shape).toBeNull();
      expect(add(placeholder("float32", [2, 1]), placeholder("float32", [null])).shape).toEqual([2, null]);
    });
  });

  it("div is RealDiv for floats and FloorDiv for integers", () => {
    inGraph(() => {
      expect(div(constant([1.5]), 2).op.type).toBe("RealDiv");
      const d = div(constant([7], { dtype: "int32" }), 2);
      expect(d.op.type).toBe("FloorDiv");
      expect(d.op.name).toBe("div_1");
    });
  });

  it("comparisons give bool; logical ops need bool", () => {
    inGraph(() => {
      const e = equal(constant([1, 2]), 2);
      expect([e.op.type, e.dtype]).toEqual(["Equal", "bool"]);
      expect(logicalAnd(e, e).dtype).toBe("bool");
      expect(logicalAnd(e, e).op.attrs).toEqual({});
      expect(() => logicalAnd(constant([1]), constant([1]))).toThrow(TypeError);
    });
  });
});

describe("unary ops and cast", () => {
  it("keep shape and dtype", () => {
    inGraph(() => {
      const x = placeholder("float64", [2, null]);
      expect([neg(x).op.type, neg(x).dtype, neg(x).shape]).toEqual(["Neg", "float64", [2, null]]);
      expect(sigmoid(x, { name: "act" }).name).toBe("act:0");
      expect(() => sqrt(constant([4], { dtype: "int32" }))).toThrow(TypeError);
    });
  });

  it("cast is Cast{SrcT, DstT} and returns the tensor itself for the same dtype", () => {
    inGraph(() => {
      const x = placeholder("float32", [3]);
      const y = cast(x, "int64");
      expect(y.op.type).toBe("Cast");
      expect(y.op.attrs).toEqual({ SrcT: { type: "float32" }, DstT: { type: "int64" }, Truncate: { b: false } });
      expect([y.dtype, y.shape]).toEqual(["int64", [3]]);
      expect(cast(x, "float32")).toBe(x);
      expect(() => cast(x, "string")).toThrow(TypeError);
    });
  });
});
