import { describe, expect, it } from "vitest";
import { Graph } from "../../../../src/graph/graph.js";
import { constant, fill, ones, placeholder, placeholderWithDefault, randomNormal, randomUniform, range, truncatedNormal, zeros, zerosLike } from "../../../../src/graph/ops/creation.js";
import { ndarray } from "../../../../src/tensor/ndarray.js";

const inGraph = <T>(fn: (g: Graph) => T): T => {
  const g = new Graph();
  return g.asDefault(() => fn(g));
};

describe("constant", () => {
  it("is a Const with value and dtype attrs, float32 for JS numbers", () => {
    inGraph((g) => {
      const c = constant([[1, 2], [3, 4]]);
      expect(c.name).toBe("Const:0");
      expect(c.dtype).toBe("float32");
      expect(c.shape).toEqual([2, 2]);
      const node = g.toGraphDef().node[0]!;
      expect(node.op).toBe("Const");
      expect(node.attr.dtype).toEqual({ type: "float32" });
      expect((node.attr.value as { tensor: { toArray(): unknown } }).tensor.toArray()).toEqual([[1, 2], [3, 4]]);
    });
  });

  it("honours dtype, shape (broadcasting a scalar) and name", () => {
    inGraph(() => {
      const c = constant(7, { dtype: "int32", shape: [2, 3], name: "sevens" });
      expect(c.name).toBe("sevens:0");
      expect(c.dtype).toBe("int32");
      expect(c.shape).toEqual([2, 3]);
      expect(constant(ndarray([1n, 2n])).dtype).toBe("int64");
    });
  });
});

describe("placeholder", () => {
  it("has dtype and shape attrs; unknown rank by default", () => {
    inGraph((g) => {
      const x = placeholder("float32", [null, 3], { name: "x" });
      expect(x.shape).toEqual([null, 3]);
      const y = placeholder("int64");
      expect(y.shape).toBeNull();
      const [nx, ny] = g.toGraphDef().node;
      expect(nx).toMatchObject({ name: "x", op: "Placeholder", attr: { dtype: { type: "float32" }, shape: { shape: [null, 3] } } });
      expect(ny!.attr.shape).toEqual({ shape: null });
    });
  });

  it("placeholderWithDefault takes the default as input and may relax its shape", () => {
    inGraph((g) => {
      const p = placeholderWithDefault([1, 2, 3], [null]);
      expect(p.op.type).toBe("PlaceholderWithDefault");
      expect(p.shape).toEqual([null]);
      expect(p.op.inputs[0]!.op.name).toBe("PlaceholderWithDefault/input");
      expect(g.toGraphDef().node[1]!.attr).toEqual({ dtype: { type: "float32" }, shape: { shape: [null] } });
      expect(() => placeholderWithDefault([1, 2], [3])).toThrow(RangeError);
    });
  });
});

describe("zeros, ones, fill", () => {
  it("small static shapes are constants, large ones a Fill", () => {
    inGraph(() => {
      const z = zeros([2, 3], "int32");
      expect(z.op.type).toBe("Const");
      expect(z.name).toBe("zeros:0");
      expect(z.dtype).toBe("int32");
      const big = ones([100, 100]);
      expect(big.op.type).toBe("Fill");
      expect(big.name).toBe("ones:0");
      expect(big.shape).toEqual([100, 100]);
    });
  });

  it("fill infers its shape from constant dims and types attrs from inputs", () => {
    inGraph(() => {
      const f = fill([2, 3], 9);
      expect(f.op.type).toBe("Fill");
      expect(f.shape).toEqual([2, 3]);
      expect(f.op.attrs).toEqual({ T: { type: "float32" }, index_type: { type: "int32" } });
      expect(f.op.inputs.map((t) => t.op.name)).toEqual(["Fill/dims", "Fill/value"]);
      const dims = placeholder("int32", [2]);
      expect(fill(dims, 1).shape).toEqual([null, null]);
    });
  });

  it("zerosLike keeps dtype and shape", () => {
    inGraph(() => {
      const z = zerosLike(placeholder("int64", [4, null]));
      expect(z.op.type).toBe("ZerosLike");
      expect([z.dtype, z.shape]).toEqual(["int64", [4, null]]);
    });
  });
});

describe("range", () => {
  it("is int32 for integers, float32 for fractions, with a static length", () => {
    inGraph(() => {
      const r = range(5);
      expect([r.op.type, r.dtype, r.shape]).toEqual(["Range", "int32", [5]]);
      expect(r.op.attrs.Tidx).toEqual({ type: "int32" });
      expect(range(0, 1, 0.25).dtype).toBe("float32");
      expect(range(0, 1, 0.25).shape).toEqual([4]);
      expect(range(10, 0, -3).shape).toEqual([4]);
      expect(range(0, 5, 1, { dtype: "int64" }).dtype).toBe("int64");
      expect(range(0, placeholder("int32", [])).shape).toEqual([null]);
    });
  });
});

describe("random ops", () => {
  it("randomNormal composes RandomStandardNormal * stddev + mean under its name", () => {
    inGraph((g) => {
      const r = randomNormal([2, 3], { stddev: 2, mean: 1, seed: 5 });
      expect(r.name).toBe("random_normal:0");
      expect(r.op.type).toBe("AddV2");
      expect(r.shape).toEqual([2, 3]);
      const rnd = g.getOperationByName("random_normal/RandomStandardNormal");
      expect(rnd.attrs).toMatchObject({ seed: { i: 87654321 }, seed2: { i: 5 }, dtype: { type: "float32" }, T: { type: "int32" } });
      expect(rnd.outputs[0]!.shape).toEqual([2, 3]);
      expect(g.getOperationByName("random_normal/mul").type).toBe("Mul");
      expect(g.hasOperation("random_normal/shape")).toBe(true);
    });
  });

  it("without any seed the seeds are 0 (the kernel draws from the step)", () => {
    inGraph((g) => {
      truncatedNormal([3], { name: "w" });
      expect(g.getOperationByName("w/TruncatedNormal").attrs).toMatchObject({ seed: { i: 0 }, seed2: { i: 0 } });
    });
  });

  it("a graph seed gives each op its own seed2", () => {
    inGraph((g) => {
      g.seed = 42;
      const a = randomUniform([2]);
      const b = randomUniform([2]);
      const sa = g.getOperationByName("random_uniform/RandomUniform").attrs;
      const sb = g.getOperationByName("random_uniform_1/RandomUniform").attrs;
      expect(sa.seed).toEqual({ i: 42 });
      expect(sa.seed2).not.toEqual(sb.seed2);
      expect([a.name, b.name]).toEqual(["random_uniform:0", "random_uniform_1:0"]);
    });
  });

  it("integer randomUniform is one RandomUniformInt and needs maxval", () => {
    inGraph(() => {
      const r = randomUniform([4], { dtype: "int32", minval: 0, maxval: 10 });
      expect(r.op.type).toBe("RandomUniformInt");
      expect(r.op.attrs.Tout).toEqual({ type: "int32" });
      expect(() => randomUniform([4], { dtype: "int32" })).toThrow(TypeError);
    });
  });
});
