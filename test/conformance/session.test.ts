/** Sessions: feeds, nested fetches, graph extension, closing, errors that reach the client. */
import { expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { describeOnTransports } from "../helpers/transports.js";

describeOnTransports("sessions", { ps: 1, worker: 1 }, (ctx) => {
  it("feeds placeholders by tensor or name and returns nested fetch structures", async () => {
    const g = new tf.Graph();
    const { x, sum, prod, init } = g.asDefault(() => {
      const x = tf.placeholder("float32", [2], { name: "x" });
      const y = tf.placeholder("float32", [2], { name: "y" });
      const v = tf.device("/job:ps/task:0", () => new tf.Variable([10, 20], { name: "feed_v" }));
      return { x, y, sum: tf.add(tf.add(x, y), v), prod: tf.mul(x, y), init: v.initializer };
    });
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    await sess.run(init);
    const out = await sess.run(
      { a: [sum, prod], b: { p: prod, none: init } },
      { feedDict: new Map<tf.Tensor | string, unknown>([[x, [1, 2]], ["y:0", [3, 4]]]) },
    );
    expect(out.a[0]!.toArray()).toEqual([14, 26]);
    expect(out.a[1]!.toArray()).toEqual([3, 8]);
    expect(out.b.p.toArray()).toEqual([3, 8]);
    expect(out.b.none).toBeNull();
    await sess.close();
  });

  it("a missing feed fails with InvalidArgumentError naming the placeholder", async () => {
    const g = new tf.Graph();
    const z = g.asDefault(() => tf.mul(tf.placeholder("float32", [], { name: "unfed" }), 2));
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    const err = await sess.run(z).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(tf.errors.InvalidArgumentError);
    expect((err as Error).message).toContain("unfed");
    await sess.close();
  });

  it("extends the session graph with nodes added after the first run", async () => {
    const g = new tf.Graph();
    const a = g.asDefault(() => tf.constant(3, { name: "ext_a" }));
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    expect((await sess.run(a)).item()).toBe(3);
    const b = g.asDefault(() => tf.mul(a, 5));
    expect((await sess.run(b)).item()).toBe(15);
    await sess.close();
  });

  it("a runtime error on another task reaches the client as the same class with the node name", async () => {
    const g = new tf.Graph();
    const bad = g.asDefault(() =>
      tf.device("/job:ps/task:0", () => tf.matMul(tf.constant([[1, 2, 3]]), tf.placeholder("float32", null, { name: "m" }), { name: "mm" })),
    );
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    const err = await sess.run(bad, { feedDict: [["m:0", [[1, 2]]]] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(tf.errors.InvalidArgumentError);
    expect((err as tf.errors.OpError).nodeName).toBe("mm");
    await sess.close();
  });

  it("a closed session refuses to run", async () => {
    const g = new tf.Graph();
    const a = g.asDefault(() => tf.constant(1));
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    await sess.run(a);
    await sess.close();
    await expect(sess.run(a)).rejects.toThrow("Attempted to use a closed Session.");
  });

  it("an unknown target scheme fails with NotFoundError", async () => {
    await expect(tf.Session.reset("nonexistent", ["x"])).rejects.toBeInstanceOf(tf.errors.NotFoundError);
  });
});
