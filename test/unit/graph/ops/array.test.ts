import { describe, expect, it } from "vitest";
import { Graph } from "../../../../src/graph/graph.js";
import { concat, expandDims, identity, rank, reshape, shape, size, squeeze, stack, stopGradient, transpose, unstack } from "../../../../src/graph/ops/array.js";
import { constant, placeholder } from "../../../../src/graph/ops/creation.js";

const inGraph = <T>(fn: (g: Graph) => T): T => {
  const g = new Graph();
  return g.asDefault(() => fn(g));
};

describe("reshape", () => {
  it("is Reshape{T, Tshape} and resolves -1 statically", () => {
    inGraph(() => {
      const x = placeholder("float32", [4, 6]);
      const y = reshape(x, [-1, 3]);
      expect(y.op.type).toBe("Reshape");
      expect(y.op.attrs).toEqual({ T: { type: "float32" }, Tshape: { type: "int32" } });
      expect(y.op.inputs[1]!.op.name).toBe("Reshape/shape");
      expect(y.shape).toEqual([8, 3]);
      expect(reshape(placeholder("float32", [null, 6]), [-1, 2, 3]).shape).toEqual([null, 2, 3]);
    });
  });

  it("rejects element-count mismatches and several -1", () => {
    inGraph(() => {
      const x = constant([1, 2, 3, 4, 5, 6]);
      expect(() => reshape(x, [4])).toThrow(/Cannot reshape a tensor with 6 elements to shape \[4\]/);
      expect(() => reshape(x, [-1, 4])).toThrow(RangeError);
      expect(() => reshape(x, [-1, -1])).toThrow(/multiple unknown/);
    });
  });

  it("takes a partially known shape tensor (Pack of a Shape element and a constant)", () => {
    inGraph(() => {
      const dims = placeholder("int32", [3]);
      expect(reshape(placeholder("float32"), dims).shape).toEqual([null, null, null]);
    });
  });
});

describe("expandDims, squeeze, identity", () => {
  it("infer shapes and carry their attrs", () => {
    inGraph(() => {
      const x = placeholder("float32", [2, 3]);
      expect(expandDims(x, 0).shape).toEqual([1, 2, 3]);
      expect(expandDims(x, -1).shape).toEqual([2, 3, 1]);
      expect(expandDims(x, 1).op.attrs).toEqual({ T: { type: "float32" }, Tdim: { type: "int32" } });
      const s = squeeze(placeholder("float32", [1, 3, 1]), [2]);
      expect(s.op.attrs.squeeze_dims).toEqual({ list: { i: [2] } });
      expect(s.shape).toEqual([1, 3]);
      expect(squeeze(placeholder("float32", [1, 3, 1])).shape).toEqual([3]);
      expect(squeeze(placeholder("float32", [1, null])).shape).toBeNull();
      expect(() => squeeze(x, 1)).toThrow(/Can not squeeze dim\[1\]/);
      expect(identity(x, { name: "out" }).name).toBe("out:0");
    });
  });
});

describe("shape, size, rank", () => {
  it("are constants when static shapes answer them, ops otherwise", () => {
    inGraph(() => {
      const known = placeholder("float32", [2, 3]);
      expect(shape(known).op.type).toBe("Const");
      expect(size(known).op.type).toBe("Const");
      expect(rank(known).op.type).toBe("Const");
      const partial = placeholder("float32", [null, 3]);
      const s = shape(partial, { outType: "int64" });
      expect([s.op.type, s.dtype, s.shape]).toEqual(["Shape", "int64", [2]]);
      expect(s.op.attrs).toEqual({ T: { type: "float32" }, out_type: { type: "int64" } });
      expect(size(partial).op.type).toBe("Size");
      expect(rank(placeholder("float32")).op.type).toBe("Rank");
    });
  });
});

describe("transpose", () => {
  it("permutes the static shape; reverses by default", () => {
    inGraph(() => {
      const x = placeholder("float32", [2, 3, 4]);
      expect(transpose(x).shape).toEqual([4, 3, 2]);
      const t = transpose(x, [0, 2, 1]);
      expect(t.shape).toEqual([2, 4, 3]);
      expect(t.op.attrs).toEqual({ T: { type: "float32" }, Tperm: { type: "int32" } });
      expect(t.op.inputs[1]!.op.name).toBe("transpose_1/perm");
      expect(() => transpose(x, [0, 0, 1])).toThrow(RangeError);
      const u = transpose(placeholder("float32"));
      expect(u.shape).toBeNull();
      expect(u.op.inputs[1]!.op.type).toBe("Sub");
    });
  });
});

describe("stack, unstack, concat", () => {
  it("stack is Pack{N, T, axis}", () => {
    inGraph(() => {
      const a = placeholder("float32", [3]);
      const s = stack([a, a], 1);
      expect(s.op.type).toBe("Pack");
      expect(s.op.attrs).toEqual({ N: { i: 2 }, T: { type: "float32" }, axis: { i: 1 } });
      expect(s.shape).toEqual([3, 2]);
      expect(stack([a, [1, 2, 3]]).op.inputs[1]!.op.name).toBe("stack_1/values_1");
      expect(() => stack([a, placeholder("float32", [4])])).toThrow(RangeError);
    });
  });

  it("unstack is Unpack with one output per slice", () => {
    inGraph(() => {
      const parts = unstack(placeholder("int32", [2, 5]), { axis: 1 });
      expect(parts).toHaveLength(5);
      expect(parts[4]!.name).toBe("unstack:4");
      expect(parts[0]!.shape).toEqual([2]);
      expect(parts[0]!.op.attrs).toEqual({ T: { type: "int32" }, num: { i: 5 }, axis: { i: 1 } });
      expect(() => unstack(placeholder("int32", [null]))).toThrow(/Cannot infer num/);
    });
  });

  it("concat is ConcatV2 with the axis as last input", () => {
    inGraph((g) => {
      const a = placeholder("float32", [2, 3]);
      const b = placeholder("float32", [2, null]);
      const c = concat([a, b], 1);
      expect(c.op.type).toBe("ConcatV2");
      expect(c.op.attrs).toEqual({ N: { i: 2 }, T: { type: "float32" }, Tidx: { type: "int32" } });
      expect(g.toGraphDef().node.find((n) => n.name === "concat")!.input).toEqual(["Placeholder", "Placeholder_1", "concat/axis"]);
      expect(c.shape).toEqual([2, null]);
      expect(concat([a, a], 0).shape).toEqual([4, 3]);
      expect(concat([a], 0).op.type).toBe("Identity");
      expect(() => concat([a, placeholder("float32", [3, 3])], 1)).toThrow(RangeError);
    });
  });
});

describe("stopGradient", () => {
  it("is StopGradient{T} keeping dtype and shape", () => {
    inGraph(() => {
      const s = stopGradient(placeholder("int32", [2, null]));
      expect([s.op.type, s.dtype, s.shape, s.op.attrs]).toEqual(["StopGradient", "int32", [2, null], { T: { type: "int32" } }]);
    });
  });
});
