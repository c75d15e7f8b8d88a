import { describe, expect, it } from "vitest";
import * as tf from "../../../src/index.js";

describe("Variable", () => {
  it("builds VarHandleOp, initializer and read ops named as TF does, colocated with the handle", () => {
    const g = new tf.Graph();
    g.asDefault(() => {
      const v = tf.device("/job:ps/task:1", () => new tf.Variable([1, 2], { name: "x" }));
      expect(v.name).toBe("x:0");
      expect(v.op.type).toBe("VarHandleOp");
      expect(v.initializer.name).toBe("x/Assign");
      expect(v.initializer.type).toBe("AssignVariableOp");
      expect(v.value().op.name).toBe("x/Read/ReadVariableOp");
      expect(v.device).toBe("/job:ps/task:1");
      const a = tf.device("/job:worker", () => v.assign([3, 4]));
      expect(a.op.device).toBe("/job:ps/task:1");
      expect(v.shape).toEqual([2]);
      expect(v.dtype).toBe("float32");
      expect(tf.globalVariables()).toEqual([v]);
      expect(tf.trainableVariables()).toEqual([v]);
      const w = new tf.Variable(0, { name: "x", trainable: false, collections: [] });
      expect(w.name).toBe("x_1:0");
      expect(tf.globalVariables()).toEqual([v]);
      expect(tf.globalVariablesInitializer().controlInputs.map((o) => o.name)).toEqual(["x/Assign"]);
    });
  });

  it("tf.container sets the container attr of the variable", () => {
    const g = new tf.Graph();
    const v = g.asDefault(() => tf.container("my_problem_1", () => new tf.Variable(1)));
    expect(v.op.getAttr("container")).toEqual({ s: "my_problem_1" });
  });
});

describe("getVariable / variableScope", () => {
  it("creates once under the scope name and reuses on request", () => {
    const g = new tf.Graph();
    g.asDefault(() => {
      const w = tf.variableScope("layer", () => tf.getVariable("w", { shape: [2, 3] }));
      expect(w.name).toBe("layer/w:0");
      expect(w.shape).toEqual([2, 3]);
      expect(() => tf.variableScope("layer", () => tf.getVariable("w", { shape: [2, 3] }))).toThrow(/already exists, disallowed/);
      const again = tf.variableScope("layer", () => tf.getVariable("w", { shape: [2, 3] }), { reuse: true });
      expect(again).toBe(w);
      expect(() => tf.variableScope("other", () => tf.getVariable("w", { shape: [1] }), { reuse: true })).toThrow(/does not exist/);
      const auto = tf.variableScope("auto", () => [tf.getVariable("b", { shape: [1] }), tf.getVariable("b", { shape: [1] })], { reuse: "auto" });
      expect(auto[0]).toBe(auto[1]);
    });
  });

  it("initialises with the given initializer", async () => {
    const g = new tf.Graph();
    const v = g.asDefault(() => tf.getVariable("ones", { shape: [2], initializer: tf.onesInitializer() }));
    const sess = new tf.Session(undefined, { graph: g });
    await sess.run(v.initializer);
    expect((await sess.run(v)).toArray()).toEqual([1, 1]);
    await sess.close();
  });

  it("glorot-uniform default initialiser stays within its limit", async () => {
    const g = new tf.Graph();
    const v = g.asDefault(() => tf.getVariable("glorot", { shape: [4, 4] }));
    const sess = new tf.Session(undefined, { graph: g });
    await sess.run(v.initializer);
    const values = Array.from((await sess.run(v)).data as Float32Array);
    const limit = Math.sqrt(6 / 8);
    expect(values.every((x) => Math.abs(x) <= limit)).toBe(true);
    expect(new Set(values).size).toBeGreaterThan(1);
    await sess.close();
  });
});
