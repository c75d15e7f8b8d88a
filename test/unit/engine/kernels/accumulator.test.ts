/**
 * ConditionalAccumulator, builder and kernels together in an in-process session. Model: TF's
 * rules (tf-training.md §2.2–2.3, conditional_accumulator_test.py): a gradient is accepted only
 * when its local step ≥ the accumulator's step; take(n) waits for n gradients, returns their
 * mean (sum) over the count actually accumulated, raises the step by one and resets the count.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ConditionalAccumulator } from "../../../../src/engine/resources/conditional-accumulator.js";
import * as tf from "../../../../src/index.js";
import { systemClock } from "../../../../src/util/env.js";

let sessions: tf.Session[] = [];
afterEach(async () => {
  await Promise.all(sessions.map((s) => s.close()));
  sessions = [];
});

function build<T>(fn: () => T): { g: tf.Graph; sess: tf.Session } & T {
  const g = new tf.Graph();
  const built = g.asDefault(fn);
  const sess = new tf.Session(undefined, { graph: g });
  sessions.push(sess);
  return { g, sess, ...built };
}

const num = (a: tf.NDArray): number[] => Array.from(a.data as Float32Array, Number);

describe("ConditionalAccumulator", () => {
  it("builds TF's resource ops, colocated with the accumulator, with TF's default names", () => {
    const { acc, apply, take, count, set } = build(() => {
      const acc = tf.device("/job:ps/task:1", () => new tf.ConditionalAccumulator({ dtype: "float32", shape: [2], sharedName: "a" }));
      const apply = tf.device("/job:worker", () => acc.applyGrad([1, 2], { localStep: 3 }));
      return { acc, apply, take: acc.takeGrad(1), count: acc.numAccumulated(), set: acc.setGlobalStep(4) };
    });
    expect(acc.accumulatorRef.op.type).toBe("ResourceConditionalAccumulator");
    expect(acc.name).toBe("conditional_accumulator");
    expect(acc.accumulatorRef.op.attrs.reduction_type).toEqual({ s: "MEAN" });
    expect([apply.type, apply.name, apply.device]).toEqual(["ResourceAccumulatorApplyGradient", "ResourceAccumulatorApplyGradient", "/job:ps/task:1"]);
    expect(apply.inputs[1]!.dtype).toBe("int64");
    expect([take.op.type, take.shape, take.dtype]).toEqual(["ResourceAccumulatorTakeGradient", [2], "float32"]);
    expect([count.op.name, count.dtype]).toEqual(["conditional_accumulator_NumAccumulated", "int32"]);
    expect(set.type).toBe("ResourceAccumulatorSetGlobalStep");
  });

  it("MEAN of 10 and 20 is 15, SUM is 30; the count goes 0, 1, 2 and back to 0", async () => {
    const { sess, mean, sum } = build(() => {
      const make = (reductionType: "MEAN" | "SUM") => {
        const acc = new tf.ConditionalAccumulator({ dtype: "float32", shape: [1], reductionType });
        return { a: acc.applyGrad([10]), b: acc.applyGrad([20]), take: acc.takeGrad(2), count: acc.numAccumulated() };
      };
      return { mean: make("MEAN"), sum: make("SUM") };
    });
    for (const [acc, want] of [[mean, 15], [sum, 30]] as const) {
      expect((await sess.run(acc.count)).item()).toBe(0);
      await sess.run(acc.a);
      expect((await sess.run(acc.count)).item()).toBe(1);
      await sess.run(acc.b);
      expect((await sess.run(acc.count)).item()).toBe(2);
      expect(num(await sess.run(acc.take))).toEqual([want]);
      expect((await sess.run(acc.count)).item()).toBe(0);
    }
  });

  it("drops stale gradients: after a take, local step 0 no longer counts, step 1 does", async () => {
    const { sess, x, step, apply, take, count } = build(() => {
      const acc = new tf.ConditionalAccumulator({ dtype: "float32", shape: [] });
      const x = tf.placeholder("float32", []);
      const step = tf.placeholder("int64", []);
      return { x, step, apply: acc.applyGrad(x, { localStep: step }), take: acc.takeGrad(1), count: acc.numAccumulated() };
    });
    const feed = (v: number, s: number) => ({ feedDict: [[x, v], [step, tf.ndarray(BigInt(s), { dtype: "int64" })]] as [tf.Tensor, unknown][] });
    await sess.run(apply, feed(5, 0));
    expect((await sess.run(take)).item()).toBe(5);
    await sess.run(apply, feed(100, 0)); // stale: the accumulator's step is now 1
    expect((await sess.run(count)).item()).toBe(0);
    await sess.run(apply, feed(7, 1));
    await sess.run(apply, feed(9, 2));
    expect((await sess.run(take)).item()).toBe(8);
  });

  it("setGlobalStep: only gradients at or above the new step are averaged", async () => {
    const { sess, x, step, apply, take, set } = build(() => {
      const acc = new tf.ConditionalAccumulator({ dtype: "float64", shape: [] });
      const x = tf.placeholder("float64", []);
      const step = tf.placeholder("int64", []);
      return { x, step, apply: acc.applyGrad(x, { localStep: step }), take: acc.takeGrad(1), set: acc.setGlobalStep(1002) };
    });
    await sess.run(set);
    for (const s of [1000, 1001, 1002, 1003, 1004]) {
      await sess.run(apply, { feedDict: [[x, s], [step, tf.ndarray(BigInt(s), { dtype: "int64" })]] });
    }
    expect((await sess.run(take)).item()).toBe((1002 + 1003 + 1004) / 3);
  });

  it("MEAN divides by the count accumulated, which may exceed numRequired", async () => {
    const { sess, applies, take, count } = build(() => {
      const acc = new tf.ConditionalAccumulator({ dtype: "float32" });
      return { applies: [1, 2, 3, 6].map((v) => acc.applyGrad([[v, 2 * v]])), take: acc.takeGrad(2), count: acc.numAccumulated() };
    });
    for (const a of applies) await sess.run(a);
    expect(num(await sess.run(take))).toEqual([3, 6]);
    expect((await sess.run(count)).item()).toBe(0);
  });

  it("takeGrad blocks until enough gradients arrive, and takes are served in arrival order", async () => {
    const { sess, apply, take3, take1 } = build(() => {
      const acc = new tf.ConditionalAccumulator({ dtype: "float32", shape: [] });
      const x = tf.placeholder("float32", [], { name: "x" });
      const step = tf.placeholder("int64", [], { name: "step" });
      return { apply: (v: number, s: number) => sess.run(acc.applyGrad(x, { localStep: step }), { feedDict: [[x, v], [step, tf.ndarray(BigInt(s), { dtype: "int64" })]] }), take3: acc.takeGrad(3), take1: acc.takeGrad(1) };
    });
    const order: string[] = [];
    const first = sess.run(take3).then((v) => (order.push("take3"), v.item()));
    const second = sess.run(take1).then((v) => (order.push("take1"), v.item()));
    await apply(1, 0);
    await apply(2, 0);
    expect(order).toEqual([]); // take(1) could complete, but waits behind take(3)
    await apply(6, 0);
    expect(await first).toBe(3);
    await apply(4, 1);
    expect(await second).toBe(4);
    expect(order).toEqual(["take3", "take1"]);
  });

  it("errors: TF's texts for a bad num_required and a wrong shape; a deadline ends a blocked take", async () => {
    const { sess, badTake, wrong, ok, take } = build(() => {
      const acc = new tf.ConditionalAccumulator({ dtype: "float32" });
      return { badTake: acc.takeGrad(-1), ok: acc.applyGrad([[1, 2], [3, 4], [5, 6]]), wrong: acc.applyGrad([[1, 2]]), take: acc.takeGrad(5) };
    });
    const bad = await sess.run(badTake).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(tf.errors.InvalidArgumentError);
    expect(bad).toMatchObject({ message: "Argument num_required must be positive, but was -1", nodeName: "ResourceAccumulatorTakeGradient" });
    await sess.run(ok);
    const err = await sess.run(wrong).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(tf.errors.InvalidArgumentError);
    expect((err as Error).message).toContain("Shape mismatch: expected [3,2], got [1,2]");
    // A step deadline ends a blocked take with the deadline's error.
    const late = await sess.run(take, { options: { timeoutInMs: 20 } }).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(tf.errors.DeadlineExceededError);
  });

  it("a cancelled take fails with TF's text, at once when its step was already cancelled", async () => {
    const acc = new ConditionalAccumulator({ name: "acc", dtype: "float32", shape: [], reductionType: "MEAN", clock: systemClock });
    const ctl = new AbortController();
    const pending = acc.takeGrad(1, { signal: ctl.signal }).catch((e: unknown) => e);
    expect(acc.describe().waiting).toHaveLength(1);
    ctl.abort();
    const err = await pending;
    expect(err).toBeInstanceOf(tf.errors.CancelledError);
    expect((err as Error).message).toBe("TakeGrad operation was cancelled");
    expect(acc.describe().waiting).toHaveLength(0);
    await expect(acc.takeGrad(1, { signal: ctl.signal })).rejects.toThrow("TakeGrad operation was cancelled");
    // The gradient applied afterwards is still there for the next take.
    acc.applyGrad(0n, tf.ndarray(4, { dtype: "float32" }));
    expect((await acc.takeGrad(1)).item()).toBe(4);
  });

  it("a declared shape rejects incompatible gradients at build time and at run time", async () => {
    const { sess, p, apply } = build(() => {
      const acc = new tf.ConditionalAccumulator({ dtype: "float32", shape: [3, 2] });
      expect(() => acc.applyGrad([[1, 2], [3, 4]])).toThrow(RangeError);
      expect(() => acc.applyGrad([[1], [2], [3]])).toThrow(RangeError);
      const p = tf.placeholder("float32", null);
      return { p, apply: acc.applyGrad(p) };
    });
    const err = await sess.run(apply, { feedDict: [[p, [[1, 2]]]] }).catch((e: unknown) => e);
    expect((err as Error).message).toContain("Shape mismatch: expected [3,2], got [1,2]");
  });

  it("a bad reductionType throws at build time; an integer dtype fails in the kernel", async () => {
    expect(() => build(() => new tf.ConditionalAccumulator({ dtype: "float32", reductionType: "MAX" as "SUM" }))).toThrow(/not in: "MEAN", "SUM"/);
    const { sess, count } = build(() => ({ count: new tf.ConditionalAccumulator({ dtype: "int32" }).numAccumulated() }));
    await expect(sess.run(count)).rejects.toBeInstanceOf(tf.errors.InvalidArgumentError);
  });

  it("shared by name: the first creator's dtype wins, a second of another dtype fails at apply and take", async () => {
    const { sess, apply32, apply64, take64, count64 } = build(() => {
      const a = new tf.ConditionalAccumulator({ dtype: "float32", shape: [], sharedName: "shared" });
      const b = new tf.ConditionalAccumulator({ dtype: "float64", shape: [], sharedName: "shared" });
      return { apply32: a.applyGrad(1), apply64: b.applyGrad(2), take64: b.takeGrad(1), count64: b.numAccumulated() };
    });
    await sess.run(apply32);
    expect((await sess.run(count64)).item()).toBe(1); // one accumulator behind both
    await expect(sess.run(apply64)).rejects.toThrow("Signature mismatch, have: resource, int64, double-> expected: resource, int64, float->");
    await expect(sess.run(take64)).rejects.toThrow("Signature mismatch, have: resource, int32->double expected: resource, int32->float");
  });
});
