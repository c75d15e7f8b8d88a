import { describe, expect, it } from "vitest";
import { Graph } from "../../../../src/graph/graph.js";
import { placeholder } from "../../../../src/graph/ops/creation.js";
import { sigmoidCrossEntropyWithLogits, softmaxCrossEntropyWithLogits, sparseSoftmaxCrossEntropyWithLogits } from "../../../../src/graph/ops/nn.js";

const inGraph = <T>(fn: (g: Graph) => T): T => {
  const g = new Graph();
  return g.asDefault(() => fn(g));
};

describe("sigmoidCrossEntropyWithLogits", () => {
  it("composes TF's stable formula under logistic_loss", () => {
    inGraph((g) => {
      const logits = placeholder("float32", [null, 3]);
      const labels = placeholder("float32", [null, 3]);
      const loss = sigmoidCrossEntropyWithLogits({ labels, logits });
      expect(loss.name).toBe("logistic_loss:0");
      expect(loss.op.type).toBe("AddV2");
      expect(loss.shape).toEqual([null, 3]);
      const types = g.getOperations().filter((o) => o.name.startsWith("logistic_loss/")).map((o) => o.type);
      for (const t of ["ZerosLike", "GreaterEqual", "Select", "Neg", "Mul", "Sub", "Exp", "Log1p"]) expect(types).toContain(t);
      expect(() => sigmoidCrossEntropyWithLogits({ labels: placeholder("float32", [2]), logits: placeholder("float32", [3]) })).toThrow(/same shape/);
    });
  });
});

describe("softmaxCrossEntropyWithLogits", () => {
  it("is the SoftmaxCrossEntropyWithLogits kernel's loss output for matrices", () => {
    inGraph(() => {
      const loss = softmaxCrossEntropyWithLogits({ labels: placeholder("float32", [null, 10]), logits: placeholder("float32", [null, 10]) });
      expect(loss.op.type).toBe("SoftmaxCrossEntropyWithLogits");
      expect(loss.op.name).toBe("softmax_cross_entropy_with_logits");
      expect(loss.op.outputs).toHaveLength(2);
      expect(loss.shape).toEqual([null]);
      expect(loss.op.outputs[1]!.shape).toEqual([null, 10]);
      expect(loss.op.attrs).toEqual({ T: { type: "float32" } });
    });
  });

  it("flattens other ranks and reshapes the loss back", () => {
    inGraph(() => {
      const loss = softmaxCrossEntropyWithLogits({ labels: placeholder("float32", [2, 5, 4]), logits: placeholder("float32", [2, 5, 4]) });
      expect(loss.op.type).toBe("Reshape");
      expect(loss.shape).toEqual([2, 5]);
      expect(loss.op.inputs[0]!.op.type).toBe("SoftmaxCrossEntropyWithLogits");
    });
  });
});

describe("sparseSoftmaxCrossEntropyWithLogits", () => {
  it("takes int labels of rank one less than logits", () => {
    inGraph(() => {
      const loss = sparseSoftmaxCrossEntropyWithLogits({ labels: placeholder("int64", [null]), logits: placeholder("float32", [null, 10]) });
      expect(loss.op.type).toBe("SparseSoftmaxCrossEntropyWithLogits");
      expect(loss.op.name).toBe("SparseSoftmaxCrossEntropyWithLogits/SparseSoftmaxCrossEntropyWithLogits");
      expect(loss.op.attrs).toEqual({ T: { type: "float32" }, Tlabels: { type: "int64" } });
      expect(loss.shape).toEqual([null]);
      expect(() => sparseSoftmaxCrossEntropyWithLogits({ labels: placeholder("int32", [2, 1]), logits: placeholder("float32", [2, 3]) })).toThrow(/Rank mismatch/);
      expect(() => sparseSoftmaxCrossEntropyWithLogits({ labels: placeholder("float32", [2]), logits: placeholder("float32", [2, 3]) })).toThrow(TypeError);
    });
  });

  it("reshapes higher-rank logits and restores the labels' shape", () => {
    inGraph(() => {
      const loss = sparseSoftmaxCrossEntropyWithLogits({ labels: placeholder("int32", [2, 5]), logits: placeholder("float32", [2, 5, 7]) });
      expect(loss.shape).toEqual([2, 5]);
      expect(loss.op.type).toBe("Reshape");
    });
  });
});
