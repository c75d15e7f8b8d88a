import { describe, expect, it } from "vitest";
import { Graph } from "../../../../src/graph/graph.js";
import { constant, placeholder } from "../../../../src/graph/ops/creation.js";
import { argMax, logSoftmax, matMul, reduceMax, reduceMean, reduceSum, softmax } from "../../../../src/graph/ops/math-reduce.js";

const inGraph = <T>(fn: (g: Graph) => T): T => {
  const g = new Graph();
  return g.asDefault(() => fn(g));
};

describe("matMul", () => {
  it("is MatMul with transpose attrs and the product's shape", () => {
    inGraph(() => {
      const a = placeholder("float32", [null, 784]);
      const w = placeholder("float32", [10, 784]);
      const y = matMul(a, w, { transposeB: true });
      expect(y.op.type).toBe("MatMul");
      expect(y.op.attrs).toEqual({ T: { type: "float32" }, transpose_a: { b: false }, transpose_b: { b: true } });
      expect(y.shape).toEqual([null, 10]);
    });
  });

  it("checks inner dimensions, ranks and dtypes at build time", () => {
    inGraph(() => {
      const a = constant([[1, 2, 3], [4, 5, 6]]);
      expect(() => matMul(a, a)).toThrow(/Dimensions must be equal, but are 3 and 2/);
      expect(() => matMul(constant([1, 2]), a)).toThrow(/rank 2/);
      expect(() => matMul(a, constant([[1]], { dtype: "int32" }))).toThrow(TypeError);
      expect(matMul(a, a, { transposeA: true }).shape).toEqual([3, 3]);
    });
  });

  it("uses BatchMatMulV2 with broadcast batch dimensions for rank > 2", () => {
    inGraph(() => {
      const y = matMul(placeholder("float32", [5, 2, 3]), placeholder("float32", [3, 4]));
      expect(y.op.type).toBe("BatchMatMulV2");
      expect(y.op.attrs.adj_x).toEqual({ b: false });
      expect(y.shape).toEqual([5, 2, 4]);
    });
  });
});

describe("softmax", () => {
  it("is Softmax / LogSoftmax over the last axis", () => {
    inGraph(() => {
      const x = placeholder("float32", [null, 10]);
      expect(softmax(x).op.type).toBe("Softmax");
      expect(logSoftmax(x).shape).toEqual([null, 10]);
      expect(() => softmax(constant(1))).toThrow(RangeError);
    });
  });

  it("swaps another axis to the end and back with transposes", () => {
    inGraph(() => {
      const y = softmax(placeholder("float32", [2, 3, 4]), { axis: 1 });
      expect(y.op.type).toBe("Transpose");
      expect(y.shape).toEqual([2, 3, 4]);
      expect(y.op.inputs[0]!.op.type).toBe("Softmax");
      expect(y.op.inputs[0]!.shape).toEqual([2, 4, 3]);
    });
  });
});

describe("reductions", () => {
  it("Sum takes reduction indices as input 1 and infers the shape", () => {
    inGraph((g) => {
      const x = placeholder("float32", [2, null, 4]);
      const s = reduceSum(x, 1);
      expect(s.op.type).toBe("Sum");
      expect(s.op.attrs).toEqual({ T: { type: "float32" }, Tidx: { type: "int32" }, keep_dims: { b: false } });
      expect(s.op.inputs[1]!.op.name).toBe("Sum/reduction_indices");
      expect(s.shape).toEqual([2, 4]);
      expect(reduceMean(x, [0, -1], true).shape).toEqual([1, null, 1]);
      expect(g.toGraphDef().node.find((n) => n.name === "Sum")!.input).toEqual(["Placeholder", "Sum/reduction_indices"]);
    });
  });

  it("without an axis reduces everything to a scalar", () => {
    inGraph(() => {
      const x = placeholder("float32", [2, 3]);
      const m = reduceMax(x);
      expect(m.shape).toEqual([]);
      expect(Array.from(m.op.inputs[1]!.op.attrs.value && "tensor" in m.op.inputs[1]!.op.attrs.value ? (m.op.inputs[1]!.op.attrs.value.tensor.data as Int32Array) : [])).toEqual([0, 1]);
      const u = reduceSum(placeholder("float32"));
      expect(u.shape).toEqual([]);
      expect(u.op.inputs[1]!.op.type).toBe("Range");
    });
  });

  it("rejects an axis out of range; unknown axes keep only the rank with keepDims", () => {
    inGraph(() => {
      expect(() => reduceSum(placeholder("float32", [2, 3]), 2)).toThrow(/Invalid reduction dimension 2/);
      const axis = placeholder("int32", [1]);
      expect(reduceSum(placeholder("float32", [2, 3]), axis, true).shape).toEqual([null, null]);
      expect(reduceSum(placeholder("float32", [2, 3]), axis).shape).toBeNull();
    });
  });
});

describe("argMax", () => {
  it("is ArgMax{output_type: int64} with the axis removed", () => {
    inGraph(() => {
      const a = argMax(placeholder("float32", [null, 10]), 1);
      expect(a.op.type).toBe("ArgMax");
      expect(a.dtype).toBe("int64");
      expect(a.op.attrs.output_type).toEqual({ type: "int64" });
      expect(a.shape).toEqual([null]);
      expect(argMax(constant([1, 2]), 0, { outputType: "int32" }).dtype).toBe("int32");
    });
  });
});
