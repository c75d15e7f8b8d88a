/**
 * Scenario S8: parameters on the ps tasks (replicaDeviceSetter), two worker clients each
 * computing gradients on their own mini-batches of a synthetic linear regression and applying
 * them asynchronously, at the same time, to the shared parameters; then a Saver checkpoint of
 * those parameters restored into a fresh cluster. Run on every transport.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { getOrCreateGlobalStep } from "../../src/train/global-step.js";
import { MomentumOptimizer } from "../../src/train/optimizers/index.js";
import { Saver } from "../../src/train/saver.js";
import { SeededRandom } from "../../src/util/env.js";
import { clusterOf, describeOnTransports } from "../helpers/transports.js";
import type { TransportContext } from "../helpers/transports.js";

const TRUE_W = [1, -2, 0.5, 3];
const TRUE_B = 0.7;
const STEPS_PER_WORKER = 30;
const BATCH = 16;

const dir = mkdtempSync(join(tmpdir(), "tfcluster-s8-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A mini-batch of y = x·w + b with x uniform in [-1, 1). */
function batch(rng: SeededRandom, n = BATCH): { x: number[][]; y: number[][] } {
  const x = Array.from({ length: n }, () => TRUE_W.map(() => 2 * rng.next() - 1));
  return { x, y: x.map((row) => [row.reduce((s, v, i) => s + v * TRUE_W[i]!, TRUE_B)]) };
}

/** One worker client's graph: the model under replicaDeviceSetter, on its own worker task. */
function buildModel(ctx: TransportContext, task: number, prefix: string) {
  const g = new tf.Graph();
  const setter = tf.train.replicaDeviceSetter({ cluster: ctx.cluster.spec, workerDevice: `/job:worker/task:${task}` });
  return g.asDefault(() =>
    tf.device(setter, () => {
      const step = getOrCreateGlobalStep();
      const w = new tf.Variable(tf.zeros([4, 1]), { name: `${prefix}_w` });
      const b = new tf.Variable(0, { name: `${prefix}_b` });
      const x = tf.placeholder("float32", [null, 4], { name: "x" });
      const y = tf.placeholder("float32", [null, 1], { name: "y" });
      const loss = tf.reduceMean(tf.square(tf.sub(tf.add(tf.matMul(x, w), b), y)));
      // Modest momentum: updates are applied asynchronously with stale gradients, whatever the interleaving.
      const opt = new MomentumOptimizer(0.1, 0.5);
      const train = opt.minimize(loss, { globalStep: step });
      return { g, step, w, b, x, y, loss, train, opt, init: tf.globalVariablesInitializer() };
    }),
  );
}

type Model = ReturnType<typeof buildModel>;

const feed = (m: Model, data: { x: number[][]; y: number[][] }): [tf.Tensor, number[][]][] => [
  [m.x, data.x],
  [m.y, data.y],
];

describeOnTransports("asynchronous training across the cluster (S8)", { ps: 2, worker: 2 }, (ctx) => {
  it("two workers apply their mini-batches' gradients concurrently to parameters on the ps tasks", async () => {
    const prefix = "s8";
    const models = [buildModel(ctx, 0, prefix), buildModel(ctx, 1, prefix)];
    const [m0] = models;
    // Round robin over the ps tasks; slots and updates next to their variable; gradients on the worker.
    expect([m0!.step.device, m0!.w.device, m0!.b.device]).toEqual(["/job:ps/task:0", "/job:ps/task:1", "/job:ps/task:0"]);
    expect(m0!.opt.getSlot(m0!.w, "momentum")!.device).toBe("/job:ps/task:1");
    const sessions = models.map((m, i) => new tf.Session(ctx.target("worker", i), { graph: m.g }));
    await sessions[0]!.run(m0!.init); // the chief initialises; the other worker shares the variables

    const evalData = batch(new SeededRandom(7), 64);
    const lossBefore = Number((await sessions[0]!.run(m0!.loss, { feedDict: feed(m0!, evalData) })).item());

    const runMetadata: { stepStats?: tf.RunMetadata["stepStats"] } = {};
    await sessions[1]!.run(models[1]!.train, { feedDict: feed(models[1]!, batch(new SeededRandom(99))), options: { traceLevel: "full" }, runMetadata });
    const ran = new Map((runMetadata.stepStats?.devStats ?? []).flatMap((d) => d.nodeStats.map((n) => [n.nodeName, d.device] as const)));
    expect(ran.get("Momentum/update_s8_w/ResourceApplyMomentum")).toBe("/job:ps/replica:0/task:1/device:CPU:0");
    expect(ran.get("Momentum/update_s8_b/ResourceApplyMomentum")).toBe("/job:ps/replica:0/task:0/device:CPU:0");
    expect(ran.get("Momentum")).toBe("/job:ps/replica:0/task:0/device:CPU:0");

    // Both workers loop at once, each on its own data stream; their updates interleave on the ps tasks.
    const losses: number[][] = [[], []];
    await Promise.all(
      models.map(async (m, i) => {
        const rng = new SeededRandom(1000 + i);
        for (let k = 0; k < STEPS_PER_WORKER; k++) {
          const [, l] = await sessions[i]!.run([m.train, m.loss], { feedDict: feed(m, batch(rng)) });
          losses[i]!.push(Number(l!.item()));
        }
      }),
    );
    const lossAfter = Number((await sessions[0]!.run(m0!.loss, { feedDict: feed(m0!, evalData) })).item());
    expect(lossAfter).toBeLessThan(lossBefore * 0.05);
    for (const l of losses) expect(l[l.length - 1]!).toBeLessThan(l[0]!);
    // Every update was counted: the traced step, then 30 per worker.
    expect((await sessions[1]!.run(models[1]!.step)).item()).toBe(BigInt(1 + 2 * STEPS_PER_WORKER));
    await Promise.all(sessions.map((s) => s.close()));
  });

  it("a Saver checkpoint written on the ps tasks restores into a fresh cluster", async () => {
    const m = buildModel(ctx, 0, "ckpt");
    const saver = m.g.asDefault(() => new Saver({ sharded: true }));
    const sess = new tf.Session(ctx.target("worker", 0), { graph: m.g });
    await sess.run(m.init);
    const rng = new SeededRandom(5);
    for (let k = 0; k < 5; k++) await sess.run(m.train, { feedDict: feed(m, batch(rng)) });
    const trained = await sess.run({ w: m.w, b: m.b, step: m.step, slot: m.opt.getSlot(m.w, "momentum")! });
    const path = await saver.save(sess, join(dir, ctx.transport, "model"), { globalStep: m.step });
    expect(path).toBe(join(dir, ctx.transport, "model-5"));
    // One data file per ps task, each written by that task, and the index naming them.
    expect(readdirSync(join(dir, ctx.transport)).sort()).toEqual(["checkpoint", "model-5.data-00000-of-00002", "model-5.data-00001-of-00002", "model-5.index"]);
    await sess.close();

    const fresh = await tf.sim.launch(clusterOf({ ps: 2, worker: 2 }), { transport: ctx.transport, seed: 3 });
    try {
      const m2 = buildModel({ ...ctx, cluster: fresh, target: (job, i = 0) => fresh.target(job, i) }, 1, "ckpt");
      const saver2 = m2.g.asDefault(() => new Saver());
      const sess2 = new tf.Session(fresh.target("worker", 1), { graph: m2.g });
      await expect(sess2.run(m2.w)).rejects.toBeInstanceOf(tf.errors.FailedPreconditionError);
      await saver2.restore(sess2, path);
      const restored = await sess2.run({ w: m2.w, b: m2.b, step: m2.step, slot: m2.opt.getSlot(m2.w, "momentum")! });
      expect(Object.fromEntries(Object.entries(restored).map(([k, v]) => [k, v.toArray()]))).toEqual(
        Object.fromEntries(Object.entries(trained).map(([k, v]) => [k, v.toArray()])),
      );
      // Training goes on from the restored state.
      await sess2.run(m2.train, { feedDict: feed(m2, batch(rng)) });
      expect((await sess2.run(m2.step)).item()).toBe(6n);
      await sess2.close();
    } finally {
      await fresh.stop();
    }
  }, 120_000);
});
