/**
 * TF 1.x reference variables from a raw GraphDef (VariableV2, Assign, Identity reads, ref-typed
 * Apply* updates) on every transport, with the variable on the ps and the session on a worker.
 * Expected values follow TF's update rules (training_ops.cc), computed here independently.
 */
import { expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { refOp, refVariable } from "../helpers/tf1-graph.js";
import { describeOnTransports } from "../helpers/transports.js";

const f32 = (xs: number[]) => Array.from(Float32Array.from(xs));

describeOnTransports("reference variables (TF 1.x graphs)", { ps: 1, worker: 1 }, (ctx) => {
  it("Assign, AssignAdd and a ref read ordered after them see the new value; IsVariableInitialized", async () => {
    const g = new tf.Graph();
    const w = refVariable(g, "ref_w", [1, 2]);
    const { added, after, isInit } = g.asDefault(() => {
      const added = refOp(g, "AssignAdd", [w.variable, tf.constant([10, 20])]);
      // Identity of the ref, ordered after the update, on the variable's task: it reads the value
      // when it runs. (Across tasks the sender reads it, as in TF, unordered by the receiver's deps.)
      const after = tf.device("/job:ps/task:0", () => tf.controlDependencies([added.op], () => tf.identity(w.variable)));
      const isInit = g.addOp({ type: "IsVariableInitialized", inputs: [w.variable], attrs: { dtype: { type: "float32" } }, outputs: [{ dtype: "bool", shape: [] }] }).output;
      return { added, after, isInit };
    });
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    expect((await sess.run(isInit)).item()).toBe(false);
    const err = await sess.run(w.read).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(tf.errors.FailedPreconditionError);
    expect((err as tf.errors.OpError).message).toContain("Attempting to use uninitialized value ref_w");
    expect((err as tf.errors.OpError).nodeName).toBe("ref_w/read");
    await sess.run(w.initializer);
    expect((await sess.run(isInit)).item()).toBe(true);
    expect((await sess.run(after)).toArray()).toEqual([11, 22]);
    expect((await sess.run(added)).toArray()).toEqual([21, 42]);
    expect((await sess.run(w.variable)).toArray()).toEqual([21, 42]);
    await sess.close();
  });

  it("Assign checks the shape unless validate_shape is false; ScatterUpdate writes rows", async () => {
    const g = new tf.Graph();
    const w = refVariable(g, "ref_shape", [1, 2, 3]);
    const { bad, scatter } = g.asDefault(() => ({
      bad: refOp(g, "Assign", [w.variable, tf.constant([1, 2])], { validate_shape: { b: true } }),
      scatter: refOp(g, "ScatterUpdate", [w.variable, tf.constant([2, 0], { dtype: "int32" }), tf.constant([30, 10])], { Tindices: { type: "int32" } }),
    }));
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    await sess.run(w.initializer);
    await expect(sess.run(bad)).rejects.toThrow("Assign requires shapes of both tensors to match. lhs shape= [3] rhs shape= [2]");
    expect((await sess.run(scatter)).toArray()).toEqual([10, 2, 30]);
    await sess.close();
  });

  it("ApplyGradientDescent, ApplyMomentum, ApplyAdam, ApplyAdagrad and ApplyRMSProp update refs on the ps", async () => {
    const g = new tf.Graph();
    const v = ["gd", "mom", "adam", "adagrad", "rms"].map((n) => refVariable(g, `ref_${n}`, [1, -2]));
    const slot = (n: string, init: number) => refVariable(g, `ref_slot_${n}`, [init, init]);
    const [accum, m, s, ada, ms, mo] = [slot("accum", 0), slot("m", 0), slot("s", 0), slot("ada", 0.1), slot("ms", 1), slot("mo", 0)];
    const grad = [0.5, -1];
    const updates = g.asDefault(() => {
      const c = (x: number) => tf.constant(x);
      const gr = tf.constant(grad);
      return [
        refOp(g, "ApplyGradientDescent", [v[0]!.variable, c(0.1), gr]),
        refOp(g, "ApplyMomentum", [v[1]!.variable, accum.variable, c(0.1), gr, c(0.9)]),
        refOp(g, "ApplyAdam", [v[2]!.variable, m.variable, s.variable, c(0.9), c(0.999), c(0.01), c(0.9), c(0.999), c(1e-8), gr]),
        refOp(g, "ApplyAdagrad", [v[3]!.variable, ada.variable, c(0.1), gr]),
        refOp(g, "ApplyRMSProp", [v[4]!.variable, ms.variable, mo.variable, c(0.01), c(0.9), c(0), c(1e-10), gr]),
      ];
    });
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    for (const x of [...v, accum, m, s, ada, ms, mo]) await sess.run(x.initializer);
    const out = (await sess.run(updates)).map((a) => Array.from(a.data as Float32Array));
    const w0 = [1, -2];
    expect(out[0]).toEqual(f32(w0.map((w, i) => w - 0.1 * grad[i]!)));
    expect(out[1]).toEqual(f32(w0.map((w, i) => w - 0.1 * grad[i]!)));
    const lrT = (0.01 * Math.sqrt(1 - 0.999)) / (1 - 0.9);
    const adam = w0.map((w, i) => {
      const mm = 0.1 * grad[i]!;
      const vv = 0.001 * grad[i]! ** 2;
      return w - (lrT * mm) / (Math.sqrt(vv) + 1e-8);
    });
    out[2]!.forEach((x, i) => expect(x).toBeCloseTo(adam[i]!, 5));
    const adagrad = w0.map((w, i) => w - (0.1 * grad[i]!) / Math.sqrt(0.1 + grad[i]! ** 2));
    out[3]!.forEach((x, i) => expect(x).toBeCloseTo(adagrad[i]!, 6));
    const rms = w0.map((w, i) => w - (0.01 * grad[i]!) / Math.sqrt(1 + (grad[i]! ** 2 - 1) * 0.1 + 1e-10));
    out[4]!.forEach((x, i) => expect(x).toBeCloseTo(rms[i]!, 6));
    expect((await sess.run(accum.read)).toArray()).toEqual(grad);
    const dev = await sess.listDevices();
    expect(dev.some((d) => d.name.includes("/job:ps/"))).toBe(true);
    await sess.close();
  });

  it("ref and resource variables share containers: shared by name across sessions, cleared by reset", async () => {
    const target = ctx.target("worker", 0);
    const build = () => {
      const g = new tf.Graph();
      const w = refVariable(g, "ref_shared", 5);
      const inc = g.asDefault(() => refOp(g, "AssignAdd", [w.variable, tf.constant(1)]));
      return { g, w, inc };
    };
    const a = build();
    const s1 = new tf.Session(target, { graph: a.g });
    await s1.run(a.w.initializer);
    await s1.run(a.inc);
    const b = build();
    const s2 = new tf.Session(ctx.target("ps", 0), { graph: b.g });
    expect((await s2.run(b.inc)).item()).toBe(7);
    await tf.Session.reset(target);
    const s3 = new tf.Session(target, { graph: b.g });
    await expect(s3.run(b.w.read)).rejects.toBeInstanceOf(tf.errors.FailedPreconditionError);
    await Promise.allSettled([s1.close(), s2.close(), s3.close()]);
  });
});
