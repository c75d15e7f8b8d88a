/**
 * Small float32 operands take a host path; it must give the same bits as the TensorFlow.js path
 * that larger operands take, special values included.
 */
import { expect, it } from "vitest";
import { NDArray } from "../../../../src/tensor/ndarray.js";
import { SeededRandom } from "../../../../src/util/env.js";
import { describeOnBackends, runKernel1 } from "./harness.js";

const SPECIAL = [0, -0, 1, -1, 1e-38, 3.4e38, -3.4e38, Infinity, -Infinity, NaN, 0.1, 1 / 3];

function values(n: number, seed: number): Float32Array {
  const r = new SeededRandom(seed);
  return Float32Array.from({ length: n }, (_, i) => (i < SPECIAL.length ? SPECIAL[i]! : (r.next() - 0.5) * 10 ** (r.int(12) - 6)));
}

describeOnBackends("small float32 binary ops on the host agree with TensorFlow.js", () => {
    for (const op of ["AddV2", "Sub", "Mul", "RealDiv"]) {
      it(op, async () => {
        const n = 200;
        const [x, y] = [values(n, 1), values(n, 2).reverse()];
        const big = await runKernel1(op, [new NDArray("float32", [n], x), new NDArray("float32", [n], y)], { T: { type: "float32" } });
        for (let start = 0; start < n; start += 40) {
          const small = await runKernel1(op, [new NDArray("float32", [40], x.slice(start, start + 40)), new NDArray("float32", [40], y.slice(start, start + 40))], {
            T: { type: "float32" },
          });
          expect(Array.from(small.data as Float32Array)).toEqual(Array.from((big.data as Float32Array).slice(start, start + 40)));
        }
        // Broadcasting on the host path: [4, 1] with [3].
        const col = new NDArray("float32", [4, 1], x.slice(20, 24));
        const row = new NDArray("float32", [3], y.slice(30, 33));
        const bc = await runKernel1(op, [col, row], { T: { type: "float32" } });
        expect(bc.shape).toEqual([4, 3]);
        const ref = await runKernel1(op, [new NDArray("float32", [4, 1, 80], new Float32Array(320).map((_, i) => x[20 + Math.floor(i / 80)]!)), new NDArray("float32", [3, 80], new Float32Array(240).map((_, i) => y[30 + Math.floor(i / 80)]!))], { T: { type: "float32" } });
        const refData = ref.data as Float32Array;
        const expected = Array.from({ length: 12 }, (_, k) => refData[k * 80]!);
        expect(Array.from(bc.data as Float32Array)).toEqual(expected);
      });
    }
});
