import { describe, expect, it } from "vitest";
import * as tf from "../../../src/index.js";

describe("local Session (no target)", () => {
  it("runs a graph in a private in-process master and keeps its variables to itself", async () => {
    const g = new tf.Graph();
    const { v, inc } = g.asDefault(() => {
      const v = new tf.Variable(1, { name: "local_v" });
      return { v, inc: v.assignAdd(1) };
    });
    const a = new tf.Session(undefined, { graph: g });
    await a.run(v.initializer);
    expect((await a.run(inc)).item()).toBe(2);
    const b = new tf.Session(undefined, { graph: g });
    await expect(b.run(v)).rejects.toBeInstanceOf(tf.errors.FailedPreconditionError);
    await a.close();
    await b.close();
  });

  it("accepts fetches by name: 'x:0' gives a value, an op name gives null", async () => {
    const g = new tf.Graph();
    g.asDefault(() => {
      tf.constant(3, { name: "x" });
      tf.noOp({ name: "nop" });
    });
    const sess = new tf.Session(undefined, { graph: g });
    const [x, nop] = await sess.run(["x:0", "nop"]);
    expect(x?.item()).toBe(3);
    expect(nop).toBeNull();
    await sess.close();
  });

  it("rejects a feed whose shape does not fit the tensor", async () => {
    const g = new tf.Graph();
    const p = g.asDefault(() => tf.placeholder("float32", [3], { name: "p3" }));
    const sess = new tf.Session(undefined, { graph: g });
    await expect(sess.run(p, { feedDict: [[p, [1, 2]]] })).rejects.toThrow(/Cannot feed value of shape \[2\]/);
    expect((await sess.run(p, { feedDict: [[p, [1, 2, 3]]] })).toArray()).toEqual([1, 2, 3]);
    await sess.close();
  });

  it("times out a step with DeadlineExceededError and stays usable", async () => {
    const g = new tf.Graph();
    const { q, deq, one } = g.asDefault(() => {
      const q = new tf.FIFOQueue({ capacity: 1, dtypes: ["float32"] });
      return { q, deq: q.dequeue(), one: tf.constant(1) };
    });
    void q;
    const sess = new tf.Session(undefined, { graph: g });
    await expect(sess.run(deq, { options: { timeoutInMs: 50 } })).rejects.toBeInstanceOf(tf.errors.DeadlineExceededError);
    expect((await sess.run(one)).item()).toBe(1);
    await sess.close();
  });

  it("records per-node step stats with traceLevel full", async () => {
    const g = new tf.Graph();
    const c = g.asDefault(() => tf.add(tf.constant(1, { name: "s1" }), tf.constant(2, { name: "s2" }), { name: "sum" }));
    const sess = new tf.Session(undefined, { graph: g });
    const md: tf.RunMetadata = {};
    await sess.run(c, { options: { traceLevel: "full" }, runMetadata: md });
    const stats = md.stepStats!.devStats[0]!;
    expect(stats.device).toBe("/job:localhost/replica:0/task:0/device:CPU:0");
    expect(stats.nodeStats.map((n) => n.nodeName)).toEqual(expect.arrayContaining(["s1", "s2", "sum"]));
    const trace = JSON.parse(tf.timeline(md)) as { traceEvents: { ph: string; name: string }[] };
    expect(trace.traceEvents.filter((e) => e.ph === "X").map((e) => e.name)).toContain("sum");
    await sess.close();
  });
});

describe("feeding strings to numeric placeholders", () => {
  it("a non-numeric string is InvalidArgumentError naming the tensor; a numeric one converts", async () => {
    const g = new tf.Graph();
    const { p, y } = g.asDefault(() => {
      const p = tf.placeholder("float32", [2], { name: "p" });
      return { p, y: tf.add(p, 1) };
    });
    const sess = new tf.Session(undefined, { graph: g });
    const err = await sess.run(y, { feedDict: new Map([[p, ["1", "abc"]]]) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(tf.errors.InvalidArgumentError);
    expect((err as Error).message).toContain("'p:0'");
    expect(Array.from((await sess.run(y, { feedDict: new Map([[p, ["1", "2.5"]]]) })).data as Float32Array)).toEqual([2, 3.5]);
    await sess.close();
  });
});
