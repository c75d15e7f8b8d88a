/**
 * TF 1.15's master checks a graph when it arrives (CreateSession / ExtendSession): an op type it
 * does not know is NOT_FOUND "Op type not registered", a device that does not exist is
 * INVALID_ARGUMENT, both before any node runs, and even when the run would not need the bad node.
 */
import { expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { describeOnTransports } from "../helpers/transports.js";

describeOnTransports("graph validation at session creation", { ps: 1, worker: 1 }, (ctx) => {
  it("an unknown op type fails with NotFoundError naming it, though the run does not need it", async () => {
    const g = new tf.Graph();
    const ok = g.asDefault(() => {
      g.addOp({ type: "NoSuchOpAnywhere", name: "mystery", outputs: [] });
      return tf.constant(1, { name: "fine" });
    });
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    const err = await sess.run(ok).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(tf.errors.NotFoundError);
    expect((err as Error).message).toContain("Op type not registered 'NoSuchOpAnywhere' in binary running on /job:worker/replica:0/task:0");
    await sess.close().catch(() => {});
  });

  it("a device that does not exist fails at creation; an extension with one is refused and the session goes on", async () => {
    const g = new tf.Graph();
    const a = g.asDefault(() => tf.constant(2, { name: "a" }));
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    expect((await sess.run(a)).item()).toBe(2);
    g.asDefault(() => tf.device("/job:ps/task:7", () => tf.constant(3, { name: "nowhere" })));
    const err = await sess.run(a).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(tf.errors.InvalidArgumentError);
    expect((err as Error).message).toMatch(/Cannot assign a device for operation 'nowhere'.*\/job:ps\/task:7/);
    await sess.close();

    const fresh = new tf.Session(ctx.target("worker", 0), { graph: g });
    await expect(fresh.run(a)).rejects.toBeInstanceOf(tf.errors.InvalidArgumentError);
    await fresh.close().catch(() => {});
  });
});
