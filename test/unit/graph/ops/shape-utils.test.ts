import { describe, expect, it } from "vitest";
import { Graph } from "../../../../src/graph/graph.js";
import { stack } from "../../../../src/graph/ops/array.js";
import { constant, placeholder } from "../../../../src/graph/ops/creation.js";
import { broadcastShapes, constantNumbers, mergeShapes, normalizeAxis, numElements, shapeFromTensor, shapeString } from "../../../../src/graph/ops/shape-utils.js";
import { makeTensorOp } from "../../../../src/graph/convert.js";

describe("broadcastShapes", () => {
  it("follows numpy rules with unknown dimensions", () => {
    expect(broadcastShapes([2, 1, 3], [4, 1])).toEqual([2, 4, 3]);
    expect(broadcastShapes([null, 3], [3])).toEqual([null, 3]);
    expect(broadcastShapes([null], [1])).toEqual([null]);
    expect(broadcastShapes([5], null)).toBeNull();
    expect(() => broadcastShapes([2], [3])).toThrow(/but are 2 and 3/);
  });
});

describe("mergeShapes and friends", () => {
  it("merges compatible shapes and rejects clashes", () => {
    expect(mergeShapes([null, 3], [2, null])).toEqual([2, 3]);
    expect(mergeShapes(null, [1])).toEqual([1]);
    expect(() => mergeShapes([1], [1, 2])).toThrow(/equal rank/);
    expect(() => mergeShapes([1], [2])).toThrow(RangeError);
    expect(numElements([2, 3])).toBe(6);
    expect(numElements([2, null])).toBeNull();
    expect(shapeString([null, 3])).toBe("[?,3]");
    expect(normalizeAxis(-1, 3)).toBe(2);
    expect(() => normalizeAxis(3, 3)).toThrow(RangeError);
  });
});

describe("constantNumbers / shapeFromTensor", () => {
  it("read constants, static Shape ops and Packs of scalars", () => {
    new Graph().asDefault(() => {
      expect(constantNumbers(constant([3, -1], { dtype: "int32" }))).toEqual([3, -1]);
      const p = placeholder("float32", [2, null]);
      const shapeOp = makeTensorOp("Shape", [p], { T: { type: "float32" } }, "int32", [2]);
      expect(constantNumbers(shapeOp)).toBeNull();
      expect(shapeFromTensor(shapeOp)).toEqual([2, null]);
      const packed = stack([constant(4, { dtype: "int32" }), placeholder("int32", [])]);
      expect(shapeFromTensor(packed)).toEqual([4, null]);
      expect(shapeFromTensor(constant([-1, 5], { dtype: "int32" }))).toEqual([null, 5]);
      expect(shapeFromTensor(placeholder("int32", [3]))).toEqual([null, null, null]);
      expect(shapeFromTensor(placeholder("int32"))).toBeNull();
    });
  });
});
