import { expect, it } from "vitest";
import { InvalidArgumentError } from "../../../../src/errors/index.js";
import { constant } from "../../../../src/graph/ops/creation.js";
import { sigmoidCrossEntropyWithLogits, softmaxCrossEntropyWithLogits, sparseSoftmaxCrossEntropyWithLogits } from "../../../../src/graph/ops/nn.js";
import { ndarray } from "../../../../src/tensor/ndarray.js";
import { evaluate1, expectClose, runKernel, describeOnBackends, inGraph } from "./harness.js";


const logits = [[1, 2, 3], [1, 1, 1]];
/** Reference: -sum(labels * log softmax(logits)) per row, in float64. */
function xent(rows: number[][], labels: number[][]): number[] {
  return rows.map((r, i) => {
    const m = Math.max(...r);
    const lse = m + Math.log(r.reduce((s, v) => s + Math.exp(v - m), 0));
    return -r.reduce((s, v, j) => s + labels[i]![j]! * (v - lse), 0);
  });
}

describeOnBackends("nn kernels", () => {

    it("sigmoidCrossEntropyWithLogits matches the naive formula and stays finite for large logits", async () => {
      const x = [-3, 0, 2, 100];
      const z = [0, 1, 1, 0];
      const loss = inGraph(() => sigmoidCrossEntropyWithLogits({ labels: constant(z), logits: constant(x) }));
      const naive = x.map((v, i) => Math.max(v, 0) - v * z[i]! + Math.log1p(Math.exp(-Math.abs(v))));
      expectClose(await evaluate1(loss), naive, 1e-5);
    });

    it("softmaxCrossEntropyWithLogits gives the loss per row; backprop is softmax - labels", async () => {
      const labels = [[0, 0, 1], [0.5, 0.5, 0]];
      const loss = inGraph(() => softmaxCrossEntropyWithLogits({ labels: constant(labels), logits: constant(logits) }));
      expectClose(await evaluate1(loss), xent(logits, labels));
      const backprop = await evaluate1(loss.op.outputs[1]!);
      expectClose(backprop, [0.09003057, 0.24472847, -0.33475904, -1 / 6, -1 / 6, 1 / 3], 1e-4);
    });

    it("softmaxCrossEntropyWithLogits on rank-3 logits reshapes the loss back", async () => {
      const loss = inGraph(() => softmaxCrossEntropyWithLogits({ labels: constant([[[0, 0, 1], [1, 0, 0]]]), logits: constant([logits]) }));
      const v = await evaluate1(loss);
      expect(v.shape).toEqual([1, 2]);
      expectClose(v, xent(logits, [[0, 0, 1], [1, 0, 0]]));
    });

    it("sparseSoftmaxCrossEntropyWithLogits takes class ids", async () => {
      const loss = inGraph(() => sparseSoftmaxCrossEntropyWithLogits({ labels: constant([2n, 0n]), logits: constant(logits) }));
      expectClose(await evaluate1(loss), xent(logits, [[0, 0, 1], [1, 0, 0]]));
      const higher = inGraph(() => sparseSoftmaxCrossEntropyWithLogits({ labels: constant([[2, 0]], { dtype: "int32" }), logits: constant([logits]) }));
      const hv = await evaluate1(higher);
      expect(hv.shape).toEqual([1, 2]);
      expectClose(hv, xent(logits, [[0, 0, 1], [1, 0, 0]]));
    });

    it("sparse labels out of range fail with TF's message", async () => {
      const err = await runKernel("SparseSoftmaxCrossEntropyWithLogits", [ndarray(logits), ndarray([0, 5], { dtype: "int32" })], {}, { name: "xent" }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as InvalidArgumentError).message).toBe("Received a label value of 5 which is outside the valid range of [0, 3).  Label values: 0 5");
      expect((err as InvalidArgumentError).nodeName).toBe("xent");
      await expect(runKernel("SoftmaxCrossEntropyWithLogits", [ndarray(logits), ndarray([[1, 0]])])).rejects.toThrow(
        "logits and labels must be broadcastable: logits_size=[2,3] labels_size=[1,2]",
      );
    });
});
