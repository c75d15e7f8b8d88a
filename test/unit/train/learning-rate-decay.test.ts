/**
 * tf.train.exponentialDecay. Model: TF's formula lr · rate^(step / decaySteps), the exponent
 * floored with staircase, evaluated for the global step's value at each run.
 */
import { describe, expect, it } from "vitest";
import * as tf from "../../../src/index.js";
import { getOrCreateGlobalStep } from "../../../src/train/global-step.js";

describe("tf.train.exponentialDecay", () => {
  it("follows the global step, continuously or in steps; an optimizer uses it as its learning rate", async () => {
    const g = new tf.Graph();
    const { smooth, stairs, bump, w, train, init } = g.asDefault(() => {
      const step = getOrCreateGlobalStep();
      const smooth = tf.train.exponentialDecay(0.1, step, 10, 0.5);
      const stairs = tf.train.exponentialDecay(0.1, step, 10, 0.5, { staircase: true });
      const w = new tf.Variable(0, { name: "w" });
      const train = new tf.train.GradientDescentOptimizer(stairs).minimize(tf.mul(w, -1), { globalStep: step });
      return { smooth, stairs, bump: step.assign(15), w, train, init: tf.globalVariablesInitializer() };
    });
    expect(smooth.op.name).toBe("ExponentialDecay");
    const sess = new tf.Session(undefined, { graph: g });
    await sess.run(init);
    const rates = async () => (await sess.run([smooth, stairs])).map((a) => Number(a.item()));
    for (const r of await rates()) expect(r).toBeCloseTo(0.1, 7);
    await sess.run(bump);
    const [s, st] = await rates();
    expect(s).toBeCloseTo(0.1 * 0.5 ** 1.5, 6);
    expect(st).toBeCloseTo(0.05, 6);
    await sess.run(train); // ∂(−w)/∂w = −1, so w += lr
    expect(Number((await sess.run(w)).item())).toBeCloseTo(0.05, 6);
    await sess.close();
  });

  it("requires a global step", () => {
    expect(() => tf.train.exponentialDecay(0.1, null, 10, 0.5)).toThrow("global_step is required for exponential_decay.");
  });
});
