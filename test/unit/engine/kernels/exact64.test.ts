/**
 * int64 and float64 are computed exactly (values past 2^31 and past float32 precision), or
 * refused with UnimplementedError naming the op and the dtype — never silently in 32 bits.
 */
import { expect, it } from "vitest";
import * as tf from "../../../../src/index.js";

async function run<T extends tf.Tensor | tf.Tensor[]>(build: () => T): Promise<unknown> {
  const g = new tf.Graph();
  const t = g.asDefault(build);
  const sess = new tf.Session(undefined, { graph: g });
  try {
    const out = await sess.run(t);
    return Array.isArray(out) ? out.map((o) => o.toArray()) : (out as tf.NDArray).toArray();
  } finally {
    await sess.close();
  }
}

const big = 2n ** 40n;

it("int64 element-wise math and comparisons are exact past 2^31", async () => {
  const out = await run(() => {
    const a = tf.constant([big + 1n, -big], { dtype: "int64" });
    const b = tf.constant([big, 3n], { dtype: "int64" });
    return [tf.add(a, b), tf.sub(a, b), tf.mul(a, b), tf.maximum(a, b), tf.less(a, b), tf.equal(a, b), tf.neg(a)];
  });
  expect(out).toEqual([
    [2n * big + 1n, -big + 3n],
    [1n, -big - 3n],
    [BigInt.asIntN(64, (big + 1n) * big), -3n * big], // wraps at 2^64, as C++ int64 does
    [big + 1n, 3n],
    [false, true],
    [false, false],
    [-big - 1n, big],
  ]);
});

it("float64 keeps double precision and range", async () => {
  const out = (await run(() => {
    const a = tf.constant([0.1, 1e300], { dtype: "float64" });
    const b = tf.constant([0.2, 10], { dtype: "float64" });
    return [tf.add(a, b), tf.mul(a, b), tf.sqrt(tf.constant([2], { dtype: "float64" }))];
  })) as number[][];
  expect(out[0]![0]).toBe(0.1 + 0.2);
  expect(out[1]![1]).toBe(1e301);
  expect(out[2]![0]).toBe(Math.SQRT2);
});

it("int64 and float64 reductions are exact", async () => {
  const out = await run(() => [
    tf.reduceSum(tf.constant([[big, big], [1n, 2n]], { dtype: "int64" }), 0),
    tf.reduceMax(tf.constant([big, -big, 5n], { dtype: "int64" })),
    tf.reduceSum(tf.constant([1e-17, 1, -1], { dtype: "float64" })),
  ]);
  expect(out).toEqual([[big + 1n, big + 2n], big, 1e-17 + 1 - 1]);
});

it("an int64 global step counts past 2^31", async () => {
  const g = new tf.Graph();
  const { gs, set, inc } = g.asDefault(() => {
    const gs = tf.train.getOrCreateGlobalStep();
    return { gs, set: tf.assign(gs, tf.constant(2n ** 31n - 1n, { dtype: "int64" })), inc: tf.assignAdd(gs, tf.constant(1n, { dtype: "int64" })) };
  });
  const sess = new tf.Session(undefined, { graph: g });
  await sess.run(gs.initializer);
  await sess.run(set);
  await sess.run(inc);
  await sess.run(inc);
  expect((await sess.run(gs.value())).item()).toBe(2n ** 31n + 1n);
  await sess.close();
});

it("an op without an exact 64-bit kernel is refused with UnimplementedError naming it and the dtype", async () => {
  const err = await run(() => tf.matMul(tf.constant([[1, 2]], { dtype: "float64" }), tf.constant([[3], [4]], { dtype: "float64" }))).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(tf.errors.UnimplementedError);
  expect((err as Error).message).toMatch(/MatMul.*float64/);
});
