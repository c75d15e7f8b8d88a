/**
 * Optimizers. Model: the update formulas of TF's kernels (training_ops.cc), computed here in plain
 * JS step by step; after each session run the variables and slots must hold those values.
 */
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, FailedPreconditionError } from "../../../src/errors/index.js";
import { GraphKeys } from "../../../src/graph/graph.js";
import { resourceApplyGradientDescent, resourceApplyMomentum } from "../../../src/graph/ops/training.js";
import * as tf from "../../../src/index.js";
import { getOrCreateGlobalStep, getGlobalStep } from "../../../src/train/global-step.js";
import { AdamOptimizer, GradientDescentOptimizer, MomentumOptimizer } from "../../../src/train/optimizers/index.js";
import type { Optimizer } from "../../../src/train/optimizers/index.js";

const W0 = [1, -2, 0.5];
const X = [3, 4, -1];

/** loss = Σ w·x + ½ Σ w², so ∂loss/∂w = x + w. */
function quadratic(make: () => Optimizer, dtype: "float32" | "float64" = "float32") {
  const g = new tf.Graph();
  return g.asDefault(() => {
    const step = getOrCreateGlobalStep();
    const w = new tf.Variable(W0, { name: "w", dtype });
    const x = tf.constant(X, { dtype });
    const loss = tf.add(tf.reduceSum(tf.mul(w, x)), tf.mul(tf.reduceSum(tf.square(w)), 0.5));
    const opt = make();
    const train = opt.minimize(loss, { globalStep: step });
    return { g, w, step, opt, train, init: tf.globalVariablesInitializer() };
  });
}

async function session(g: tf.Graph, init: tf.Operation): Promise<tf.Session> {
  const sess = new tf.Session(undefined, { graph: g });
  await sess.run(init);
  return sess;
}

const values = (a: tf.NDArray): number[] => Array.from(a.data as Float32Array, Number);
const close = (got: number[], want: number[], tol = 1e-5) => got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(tol * Math.max(1, Math.abs(want[i]!))));

describe("GradientDescentOptimizer", () => {
  it("w -= lr · grad each step; the global step counts every update", async () => {
    const { g, w, step, train, init } = quadratic(() => new GradientDescentOptimizer(0.1));
    expect(train.type).toBe("AssignAddVariableOp");
    expect(train.name).toBe("GradientDescent");
    const sess = await session(g, init);
    let ref = [...W0];
    for (let k = 1; k <= 3; k++) {
      await sess.run(train);
      ref = ref.map((v, i) => v - 0.1 * (X[i]! + v));
      close(values(await sess.run(w)), ref);
      expect((await sess.run(step)).item()).toBe(BigInt(k));
    }
    await sess.close();
  });

  it("float64 variables, a learning rate tensor, and no global step", async () => {
    const g = new tf.Graph();
    const { w, train, lr } = g.asDefault(() => {
      const w = new tf.Variable([2], { name: "w", dtype: "float64" });
      const lr = tf.placeholder("float32", [], { name: "lr" });
      return { w, lr, train: new GradientDescentOptimizer(lr).minimize(tf.reduceSum(tf.square(w))) };
    });
    expect([train.type, train.name]).toEqual(["NoOp", "GradientDescent"]);
    const sess = await session(g, w.initializer);
    await sess.run(train, { feedDict: [[lr, 0.25]] });
    expect(values(await sess.run(w))).toEqual([2 - 0.25 * 4]);
    await sess.close();
  });
});

describe("MomentumOptimizer", () => {
  for (const nesterov of [false, true]) {
    it(`accum = m·accum + g; w -= lr·${nesterov ? "(g + m·accum)" : "accum"}`, async () => {
      const { g, w, train, opt, init } = quadratic(() => new MomentumOptimizer(0.1, 0.9, { useNesterov: nesterov }));
      const slot = opt.getSlot(w, "momentum")!;
      expect(slot.op.name).toBe("w/Momentum");
      expect(slot.trainable).toBe(false);
      expect(g.getCollection(GraphKeys.GLOBAL_VARIABLES)).toContain(slot);
      expect(g.getCollection(GraphKeys.TRAINABLE_VARIABLES)).not.toContain(slot);
      const sess = await session(g, init);
      let [ref, accum] = [[...W0], W0.map(() => 0)];
      for (let k = 0; k < 3; k++) {
        await sess.run(train);
        const grad = ref.map((v, i) => X[i]! + v);
        accum = accum.map((a, i) => 0.9 * a + grad[i]!);
        ref = ref.map((v, i) => (nesterov ? v - (grad[i]! * 0.1 + accum[i]! * 0.9 * 0.1) : v - 0.1 * accum[i]!));
        close(values(await sess.run(w)), ref);
        close(values(await sess.run(slot)), accum);
      }
      await sess.close();
    });
  }
});

describe("AdamOptimizer", () => {
  it("TF's update with bias-corrected learning rate; beta powers advance after each step", async () => {
    const { g, w, train, opt, init } = quadratic(() => new AdamOptimizer(0.05));
    const [m, v] = [opt.getSlot(w, "m")!, opt.getSlot(w, "v")!];
    expect([m.op.name, v.op.name]).toEqual(["w/Adam", "w/Adam_1"]);
    const [b1p, b2p] = (opt as AdamOptimizer).betaAccumulators(w);
    expect([b1p.op.name, b2p.op.name]).toEqual(["beta1_power", "beta2_power"]);
    expect(opt.getSlotNames()).toEqual(["m", "v"]);
    expect(opt.variables()).toHaveLength(4);
    const sess = await session(g, init);
    let [ref, mm, vv, p1, p2] = [[...W0], W0.map(() => 0), W0.map(() => 0), 0.9, 0.999];
    for (let k = 0; k < 3; k++) {
      await sess.run(train);
      const grad = ref.map((x, i) => X[i]! + x);
      const lrT = (0.05 * Math.sqrt(1 - p2)) / (1 - p1);
      mm = mm.map((a, i) => a + (grad[i]! - a) * 0.1);
      vv = vv.map((a, i) => a + (grad[i]! ** 2 - a) * 0.001);
      ref = ref.map((x, i) => x - (mm[i]! * lrT) / (Math.sqrt(vv[i]!) + 1e-8));
      [p1, p2] = [p1 * 0.9, p2 * 0.999];
      close(values(await sess.run(w)), ref, 1e-4);
      close(values(await sess.run(m)), mm, 1e-4);
      close(values(await sess.run(v)), vv, 1e-4);
      close([Number((await sess.run(b1p)).item()), Number((await sess.run(b2p)).item())], [p1, p2]);
    }
    await sess.close();
  });
});

describe("Optimizer graph building", () => {
  it("slots and updates live with their variable on the ps tasks; round robin untouched", () => {
    const g = new tf.Graph();
    g.asDefault(() =>
      tf.device(tf.train.replicaDeviceSetter({ psTasks: 2 }), () => {
        const step = getOrCreateGlobalStep();
        const a = new tf.Variable([1, 2], { name: "a" });
        const b = new tf.Variable([3], { name: "b" });
        const loss = tf.add(tf.reduceSum(tf.square(a)), tf.reduceSum(b));
        const opt = new AdamOptimizer();
        opt.minimize(loss, { globalStep: step });
        const c = new tf.Variable(0, { name: "c" });
        expect([step.device, a.device, b.device, c.device]).toEqual(["/job:ps/task:0", "/job:ps/task:1", "/job:ps/task:0", "/job:ps/task:1"]);
        for (const v of [a, b]) {
          expect(opt.getSlot(v, "m")!.device).toBe(v.device);
          expect(opt.getSlot(v, "v")!.device).toBe(v.device);
        }
        expect(opt.betaAccumulators(a)[0].device).toBe(a.device);
        const applies = g.getOperations().filter((op) => op.type === "ResourceApplyAdam");
        expect(applies.map((op) => [op.name, op.device])).toEqual([
          ["Adam/update_a/ResourceApplyAdam", a.device],
          ["Adam/update_b/ResourceApplyAdam", b.device],
        ]);
        const grad = g.getOperations().find((op) => op.name.startsWith("gradients/") && op.type === "Mul")!;
        expect(grad.device).toBe("/job:worker");
      }),
    );
  });

  it("computeGradients gives null for unconnected variables; errors name the problem", () => {
    const g = new tf.Graph();
    g.asDefault(() => {
      const a = new tf.Variable([1], { name: "a" });
      const b = new tf.Variable([2], { name: "b" });
      const loss = tf.reduceSum(tf.square(a));
      const opt = new GradientDescentOptimizer(0.1);
      const pairs = opt.computeGradients(loss);
      expect(pairs.map(([gr, v]) => [gr === null, v])).toEqual([[false, a], [true, b]]);
      expect(() => opt.minimize(loss, { varList: [b] })).toThrow(/No gradients provided for any variable.*b:0/);
      expect(() => opt.applyGradients([[null, b]])).toThrow("No gradients provided for any variable: b:0.");
      const n = new tf.Variable(1, { name: "n", dtype: "int32" });
      expect(() => opt.computeGradients(loss, { varList: [n] })).toThrow("Invalid type int32 for n:0, expected: [float32, float64].");
    });
    const empty = new tf.Graph();
    empty.asDefault(() => expect(() => new GradientDescentOptimizer(1).minimize(tf.constant(1))).toThrow("No variables to optimize."));
  });

  it("getOrCreateGlobalStep: one int64 'global_step' in GLOBAL_STEP and GLOBAL_VARIABLES", () => {
    const g = new tf.Graph();
    g.asDefault(() => {
      expect(getGlobalStep()).toBeNull();
      const s = tf.nameScope("inner", () => getOrCreateGlobalStep());
      expect([s.name, s.dtype, s.trainable, s.shape]).toEqual(["global_step:0", "int64", false, []]);
      expect(getOrCreateGlobalStep()).toBe(s);
      expect(g.getCollection(GraphKeys.GLOBAL_STEP)).toEqual([s]);
      expect(tf.globalVariables()).toEqual([s]);
      expect(tf.trainableVariables()).toEqual([]);
    });
  });
});

describe("ResourceApply kernels", () => {
  it("check shapes, scalars and initialisation, naming the node", async () => {
    const g = new tf.Graph();
    const ops = g.asDefault(() => {
      const w = new tf.Variable([1, 2], { name: "w" });
      const acc = new tf.Variable([0, 0, 0], { name: "acc" });
      const never = new tf.Variable([0, 0], { name: "never" });
      return {
        init: tf.group(w.initializer, acc.initializer),
        badDelta: resourceApplyGradientDescent(w, 0.1, tf.constant([1, 2, 3]), { name: "bad_delta" }),
        badLr: resourceApplyGradientDescent(w, tf.constant([0.1, 0.2]), tf.constant([1, 2]), { name: "bad_lr" }),
        badAccum: resourceApplyMomentum(w, acc, 0.1, tf.constant([1, 2]), 0.9, { name: "bad_accum" }),
        uninit: resourceApplyMomentum(w, never, 0.1, tf.constant([1, 2]), 0.9, { name: "uninit" }),
      };
    });
    const sess = await session(g, ops.init);
    const failure = (op: tf.Operation) => sess.run(op).then(() => null, (e: unknown) => e as InstanceType<typeof InvalidArgumentError>);
    const delta = await failure(ops.badDelta);
    expect(delta).toBeInstanceOf(InvalidArgumentError);
    expect([delta!.message, delta!.nodeName]).toEqual(["var and delta do not have the same shape[2] [3]", "bad_delta"]);
    expect((await failure(ops.badLr))!.message).toBe("alpha is not a scalar: [2]");
    expect((await failure(ops.badAccum))!.message).toBe("var and accum do not have the same shape[2] [3]");
    const uninit = await failure(ops.uninit);
    expect(uninit).toBeInstanceOf(FailedPreconditionError);
    expect(uninit!.message).toContain("never");
    await sess.close();
  });
});
