/**
 * Adagrad and RMSProp. Model: the update formulas of TF's kernels (training_ops.cc), computed
 * here in plain JS step by step; after each session run the variables and slots must hold them.
 */
import { describe, expect, it } from "vitest";
import * as tf from "../../../src/index.js";
import { getOrCreateGlobalStep } from "../../../src/train/global-step.js";
import type { Optimizer } from "../../../src/train/optimizers/index.js";

const W0 = [1, -2, 0.5];
const X = [3, 4, -1];

/** loss = Σ w·x + ½ Σ w², so ∂loss/∂w = x + w. */
function quadratic(make: () => Optimizer) {
  const g = new tf.Graph();
  return g.asDefault(() => {
    const step = getOrCreateGlobalStep();
    const w = new tf.Variable(W0, { name: "w" });
    const loss = tf.add(tf.reduceSum(tf.mul(w, X)), tf.mul(tf.reduceSum(tf.square(w)), 0.5));
    const opt = make();
    const train = opt.minimize(loss, { globalStep: step });
    return { g, w, step, opt, train, init: tf.globalVariablesInitializer() };
  });
}

const values = (a: tf.NDArray): number[] => Array.from(a.data as Float32Array, Number);
const close = (got: number[], want: number[], tol = 1e-5) => {
  expect(got).toHaveLength(want.length);
  got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(tol * Math.max(1, Math.abs(want[i]!))));
};

describe("AdagradOptimizer", () => {
  it("accum += g²; w -= lr·g/√accum, the accumulator starting at 0.1", async () => {
    const { g, w, step, opt, train, init } = quadratic(() => new tf.train.AdagradOptimizer(0.5));
    const accum = opt.getSlot(w, "accumulator")!;
    expect(accum.op.name).toBe("w/Adagrad");
    expect(g.getOperationByName("Adagrad/update_w/ResourceApplyAdagrad").device).toBe(w.device);
    const sess = new tf.Session(undefined, { graph: g });
    await sess.run(init);
    close(values(await sess.run(accum)), [0.1, 0.1, 0.1]);
    let [ref, acc] = [[...W0], [0.1, 0.1, 0.1]];
    for (let k = 1; k <= 3; k++) {
      await sess.run(train);
      const grad = ref.map((v, i) => X[i]! + v);
      acc = acc.map((a, i) => a + grad[i]! ** 2);
      ref = ref.map((v, i) => v - (0.5 * grad[i]!) / Math.sqrt(acc[i]!));
      close(values(await sess.run(w)), ref);
      close(values(await sess.run(accum)), acc);
      expect((await sess.run(step)).item()).toBe(BigInt(k));
    }
    await sess.close();
  });

  it("initialAccumulatorValue must be positive", () => {
    expect(() => new tf.train.AdagradOptimizer(0.1, { initialAccumulatorValue: 0 })).toThrow("initial_accumulator_value must be positive: 0");
  });
});

describe("RMSPropOptimizer", () => {
  for (const centered of [false, true]) {
    it(`${centered ? "centered: " : ""}ms += (g² − ms)(1 − ρ); mom = μ·mom + lr·g/√(ms${centered ? " − mg²" : ""} + ε); w -= mom`, async () => {
      const [lr, rho, mu, eps] = [0.01, 0.9, 0.5, 1e-6];
      const { g, w, opt, train, init } = quadratic(() => new tf.train.RMSPropOptimizer(lr, { decay: rho, momentum: mu, epsilon: eps, centered }));
      const [rms, mom] = [opt.getSlot(w, "rms")!, opt.getSlot(w, "momentum")!];
      const mg = opt.getSlot(w, "mg");
      expect(rms.op.name).toBe("w/RMSProp");
      expect(mom.op.name).toBe(centered ? "w/RMSProp_2" : "w/RMSProp_1");
      expect(mg?.op.name ?? null).toBe(centered ? "w/RMSProp_1" : null);
      const sess = new tf.Session(undefined, { graph: g });
      await sess.run(init);
      let [ref, ms, mgs, moms] = [[...W0], [1, 1, 1], [0, 0, 0], [0, 0, 0]];
      for (let k = 0; k < 3; k++) {
        await sess.run(train);
        const grad = ref.map((v, i) => X[i]! + v);
        ms = ms.map((m, i) => m + (grad[i]! ** 2 - m) * (1 - rho));
        mgs = mgs.map((m, i) => m + (grad[i]! - m) * (1 - rho));
        const denom = ms.map((m, i) => (centered ? m - mgs[i]! ** 2 : m) + eps);
        moms = moms.map((m, i) => mu * m + (lr * grad[i]!) / Math.sqrt(denom[i]!));
        ref = ref.map((v, i) => v - moms[i]!);
        close(values(await sess.run(w)), ref, 1e-4);
        close(values(await sess.run(rms)), ms, 1e-4);
        close(values(await sess.run(mom)), moms, 1e-4);
        if (mg) close(values(await sess.run(mg)), mgs, 1e-4);
      }
      await sess.close();
    });
  }
});
