import { expect, it } from "vitest";
import { InvalidArgumentError } from "../../../../src/errors/index.js";
import { gather, oneHot, pad, slice, split, tile, where } from "../../../../src/graph/ops/array.js";
import { constant } from "../../../../src/graph/ops/creation.js";
import { ndarray } from "../../../../src/tensor/ndarray.js";
import { evaluate, evaluate1, runKernel, runKernel1, describeOnBackends, inGraph } from "./harness.js";

const i32 = (v: unknown) => ndarray(v, { dtype: "int32" });
const m23 = [[1, 2, 3], [4, 5, 6]];

describeOnBackends("array indexing kernels", () => {

    it("Split and SplitV", async () => {
      const [even, sized] = inGraph(() => [split(constant(m23), 3, 1), split(constant([1, 2, 3, 4, 5]), [2, -1])]);
      expect((await evaluate(even!)).map((v) => v.toArray())).toEqual([[[1], [4]], [[2], [5]], [[3], [6]]]);
      expect((await evaluate(sized!)).map((v) => v.toArray())).toEqual([[1, 2], [3, 4, 5]]);
      await expect(runKernel("Split", [i32(0), ndarray([1, 2, 3])], { num_split: { i: 2 } })).rejects.toThrow(/evenly divide/);
      await expect(runKernel("SplitV", [ndarray([1, 2, 3]), i32([1, 1]), i32(0)], { num_split: { i: 2 } })).rejects.toThrow(InvalidArgumentError);
    });

    it("Slice with -1 sizes and bounds checks", async () => {
      const s = inGraph(() => slice(constant(m23), [0, 1], [-1, 2]));
      expect((await evaluate1(s)).toArray()).toEqual([[2, 3], [5, 6]]);
      await expect(runKernel("Slice", [ndarray(m23), i32([0, 2]), i32([1, 2])])).rejects.toThrow("Expected size[1] in [0, 1], but got 2");
      await expect(runKernel("Slice", [ndarray(m23), i32([0]), i32([1])])).rejects.toThrow(/Expected begin and size arguments to be 1-D tensors of size 2/);
    });

    it("GatherV2 on any axis, strings included, with index checks", async () => {
      const [rows, cols, words] = inGraph(() => [
        gather(constant(m23), [1, 0, 1]),
        gather(constant(m23), [[2], [0]], 1),
        gather(constant(["x", "y", "z"]), constant([2n, 0n])),
      ]);
      expect((await evaluate1(rows!)).toArray()).toEqual([[4, 5, 6], [1, 2, 3], [4, 5, 6]]);
      const c = await evaluate1(cols!);
      expect([c.shape, c.toArray()]).toEqual([[2, 2, 1], [[[3], [1]], [[6], [4]]]]);
      expect((await evaluate1(words!)).toArray()).toEqual(["z", "x"]);
      const err = await runKernel("GatherV2", [ndarray([1, 2, 3]), i32([0, 5]), i32(0)], {}, { name: "g" }).catch((e: unknown) => e);
      expect((err as InvalidArgumentError).message).toBe("indices[1] = 5 is not in [0, 3)");
      expect((err as InvalidArgumentError).nodeName).toBe("g");
    });

    it("OneHot on the last and first axis; out-of-range indices give off_value rows", async () => {
      const [h, h0] = inGraph(() => [oneHot([0, 2, 5], 3), oneHot([1, 0], 3, { axis: 0, onValue: 5, offValue: -1, dtype: "int32" })]);
      expect((await evaluate1(h!)).toArray()).toEqual([[1, 0, 0], [0, 0, 1], [0, 0, 0]]);
      const v0 = await evaluate1(h0!);
      expect([v0.dtype, v0.toArray()]).toEqual(["int32", [[-1, 5], [5, -1], [-1, -1]]]);
      await expect(runKernel("OneHot", [i32([0]), i32(-1), ndarray(1), ndarray(0)], { axis: { i: -1 } })).rejects.toThrow("depth must be non-negative, got: -1");
    });

    it("Tile repeats along each dimension", async () => {
      const t = inGraph(() => tile(constant([[1, 2]]), [2, 2]));
      expect((await evaluate1(t)).toArray()).toEqual([[1, 2, 1, 2], [1, 2, 1, 2]]);
      await expect(runKernel("Tile", [ndarray([1]), i32([1, 1])])).rejects.toThrow("Expected multiples argument to be a vector of length 1 but got length 2");
    });

    it("Pad, PadV2 and MirrorPad", async () => {
      const [p, p2, r, s] = inGraph(() => {
        const x = constant([[1, 2], [3, 4]]);
        return [
          pad(x, [[1, 0], [0, 1]]),
          pad(constant([1, 2]), [[1, 2]], { constantValues: 9 }),
          pad(constant([1, 2, 3]), [[2, 2]], { mode: "REFLECT" }),
          pad(constant([1, 2, 3]), [[2, 2]], { mode: "SYMMETRIC" }),
        ];
      });
      expect((await evaluate1(p!)).toArray()).toEqual([[0, 0, 0], [1, 2, 0], [3, 4, 0]]);
      expect((await evaluate1(p2!)).toArray()).toEqual([9, 1, 2, 9, 9]);
      expect((await evaluate1(r!)).toArray()).toEqual([3, 2, 1, 2, 3, 2, 1]);
      expect((await evaluate1(s!)).toArray()).toEqual([2, 1, 1, 2, 3, 3, 2]);
      await expect(runKernel("Pad", [ndarray([1]), i32([[-1, 0]])])).rejects.toThrow("Paddings must be non-negative: -1 0");
      await expect(runKernel("MirrorPad", [ndarray([1, 2]), i32([[2, 0]])], { mode: { s: "REFLECT" } })).rejects.toThrow(/no greater than the dimension size/);
    });

    it("Select with a same-shape, vector or scalar condition", async () => {
      const w = inGraph(() => where(constant([true, false]), constant(["a", "b"]), constant(["c", "d"])));
      expect((await evaluate1(w)).toArray()).toEqual(["a", "d"]);
      const rows = await runKernel1("Select", [ndarray([false, true]), ndarray(m23), ndarray([[0, 0, 0], [9, 9, 9]])]);
      expect(rows.toArray()).toEqual([[0, 0, 0], [4, 5, 6]]);
      const all = await runKernel1("Select", [ndarray(true), ndarray([1, 2]), ndarray([3, 4])]);
      expect(all.toArray()).toEqual([1, 2]);
      await expect(runKernel("Select", [ndarray([true]), ndarray([1, 2]), ndarray([3])])).rejects.toThrow(/'then' and 'else' must have the same size/);
    });
});
