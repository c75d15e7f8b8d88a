/**
 * Synchronous training with SyncReplicasOptimizer on every transport. Model: TF's protocol
 * (tf-training.md §1.3, sync_replicas_optimizer_test.py): each update applies the mean of exactly
 * `replicasToAggregate` fresh gradients; tokens carry the new global step, so with the default
 * initial tokens the round after the first is stale and dropped; a backup worker's late
 * gradients are dropped, and the others go on without it. The hook is driven as a
 * MonitoredSession would: begin → afterCreateSession(session, coord) → runs.
 */
import { afterEach, expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { getOrCreateGlobalStep } from "../../src/train/global-step.js";
import { formatStatus } from "../../src/cli/format-status.js";
import { describeOnTransports } from "../helpers/transports.js";
import type { TransportContext } from "../helpers/transports.js";
import { waitFor, waitForWaiters } from "../helpers/wait.js";

const LR = 2.0;

/** One worker client's graph: v0 = 0 and v1 = 1 on the ps tasks, gradients fed by placeholder. */
function buildWorker(ctx: TransportContext, task: number, prefix: string, replicas: { aggregate: number; total: number }) {
  const g = new tf.Graph();
  const setter = tf.train.replicaDeviceSetter({ cluster: ctx.cluster.spec, workerDevice: `/job:worker/task:${task}` });
  return g.asDefault(() =>
    // A container per test keeps each test's token queue and accumulators to itself.
    tf.container(prefix, () =>
      tf.device(setter, () => {
        const step = getOrCreateGlobalStep();
        const v0 = new tf.Variable(0, { name: `${prefix}_v0` });
        const v1 = new tf.Variable(1, { name: `${prefix}_v1` });
        const g0 = tf.placeholder("float32", [], { name: "g0" });
        const g1 = tf.placeholder("float32", [], { name: "g1" });
        const sgd = new tf.train.GradientDescentOptimizer(LR);
        const opt = new tf.train.SyncReplicasOptimizer(sgd, { replicasToAggregate: replicas.aggregate, totalNumReplicas: replicas.total });
        const hook = opt.makeSessionRunHook(task === 0);
        const train = opt.applyGradients([[g0, v0], [g1, v1]], { globalStep: step });
        hook.begin();
        return { g, step, v0, v1, g0, g1, opt, train, hook, init: tf.globalVariablesInitializer() };
      }),
    ),
  );
}

type Worker = ReturnType<typeof buildWorker> & { sess: tf.Session };

let teardown: (() => Promise<void>) | null = null;
afterEach(async () => {
  await teardown?.();
  teardown = null;
});

/** Sessions for `tasks`; the chief initialises, then every hook's afterCreateSession runs. */
async function start(ctx: TransportContext, prefix: string, tasks: number[], replicas: { aggregate: number; total: number }): Promise<Worker[]> {
  const coord = new tf.train.Coordinator();
  const workers = tasks.map((t) => {
    const w = buildWorker(ctx, t, prefix, replicas);
    return { ...w, sess: new tf.Session(ctx.target("worker", t), { graph: w.g }) };
  });
  teardown = async () => {
    coord.requestStop();
    await Promise.all(workers.map((w) => w.sess.close()));
    await coord.join();
  };
  const [chief] = workers;
  await chief!.sess.run(chief!.init);
  for (const w of workers) await w.hook.afterCreateSession(w.sess, coord);
  // The sync loop is waiting on both accumulators before any gradient arrives.
  for (const v of ["v0", "v1"]) await waitForWaiters(ctx.target("worker", 0), `${prefix}_${v}:0/grad_accum`, "dequeue");
  return workers;
}

const push = (w: Worker, g0: number, g1: number) => w.sess.run(w.train, { feedDict: [[w.g0, g0], [w.g1, g1]] });

async function state(w: Worker): Promise<{ step: bigint; v0: number; v1: number; local: bigint }> {
  const r = await w.sess.run({ step: w.step, v0: w.v0, v1: w.v1, local: w.opt.localStep });
  return { step: r.step.item() as bigint, v0: Number(r.v0.item()), v1: Number(r.v1.item()), local: r.local.item() as bigint };
}

const waitForStep = (w: Worker, step: bigint) => waitFor(async () => (await w.sess.run(w.step)).item() === step, `global step ${step}`);

function expectVars(s: { v0: number; v1: number }, v0: number, v1: number): void {
  expect(s.v0).toBeCloseTo(v0, 5);
  expect(s.v1).toBeCloseTo(v1, 5);
}

describeOnTransports("synchronous training (SyncReplicasOptimizer)", { ps: 2, worker: 3 }, (ctx) => {
  it("2 workers, 2 to aggregate: each global step applies the mean of exactly two gradients", async () => {
    const [w0, w1] = await start(ctx, "two", [0, 1], { aggregate: 2, total: 2 });
    expect(w0!.opt.localStep.device).toBe("/job:worker/task:0");
    expect(w1!.opt.localStep.device).toBe("/job:worker/task:1");
    // Round 1 runs on the initial tokens (global step 0).
    await push(w0!, 0.1, 0.9);
    await push(w1!, 0.3, 1.1);
    await waitForStep(w0!, 1n);
    expectVars(await state(w0!), 0 - LR * ((0.1 + 0.3) / 2), 1 - LR * ((0.9 + 1.1) / 2));
    // Round 2 was computed at local step 0 < 1: dropped; the tokens move the local steps to 1.
    await push(w0!, 100, 100);
    await push(w1!, -100, -100);
    for (const w of [w0!, w1!]) {
      const s = await state(w);
      expect([s.step, s.local]).toEqual([1n, 1n]);
      expectVars(s, -0.4, -1.0);
    }
    // Round 3, concurrently: one waits at the token queue until the other's gradient completes the round.
    await Promise.all([push(w0!, 0.5, 0.2), push(w1!, 0.7, 0.4)]);
    const s = await state(w1!);
    expect([s.step, s.local]).toEqual([2n, 2n]);
    expectVars(s, -0.4 - LR * ((0.5 + 0.7) / 2), -1.0 - LR * ((0.2 + 0.4) / 2));
  });

  it("3 workers, 2 to aggregate: the backup's late gradient is dropped and training goes on without it", async () => {
    const [w0, w1, w2] = await start(ctx, "backup", [0, 1, 2], { aggregate: 2, total: 3 });
    const grads = (id: number): [number, number] => [0.1 + id * 0.2, 0.9 + id * 0.2];
    // Worker 1 is stalled: workers 0 and 2 make the first update alone.
    await push(w0!, ...grads(0));
    await push(w2!, ...grads(2));
    await waitForStep(w0!, 1n);
    const v0 = -LR * ((0.1 + 0.5) / 2);
    const v1 = 1 - LR * ((0.9 + 1.3) / 2);
    expectVars(await state(w0!), v0, v1);
    // Worker 1 catches up: its gradient (local step 0) is late and dropped, as are 0's and 2's second ones.
    await push(w1!, ...grads(1));
    await push(w0!, ...grads(0));
    await push(w2!, ...grads(2));
    const s1 = await state(w1!);
    expect(s1.step).toBe(1n);
    expectVars(s1, v0, v1);
    // All at local step 1 and no tokens left: worker 0 waits until worker 1's gradient completes the round.
    await Promise.all([push(w0!, ...grads(0)), push(w1!, ...grads(1))]);
    const s = await state(w0!);
    expect(s.step).toBe(2n);
    expectVars(s, v0 - LR * ((0.1 + 0.3) / 2), v1 - LR * ((0.9 + 1.1) / 2));
  });

  it("3 workers, 2 to aggregate, one stalled throughout: the other two keep training, updates are means", async () => {
    const [w0, , w2] = await start(ctx, "stalled", [0, 1, 2], { aggregate: 2, total: 3 });
    const RUNS = 6;
    await Promise.all([w0!, w2!].map(async (w) => {
      for (let k = 0; k < RUNS; k++) await push(w, 0.5, 0.25);
    }));
    // Every run took a token: 2 initial ones plus 3 per update, so at least ceil((12 - 2) / 3) updates.
    for (const v of ["v0", "v1"]) await waitForWaiters(ctx.target("worker", 0), `stalled_${v}:0/grad_accum`, "dequeue");
    const s = await state(w0!);
    expect(s.step).toBeGreaterThanOrEqual(4n);
    const n = Number(s.step);
    // Identical gradients: a mean of two is the gradient itself (a sum would double it).
    expectVars(s, -LR * 0.5 * n, 1 - LR * 0.25 * n);
  });

  it("a blocked takeGrad on a ps shows in clusterStatus and fails with TF's text when its session closes", async () => {
    const g = new tf.Graph();
    const { acc, apply, take } = g.asDefault(() =>
      tf.device("/job:ps/task:1", () => {
        const acc = new tf.ConditionalAccumulator({ dtype: "float32", shape: [2], sharedName: "cancel_me" });
        return { acc, apply: acc.applyGrad([1, 2]), take: acc.takeGrad(2) };
      }),
    );
    const sess = new tf.Session(ctx.target("worker", 2), { graph: g });
    await sess.run(apply);
    const pending = sess.run(take).catch((e: unknown) => e);
    const status = await waitForWaiters(ctx.target("worker", 0), "cancel_me", "dequeue");
    expect(status.device).toBe("/job:ps/replica:0/task:1/device:CPU:0");
    expect(status.details).toMatchObject({ type: "ConditionalAccumulator", numAccumulated: 1, globalStep: "0" });
    expect(formatStatus([status])).toContain("takeGrad of 2 gradient(s) waiting");
    await sess.close();
    const err = await pending;
    expect(err).toBeInstanceOf(tf.errors.CancelledError);
    expect((err as Error).message).toMatch(/was cancelled/);
    // The gradient stays; a new session sees it, and a step deadline ends a take that cannot complete.
    const sess2 = new tf.Session(ctx.target("worker", 1), { graph: g });
    expect((await sess2.run(acc.numAccumulated())).item()).toBe(1);
    await expect(sess2.run(take, { options: { timeoutInMs: 50 } })).rejects.toBeInstanceOf(tf.errors.DeadlineExceededError);
    await sess2.close();
  });
});
