import { expect, it } from "vitest";
import { InvalidArgumentError } from "../../../../src/errors/index.js";
import { constant, fill, ones, placeholder, placeholderWithDefault, randomNormal, randomUniform, range, truncatedNormal, zeros } from "../../../../src/graph/ops/creation.js";
import { ndarray } from "../../../../src/tensor/ndarray.js";
import { SeededRandom } from "../../../../src/util/env.js";
import { evaluate1, expectClose, runKernel, runKernel1, describeOnBackends, inGraph } from "./harness.js";


describeOnBackends("creation kernels", () => {

    it("Const returns its value attr", async () => {
      const t = inGraph(() => constant([[1, 2]], { dtype: "int64" }));
      const v = await evaluate1(t);
      expect(v.dtype).toBe("int64");
      expect(v.toArray()).toEqual([[1n, 2n]]);
    });

    it("Placeholder fails with InvalidArgumentError naming node, dtype and shape", async () => {
      const x = inGraph(() => placeholder("float32", [null, 3], { name: "images" }));
      const err = await evaluate1(x).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as InvalidArgumentError).message).toBe("You must feed a value for placeholder tensor 'images' with dtype float32 and shape [?,3]");
      expect((err as InvalidArgumentError).nodeName).toBe("images");
      const y = inGraph(() => placeholder("int32"));
      await expect(evaluate1(y)).rejects.toThrow(/^You must feed a value for placeholder tensor 'Placeholder' with dtype int32$/);
      const fed = await evaluate1(x, new Map([[x, ndarray([[1, 2, 3]])]]));
      expect(fed.toArray()).toEqual([[1, 2, 3]]);
    });

    it("PlaceholderWithDefault gives its default", async () => {
      const p = inGraph(() => placeholderWithDefault([1, 2], [null]));
      expect((await evaluate1(p)).toArray()).toEqual([1, 2]);
    });

    it("Fill, zeros and ones (via Fill for large shapes) keep the dtype", async () => {
      const [f, z, o] = inGraph(() => [fill([2, 2], constant("ab")), zeros([2], "int64"), ones([50, 40], "uint8")]);
      expect((await evaluate1(f!)).toArray()).toEqual([["ab", "ab"], ["ab", "ab"]]);
      expect((await evaluate1(z!)).toArray()).toEqual([0n, 0n]);
      const big = await evaluate1(o!);
      expect([big.dtype, big.shape, big.data[1999]]).toEqual(["uint8", [50, 40], 1]);
      await expect(runKernel("Fill", [ndarray([-1], { dtype: "int32" }), ndarray(1)])).rejects.toThrow(InvalidArgumentError);
      await expect(runKernel("Fill", [ndarray([2], { dtype: "int32" }), ndarray([1, 2])])).rejects.toThrow(/value must be a scalar/);
    });

    it("ZerosLike and OnesLike", async () => {
      const x = ndarray([[1.5, 2]], { dtype: "float64" });
      const z = await runKernel1("ZerosLike", [x], { T: { type: "float64" } });
      expect([z.dtype, z.toArray()]).toEqual(["float64", [[0, 0]]]);
      expect((await runKernel1("OnesLike", [ndarray([5n, 6n])])).toArray()).toEqual([1n, 1n]);
    });

    it("Range counts up and down, ints and floats, and checks its arguments", async () => {
      const [a, b, c] = inGraph(() => [range(5), range(10, 0, -3), range(0, 1, 0.25)]);
      expect((await evaluate1(a!)).toArray()).toEqual([0, 1, 2, 3, 4]);
      expect((await evaluate1(b!)).toArray()).toEqual([10, 7, 4, 1]);
      expect((await evaluate1(c!)).toArray()).toEqual([0, 0.25, 0.5, 0.75]);
      const i32 = (v: number) => ndarray(v, { dtype: "int32" });
      await expect(runKernel("Range", [i32(0), i32(5), i32(0)], { Tidx: { type: "int32" } })).rejects.toThrow("Requires delta != 0: 0");
      await expect(runKernel("Range", [i32(5), i32(1), i32(1)], { Tidx: { type: "int32" } })).rejects.toThrow("Requires start <= limit when delta > 0: 5/1");
      const r64 = await runKernel1("Range", [ndarray(1n), ndarray(4n), ndarray(1n)], { Tidx: { type: "int64" } });
      expect(r64.toArray()).toEqual([1n, 2n, 3n]);
    });

    it("seeded random ops replay: same seeds, same values; a node's stream continues", async () => {
      const build = () => inGraph(() => randomNormal([3], { seed: 7 }));
      const [a, b] = [build(), build()];
      const a1 = await evaluate1(a);
      const b1 = await evaluate1(b);
      expect(Array.from(a1.data as Float32Array)).toEqual(Array.from(b1.data as Float32Array));
      const a2 = await evaluate1(a);
      expect(Array.from(a2.data as Float32Array)).not.toEqual(Array.from(a1.data as Float32Array));
      const other = await evaluate1(inGraph(() => randomNormal([3], { seed: 8 })));
      expect(Array.from(other.data as Float32Array)).not.toEqual(Array.from(a1.data as Float32Array));
    });

    it("unseeded random ops draw from the step's random source", async () => {
      const node = { name: "r", op: "RandomUniform", input: [], device: "", attr: { seed: { i: 0 }, seed2: { i: 0 }, dtype: { type: "float32" as const } } };
      const shape = ndarray([4], { dtype: "int32" });
      const run = (seed: number) => runKernel1("RandomUniform", [shape], node.attr, { random: new SeededRandom(seed) });
      expect(Array.from((await run(3)).data as Float32Array)).toEqual(Array.from((await run(3)).data as Float32Array));
      expect(Array.from((await run(3)).data as Float32Array)).not.toEqual(Array.from((await run(4)).data as Float32Array));
    });

    it("distributions: uniform in range, normal moments, truncated within 2 stddev", async () => {
      const [u, n, t, ints] = inGraph(() => [
        randomUniform([2000], { minval: -2, maxval: 3, seed: 1 }),
        randomNormal([4000], { mean: 5, stddev: 2, seed: 2, dtype: "float64" }),
        truncatedNormal([2000], { stddev: 1, seed: 3 }),
        randomUniform([1000], { minval: 3, maxval: 6, dtype: "int64", seed: 4 }),
      ]);
      const uv = Array.from((await evaluate1(u!)).data as Float32Array);
      expect(Math.min(...uv)).toBeGreaterThanOrEqual(-2);
      expect(Math.max(...uv)).toBeLessThan(3);
      const nv = await evaluate1(n!);
      expect(nv.dtype).toBe("float64");
      const xs = Array.from(nv.data as Float64Array);
      const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
      expectClose(ndarray([mean, sd]), [5, 2], 0.05);
      const tv = Array.from((await evaluate1(t!)).data as Float32Array);
      expect(Math.max(...tv.map(Math.abs))).toBeLessThanOrEqual(2);
      const iv = await evaluate1(ints!);
      expect(iv.dtype).toBe("int64");
      expect(new Set(Array.from(iv.data as BigInt64Array))).toEqual(new Set([3n, 4n, 5n]));
      await expect(runKernel("RandomUniformInt", [ndarray([2], { dtype: "int32" }), ndarray(5, { dtype: "int32" }), ndarray(5, { dtype: "int32" })], { Tout: { type: "int32" } })).rejects.toThrow("Need minval < maxval: 5 >= 5");
    });
});
