/**
 * tf.nn.l2Loss and tf.nn.dropout, with their gradients, in an in-process session. Model: TF's
 * definitions: l2Loss = Σx²/2 with gradient x; dropout keeps an element where a uniform sample
 * ≥ rate and scales it by 1/(1 − rate), so its gradient is that same scale on kept elements, 0 elsewhere.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as tf from "../../../../src/index.js";

let sess: tf.Session | null = null;
afterEach(async () => {
  await sess?.close();
  sess = null;
});

async function run<T extends tf.Tensor[]>(build: () => T): Promise<tf.NDArray[]> {
  const g = new tf.Graph();
  const fetches = g.asDefault(build);
  sess = new tf.Session(undefined, { graph: g });
  return sess.run(fetches);
}

const nums = (a: tf.NDArray): number[] => Array.from(a.data as Float32Array, Number);

describe("tf.nn.l2Loss", () => {
  it("is Σx²/2, a scalar of x's dtype, and its gradient is x", async () => {
    const [loss, grad, loss64] = await run(() => {
      const x = tf.constant([[1, -2], [3, 0.5]]);
      const loss = tf.nn.l2Loss(x);
      expect([loss.op.type, loss.shape, loss.dtype]).toEqual(["L2Loss", [], "float32"]);
      return [loss, tf.gradients(tf.mul(loss, 3), [x])[0]!, tf.nn.l2Loss(tf.constant([2, 4], { dtype: "float64" }))];
    });
    expect(loss!.item()).toBeCloseTo((1 + 4 + 9 + 0.25) / 2, 6);
    expect(nums(grad!)).toEqual([3, -6, 9, 1.5]);
    expect([loss64!.dtype, loss64!.item()]).toEqual(["float64", 10]);
  });

  it("rejects integer tensors at build time", () => {
    const g = new tf.Graph();
    g.asDefault(() => expect(() => tf.nn.l2Loss(tf.constant([1, 2], { dtype: "int32" }))).toThrow(TypeError));
  });
});

describe("tf.nn.dropout", () => {
  it("keeps elements scaled by 1/(1 − rate) or zeroes them; the gradient has the same mask and scale", async () => {
    const rate = 0.75;
    const [y, grad] = await run(() => {
      const x = tf.fill([1000], 2);
      const y = tf.nn.dropout(x, { rate, seed: 3 });
      expect(y.shape).toEqual([1000]);
      return [y, tf.gradients(tf.reduceSum(y), [x])[0]!];
    });
    const ys = nums(y!);
    const gs = nums(grad!);
    const kept = ys.filter((v) => v !== 0);
    for (const v of kept) expect(v).toBeCloseTo(2 / (1 - rate), 5);
    ys.forEach((v, i) => expect(gs[i]).toBeCloseTo(v === 0 ? 0 : 1 / (1 - rate), 5));
    // 250 expected kept; 6 standard deviations either side.
    expect(Math.abs(kept.length - 250)).toBeLessThan(6 * Math.sqrt(1000 * 0.25 * 0.75));
  });

  it("rate 0 returns x itself; a rate outside [0, 1) or an integer x fails at build time", () => {
    const g = new tf.Graph();
    g.asDefault(() => {
      const x = tf.constant([1, 2]);
      expect(tf.nn.dropout(x, { rate: 0 })).toBe(x);
      expect(() => tf.nn.dropout(x, { rate: 1 })).toThrow("rate must be a scalar tensor or a float in the range [0, 1), got 1");
      expect(() => tf.nn.dropout(tf.constant([1], { dtype: "int32" }), { rate: 0.5 })).toThrow(/has to be a floating point tensor/);
    });
  });

  it("a noise shape shares one keep/drop decision along the broadcast dimension", async () => {
    const [y] = await run(() => [tf.nn.dropout(tf.ones([50, 4]), { rate: 0.5, noiseShape: [50, 1], seed: 9 })]);
    const rows = y!.toArray() as number[][];
    for (const row of rows) expect(new Set(row).size).toBe(1);
    expect(new Set(rows.map((r) => r[0])).size).toBe(2); // some rows kept (2), some dropped (0)
  });
});
