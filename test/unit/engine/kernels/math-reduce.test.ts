import { expect, it } from "vitest";
import { InvalidArgumentError } from "../../../../src/errors/index.js";
import { constant } from "../../../../src/graph/ops/creation.js";
import { argMax, logSoftmax, matMul, reduceMax, reduceMean, reduceSum, softmax } from "../../../../src/graph/ops/math-reduce.js";
import { ndarray } from "../../../../src/tensor/ndarray.js";
import { evaluate1, expectClose, runKernel, runKernel1, describeOnBackends, inGraph } from "./harness.js";


const m23 = ndarray([[1, 2, 3], [4, 5, 6]]);

describeOnBackends("matrix and reduction kernels", () => {

    it("MatMul with and without transposes", async () => {
      const [p, q] = inGraph(() => {
        const a = constant(m23);
        return [matMul(a, a, { transposeB: true }), matMul(a, a, { transposeA: true })];
      });
      expect((await evaluate1(p!)).toArray()).toEqual([[14, 32], [32, 77]]);
      expect((await evaluate1(q!)).shape).toEqual([3, 3]);
      const i = await runKernel1("MatMul", [ndarray([[1, 2]], { dtype: "int32" }), ndarray([[3], [4]], { dtype: "int32" })]);
      expect([i.dtype, i.toArray()]).toEqual(["int32", [[11]]]);
    });

    it("MatMul rejects size-incompatible and non-matrix inputs with TF's messages", async () => {
      const err = await runKernel("MatMul", [m23, m23], {}, { name: "mm" }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as InvalidArgumentError).message).toBe("Matrix size-incompatible: In[0]: [2,3], In[1]: [2,3]");
      expect((err as InvalidArgumentError).nodeName).toBe("mm");
      await expect(runKernel("MatMul", [ndarray([1, 2]), m23])).rejects.toThrow("In[0] is not a matrix. Instead it has shape [2]");
    });

    it("BatchMatMulV2 broadcasts batch dimensions", async () => {
      const a = ndarray([[[1, 0], [0, 1]], [[2, 0], [0, 2]]]);
      const b = ndarray([[1, 2], [3, 4]]);
      const out = await runKernel1("BatchMatMulV2", [a, b], { adj_x: { b: false }, adj_y: { b: false } });
      expect(out.toArray()).toEqual([[[1, 2], [3, 4]], [[2, 4], [6, 8]]]);
      await expect(runKernel("BatchMatMulV2", [a, ndarray([[1, 2, 3]])])).rejects.toThrow(/Matrix size-incompatible/);
    });

    it("Softmax and LogSoftmax over the last axis; other axes via transposes", async () => {
      const [s, l, s0] = inGraph(() => {
        const x = constant([[0, Math.log(3)], [0, 0]]);
        return [softmax(x), logSoftmax(x), softmax(x, { axis: 0 })];
      });
      expectClose(await evaluate1(s!), [0.25, 0.75, 0.5, 0.5]);
      expectClose(await evaluate1(l!), [Math.log(0.25), Math.log(0.75), Math.log(0.5), Math.log(0.5)]);
      expectClose(await evaluate1(s0!), [0.5, 0.75, 0.5, 0.25]);
      await expect(runKernel("Softmax", [ndarray(1)])).rejects.toThrow("logits must have >= 1 dimension, got []");
    });

    it("Sum, Mean, Max over given axes, negative axes and keep_dims", async () => {
      const [s, m, mx, all] = inGraph(() => {
        const x = constant(m23);
        return [reduceSum(x, 1), reduceMean(x, 0, true), reduceMax(x, -1), reduceSum(x)];
      });
      expect((await evaluate1(s!)).toArray()).toEqual([6, 15]);
      expect((await evaluate1(m!)).toArray()).toEqual([[2.5, 3.5, 4.5]]);
      expect((await evaluate1(mx!)).toArray()).toEqual([3, 6]);
      expect((await evaluate1(all!)).toArray()).toBe(21);
    });

    it("integer reductions keep the dtype (Mean truncates as TF)", async () => {
      const x = ndarray([7n, -7n, 5n]);
      const axis = ndarray([0], { dtype: "int32" });
      const mean = await runKernel1("Mean", [x, axis], { keep_dims: { b: false } });
      expect([mean.dtype, mean.toArray()]).toEqual(["int64", 1n]);
      const sum = await runKernel1("Sum", [ndarray([1, 2], { dtype: "int32" }), ndarray(0, { dtype: "int32" })]);
      expect(sum.toArray()).toBe(3);
      const none = await runKernel1("Sum", [m23, ndarray([], { dtype: "int32", shape: [0] })]);
      expect(none.toArray()).toEqual(m23.toArray());
    });

    it("reductions reject bad axes", async () => {
      await expect(runKernel("Sum", [m23, ndarray([2], { dtype: "int32" })])).rejects.toThrow("Invalid reduction dimension (2 for input with 2 dimension(s)");
      await expect(runKernel("Max", [m23, ndarray([0, -2], { dtype: "int32" })])).rejects.toThrow(/duplicate dimension: 0/);
    });

    it("ArgMax gives int64 (or int32) indices", async () => {
      const [a, b] = inGraph(() => [argMax(constant(m23), 1), argMax(constant([[3, 1], [0, 5]]), 0, { outputType: "int32" })]);
      const av = await evaluate1(a!);
      expect([av.dtype, av.toArray()]).toEqual(["int64", [2n, 2n]]);
      expect((await evaluate1(b!)).toArray()).toEqual([0, 1]);
      await expect(runKernel("ArgMax", [m23, ndarray(2, { dtype: "int32" })], { output_type: { type: "int64" } })).rejects.toThrow(
        "Expected dimension in the range [-2, 2), but got 2",
      );
    });
});
