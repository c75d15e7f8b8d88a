import { describe, expect, it } from "vitest";
import { Graph } from "../../../../src/graph/graph.js";
import { gather, oneHot, pad, slice, split, tile, where } from "../../../../src/graph/ops/array.js";
import { constant, placeholder } from "../../../../src/graph/ops/creation.js";

const inGraph = <T>(fn: (g: Graph) => T): T => {
  const g = new Graph();
  return g.asDefault(() => fn(g));
};

describe("split", () => {
  it("a count gives Split{num_split} with split_dim first", () => {
    inGraph((g) => {
      const parts = split(placeholder("float32", [4, 6]), 3, 1);
      expect(parts).toHaveLength(3);
      expect(parts[0]!.op.type).toBe("Split");
      expect(parts[0]!.op.attrs).toEqual({ T: { type: "float32" }, num_split: { i: 3 } });
      expect(parts[2]!.shape).toEqual([4, 2]);
      expect(g.toGraphDef().node.find((n) => n.name === "split")!.input).toEqual(["split/split_dim", "Placeholder"]);
      expect(() => split(placeholder("float32", [5]), 2)).toThrow(/evenly divisible/);
    });
  });

  it("sizes give SplitV, with -1 taking the rest", () => {
    inGraph(() => {
      const [a, b] = split(placeholder("float32", [10, 2]), [3, -1]);
      expect(a!.op.type).toBe("SplitV");
      expect(a!.op.attrs).toEqual({ T: { type: "float32" }, Tlen: { type: "int32" }, num_split: { i: 2 } });
      expect([a!.shape, b!.shape]).toEqual([[3, 2], [7, 2]]);
    });
  });
});

describe("slice and gather", () => {
  it("slice infers sizes, -1 meaning the rest", () => {
    inGraph(() => {
      const s = slice(placeholder("float32", [5, 4]), [1, 0], [-1, 2]);
      expect(s.op.type).toBe("Slice");
      expect(s.op.attrs).toEqual({ T: { type: "float32" }, Index: { type: "int32" } });
      expect(s.shape).toEqual([4, 2]);
    });
  });

  it("gather is GatherV2 with params[:axis] + indices + params[axis+1:]", () => {
    inGraph(() => {
      const g = gather(placeholder("float32", [100, 8]), placeholder("int64", [null, 3]));
      expect(g.op.type).toBe("GatherV2");
      expect(g.op.attrs).toEqual({ Tparams: { type: "float32" }, Tindices: { type: "int64" }, Taxis: { type: "int32" }, batch_dims: { i: 0 } });
      expect(g.shape).toEqual([null, 3, 8]);
      expect(gather(constant([[1, 2], [3, 4]]), [0], 1).shape).toEqual([2, 1]);
    });
  });
});

describe("oneHot, tile, pad, where", () => {
  it("oneHot inserts depth at the axis; dtype from onValue", () => {
    inGraph(() => {
      const h = oneHot(placeholder("int32", [null]), 10);
      expect(h.op.type).toBe("OneHot");
      expect(h.name).toBe("one_hot:0");
      expect(h.op.attrs).toEqual({ T: { type: "float32" }, TI: { type: "int32" }, axis: { i: -1 } });
      expect(h.shape).toEqual([null, 10]);
      expect(oneHot([1, 2], 3, { axis: 0, dtype: "int32" }).shape).toEqual([3, 2]);
      expect(h.op.inputs.map((t) => t.op.name)).toEqual(["Placeholder", "one_hot/depth", "one_hot/on_value", "one_hot/off_value"]);
    });
  });

  it("tile multiplies dims; pad adds paddings; PadV2 for a constant", () => {
    inGraph(() => {
      expect(tile(placeholder("float32", [2, null]), [3, 2]).shape).toEqual([6, null]);
      const p = pad(placeholder("float32", [2, 3]), [[1, 1], [0, 2]]);
      expect([p.op.type, p.shape]).toEqual(["Pad", [4, 5]]);
      expect(p.op.attrs).toEqual({ T: { type: "float32" }, Tpaddings: { type: "int32" } });
      expect(pad(constant([1, 2]), [[1, 1]], { constantValues: 9 }).op.type).toBe("PadV2");
      const m = pad(constant([1, 2]), [[1, 1]], { mode: "REFLECT" });
      expect(m.op.attrs.mode).toEqual({ s: "REFLECT" });
    });
  });

  it("where is Select with the branches' shape", () => {
    inGraph(() => {
      const c = placeholder("bool", [2]);
      const w = where(c, constant([1, 2]), [0, 0]);
      expect(() => where(c, constant([1, 2]), 0)).toThrow(RangeError);
      expect([w.op.type, w.shape, w.dtype]).toEqual(["Select", [2], "float32"]);
      expect(() => where(constant([1, 0]), constant([1, 2]), constant([3, 4]))).toThrow(TypeError);
    });
  });
});
