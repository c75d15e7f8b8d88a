import { expect, it } from "vitest";
import { InvalidArgumentError, UnimplementedError } from "../../../../src/errors/index.js";
import { constant, placeholder } from "../../../../src/graph/ops/creation.js";
import { add, cast, div, equal, greater, logicalAnd, mul, pow, relu, sigmoid, sqrt, sub } from "../../../../src/graph/ops/math.js";
import { ndarray } from "../../../../src/tensor/ndarray.js";
import { evaluate1, expectClose, runKernel, runKernel1, describeOnBackends, inGraph } from "./harness.js";


describeOnBackends("math kernels", () => {

    it("AddV2 broadcasts and keeps float32", async () => {
      const t = inGraph(() => add(constant([[1, 2, 3], [4, 5, 6]]), constant([10, 20, 30])));
      const v = await evaluate1(t);
      expect([v.dtype, v.shape, v.toArray()]).toEqual(["float32", [2, 3], [[11, 22, 33], [14, 25, 36]]]);
    });

    it("fails at run time on incompatible shapes, naming the node", async () => {
      const err = await runKernel("AddV2", [ndarray([1, 2]), ndarray([1, 2, 3])], { T: { type: "float32" } }, { name: "my_add" }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as InvalidArgumentError).message).toBe("Incompatible shapes: [2] vs. [3]");
      expect((err as InvalidArgumentError).nodeName).toBe("my_add");
    });

    it("keeps int64, float64 and uint8 dtypes through float32/int32 compute", async () => {
      const i64 = await runKernel1("Mul", [ndarray([3n, -4n]), ndarray([5n, 6n])]);
      expect([i64.dtype, i64.toArray()]).toEqual(["int64", [15n, -24n]]);
      const f64 = await runKernel1("Sub", [ndarray([1.5, 2], { dtype: "float64" }), ndarray([0.5], { dtype: "float64" })]);
      expect([f64.dtype, f64.toArray()]).toEqual(["float64", [1, 1.5]]);
      const u8 = await runKernel1("AddV2", [ndarray([250, 1], { dtype: "uint8" }), ndarray([10, 1], { dtype: "uint8" })]);
      expect([u8.dtype, u8.toArray()]).toEqual(["uint8", [4, 2]]);
    });

    it("div: RealDiv for floats, FloorDiv rounding down for ints, integer division by zero fails", async () => {
      const [f, i] = inGraph(() => [div(constant([1, -3]), 2), div(constant([7, -7], { dtype: "int32" }), 2)]);
      expect((await evaluate1(f!)).toArray()).toEqual([0.5, -1.5]);
      expect((await evaluate1(i!)).toArray()).toEqual([3, -4]);
      await expect(runKernel("FloorDiv", [ndarray([1], { dtype: "int32" }), ndarray([0], { dtype: "int32" })])).rejects.toThrow("Integer division by zero");
    });

    it("maximum, minimum, pow, sub with scalars", async () => {
      const [s, p] = inGraph(() => [sub(10, constant([1, 2])), pow(constant([2, 3], { dtype: "int32" }), 2)]);
      expect((await evaluate1(s!)).toArray()).toEqual([9, 8]);
      expect((await evaluate1(p!)).toArray()).toEqual([4, 9]);
      expect((await runKernel1("Maximum", [ndarray([1, 5]), ndarray(3)])).toArray()).toEqual([3, 5]);
      expect((await runKernel1("Minimum", [ndarray([1, 5]), ndarray(3)])).toArray()).toEqual([1, 3]);
      await expect(runKernel("Pow", [ndarray([2], { dtype: "int32" }), ndarray([-1], { dtype: "int32" })])).rejects.toThrow(/negative integer powers/);
    });

    it("comparisons and logical ops give bool", async () => {
      const [e, g, l] = inGraph(() => {
        const x = constant([1, 2, 3]);
        return [equal(x, 2), greater(x, 1), logicalAnd(greater(x, 1), equal(x, 3))];
      });
      expect((await evaluate1(e!)).toArray()).toEqual([false, true, false]);
      expect((await evaluate1(g!)).toArray()).toEqual([false, true, true]);
      expect((await evaluate1(l!)).toArray()).toEqual([false, false, true]);
      expect((await runKernel1("LogicalNot", [ndarray([true, false])])).toArray()).toEqual([false, true]);
      expect((await runKernel1("LessEqual", [ndarray([1, 2]), ndarray([2, 2])])).toArray()).toEqual([true, true]);
    });

    it("Equal and NotEqual compare strings by bytes, with broadcasting", async () => {
      const e = await runKernel1("Equal", [ndarray(["a", "b", "a"]), ndarray("a")]);
      expect(e.toArray()).toEqual([true, false, true]);
      const n = await runKernel1("NotEqual", [ndarray([["x"], ["y"]]), ndarray(["x", "y"])]);
      expect(n.toArray()).toEqual([[false, true], [true, false]]);
    });

    it("unary functions", async () => {
      const [r, s, q] = inGraph(() => [relu(constant([-1, 2])), sigmoid(constant([0])), sqrt(constant([4, 9], { dtype: "float64" }))]);
      expect((await evaluate1(r!)).toArray()).toEqual([0, 2]);
      expectClose(await evaluate1(s!), [0.5]);
      const sq = await evaluate1(q!);
      expect([sq.dtype, sq.toArray()]).toEqual(["float64", [2, 3]]);
      expectClose(await runKernel1("Exp", [ndarray([0, 1])]), [1, Math.E]);
      expectClose(await runKernel1("Log1p", [ndarray([0, Math.E - 1])]), [0, 1]);
      expectClose(await runKernel1("Tanh", [ndarray([0])]), [0]);
      expect((await runKernel1("Neg", [ndarray([2n])])).toArray()).toEqual([-2n]);
      expect((await runKernel1("Abs", [ndarray([-2], { dtype: "int32" })])).toArray()).toEqual([2]);
      expect((await runKernel1("Square", [ndarray([-3])])).toArray()).toEqual([9]);
      await expect(runKernel("Sqrt", [ndarray([4], { dtype: "int32" })])).rejects.toThrow(InvalidArgumentError);
    });

    it("Cast truncates toward zero, keeps int64 exact and maps bools", async () => {
      const [a, b] = inGraph(() => [cast(constant([1.7, -1.7, 0]), "int32"), cast(constant([1.7, 0]), "bool")]);
      expect((await evaluate1(a!)).toArray()).toEqual([1, -1, 0]);
      expect((await evaluate1(b!)).toArray()).toEqual([true, false]);
      const big = await runKernel1("Cast", [ndarray([2n ** 40n])], { SrcT: { type: "int64" }, DstT: { type: "int64" } });
      expect(big.toArray()).toEqual([2n ** 40n]);
      const f = await runKernel1("Cast", [ndarray([true, false])], { SrcT: { type: "bool" }, DstT: { type: "float32" } });
      expect(f.toArray()).toEqual([1, 0]);
      const i64 = await runKernel1("Cast", [ndarray([3.9], { dtype: "float64" })], { DstT: { type: "int64" } });
      expect(i64.toArray()).toEqual([3n]);
      const u8 = await runKernel1("Cast", [ndarray([257], { dtype: "int32" })], { DstT: { type: "uint8" } });
      expect(u8.toArray()).toEqual([1]);
      await expect(runKernel("Cast", [ndarray(["1"])], { DstT: { type: "float32" } })).rejects.toThrow(UnimplementedError);
    });

    it("mul of a placeholder fed at run time", async () => {
      const [x, y] = inGraph(() => {
        const p = placeholder("float32", [null]);
        return [p, mul(p, 3)];
      });
      expect((await evaluate1(y!, new Map([[x!, ndarray([1, 2])]]))).toArray()).toEqual([3, 6]);
    });
});
