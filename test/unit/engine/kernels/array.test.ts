import { expect, it } from "vitest";
import { InvalidArgumentError } from "../../../../src/errors/index.js";
import { concat, expandDims, identity, reshape, shape, squeeze, stack, transpose, unstack } from "../../../../src/graph/ops/array.js";
import { constant, placeholder } from "../../../../src/graph/ops/creation.js";
import { ndarray } from "../../../../src/tensor/ndarray.js";
import { evaluate, evaluate1, runKernel, runKernel1, describeOnBackends, inGraph } from "./harness.js";

const i32 = (v: unknown) => ndarray(v, { dtype: "int32" });

describeOnBackends("array kernels", () => {

    it("Identity and Reshape keep strings and int64 exact", async () => {
      const [id, r] = inGraph(() => {
        const s = constant([["a", "b"], ["c", "d"]]);
        return [identity(s), reshape(constant([2n ** 40n, 1n, 2n, 3n]), [2, -1])];
      });
      expect((await evaluate1(id!)).toArray()).toEqual([["a", "b"], ["c", "d"]]);
      expect((await evaluate1(r!)).toArray()).toEqual([[2n ** 40n, 1n], [2n, 3n]]);
    });

    it("Reshape reports TF's errors with the node name", async () => {
      const x = ndarray([1, 2, 3, 4, 5, 6]);
      const err = await runKernel("Reshape", [x, i32([4])], {}, { name: "rs" }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as InvalidArgumentError).message).toBe("Input to reshape is a tensor with 6 values, but the requested shape has 4");
      expect((err as InvalidArgumentError).nodeName).toBe("rs");
      await expect(runKernel("Reshape", [x, i32([-1, 4])])).rejects.toThrow("requires a multiple of 4");
      await expect(runKernel("Reshape", [x, i32([-1, -1])])).rejects.toThrow("Only one input size may be -1, not both 0 and 1");
    });

    it("ExpandDims and Squeeze", async () => {
      const [e, s] = inGraph(() => [expandDims(constant([1, 2]), -1), squeeze(constant([[[1], [2]]]))]);
      expect((await evaluate1(e!)).toArray()).toEqual([[1], [2]]);
      expect((await evaluate1(s!)).toArray()).toEqual([1, 2]);
      const x = ndarray([[1, 2]]);
      await expect(runKernel("Squeeze", [x], { squeeze_dims: { list: { i: [1] } } })).rejects.toThrow("Can not squeeze dim[1], expected a dimension of 1, got 2");
      expect((await runKernel1("Squeeze", [x], { squeeze_dims: { list: { i: [0] } } })).shape).toEqual([2]);
      await expect(runKernel("ExpandDims", [x, i32(3)])).rejects.toThrow("Tried to expand dim index 3 for tensor with 2 dimensions.");
    });

    it("Shape, Size and Rank of a fed tensor", async () => {
      const [p, s] = inGraph(() => {
        const x = placeholder("float32", [null, 2]);
        return [x, shape(x, { outType: "int64" })];
      });
      const v = await evaluate1(s!, new Map([[p!, ndarray([[1, 2], [3, 4], [5, 6]])]]));
      expect([v.dtype, v.toArray()]).toEqual(["int64", [3n, 2n]]);
      expect((await runKernel1("Size", [ndarray([[1, 2, 3]])], { out_type: { type: "int32" } })).toArray()).toBe(3);
      expect((await runKernel1("Rank", [ndarray([[1, 2, 3]])])).toArray()).toBe(2);
    });

    it("Transpose permutes any dtype and checks perm", async () => {
      const [t, r] = inGraph(() => {
        const x = constant([[["a", "b"], ["c", "d"], ["e", "f"]]]);
        return [transpose(x, [2, 0, 1]), transpose(constant([[1, 2, 3], [4, 5, 6]]))];
      });
      const tv = await evaluate1(t!);
      expect(tv.shape).toEqual([2, 1, 3]);
      expect(tv.toArray()).toEqual([[["a", "c", "e"]], [["b", "d", "f"]]]);
      expect((await evaluate1(r!)).toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
      await expect(runKernel("Transpose", [ndarray([[1]]), i32([0, 0])])).rejects.toThrow("1 is missing from {0,0}.");
      await expect(runKernel("Transpose", [ndarray([[1]]), i32([0])])).rejects.toThrow("transpose expects a vector of size 2. But input(1) is a vector of size 1");
    });

    it("Pack and Unpack along any axis", async () => {
      const [s, parts] = inGraph(() => {
        const a = constant([1, 2]);
        const b = constant([3, 4]);
        return [stack([a, b], 1), unstack(constant([[1, 2, 3], [4, 5, 6]]), { axis: 1 })];
      });
      expect((await evaluate1(s!)).toArray()).toEqual([[1, 3], [2, 4]]);
      const values = await evaluate(parts!);
      expect(values.map((v) => v.toArray())).toEqual([[1, 4], [2, 5], [3, 6]]);
      await expect(runKernel("Pack", [ndarray([1]), ndarray([1, 2])], { axis: { i: 0 } })).rejects.toThrow(
        "Shapes of all inputs must match: values[0].shape = [1] != values[1].shape = [2]",
      );
      await expect(runKernel("Unpack", [ndarray([[1, 2]])], { num: { i: 3 }, axis: { i: 0 } })).rejects.toThrow("Input shape axis 0 must equal 3, got shape [1,2]");
    });

    it("ConcatV2 joins along an axis, with TF's errors", async () => {
      const [c, s] = inGraph(() => [concat([constant([[1, 2]]), constant([[3, 4]])], 0), concat([constant(["a"]), constant(["b", "c"])], -1)]);
      expect((await evaluate1(c!)).toArray()).toEqual([[1, 2], [3, 4]]);
      expect((await evaluate1(s!)).toArray()).toEqual(["a", "b", "c"]);
      const axis = i32(1);
      expect((await runKernel1("ConcatV2", [ndarray([[1], [2]]), ndarray([[3, 4], [5, 6]]), axis])).toArray()).toEqual([[1, 3, 4], [2, 5, 6]]);
      await expect(runKernel("ConcatV2", [ndarray([[1, 2]]), ndarray([[1, 2, 3], [4, 5, 6]]), i32(0)])).rejects.toThrow(
        "ConcatOp : Dimensions of inputs should match: shape[0] = [1,2] vs. shape[1] = [2,3]",
      );
      await expect(runKernel("ConcatV2", [ndarray([1]), ndarray([[1]]), i32(0)])).rejects.toThrow(/Ranks of all input tensors should match/);
      await expect(runKernel("ConcatV2", [ndarray([1]), ndarray([2]), i32(1)])).rejects.toThrow("ConcatOp : Expected concatenating dimensions in the range [-1, 1), but got 1");
    });
});
