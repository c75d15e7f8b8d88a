/**
 * SyncReplicasOptimizer under MonitoredTrainingSession on every transport: the chief's session
 * initialises the model, its hook (begin, then afterCreateSession from the session creator)
 * sets the accumulators' steps, enqueues the initial tokens and starts the sync loop; the other
 * worker waits for the model and sets its local step. Model (tf-training.md §1.3): the workers
 * run in lockstep rounds, each pushing one gradient per round; round 1 uses the initial tokens
 * and makes update 1, round 2 is stale (local step 0 < 1) and dropped, round r ≥ 3 makes update
 * r − 1 from the mean of that round's two gradients. StopAtStepHook ends both at step 3.
 */
import { expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { getOrCreateGlobalStep } from "../../src/train/global-step.js";
import { StopAtStepHook } from "../../src/train/hooks/stop-at-step-hook.js";
import { MonitoredTrainingSession } from "../../src/train/monitored-training-session.js";
import { describeOnTransports } from "../helpers/transports.js";
import type { TransportContext } from "../helpers/transports.js";

const LR = 0.5;

function buildWorker(ctx: TransportContext, task: number) {
  const g = new tf.Graph();
  const setter = tf.train.replicaDeviceSetter({ cluster: ctx.cluster.spec, workerDevice: `/job:worker/task:${task}` });
  return g.asDefault(() =>
    tf.device(setter, () => {
      const step = getOrCreateGlobalStep();
      const w = new tf.Variable(10, { name: "mts_w" });
      const grad = tf.placeholder("float32", [], { name: "grad" });
      const opt = new tf.train.SyncReplicasOptimizer(new tf.train.GradientDescentOptimizer(LR), { replicasToAggregate: 2, totalNumReplicas: 2 });
      const train = opt.applyGradients([[grad, w]], { globalStep: step });
      return { g, step, w, grad, opt, train, hook: opt.makeSessionRunHook(task === 0) };
    }),
  );
}

describeOnTransports("SyncReplicasOptimizer under MonitoredTrainingSession", { ps: 1, worker: 2 }, (ctx) => {
  it("the hook starts the sync loop on the chief; lockstep rounds apply the mean of each round's two gradients", async () => {
    const workers = [buildWorker(ctx, 0), buildWorker(ctx, 1)];
    const sessions = await Promise.all(
      workers.map((w, i) =>
        MonitoredTrainingSession({
          master: ctx.target("worker", i),
          isChief: i === 0,
          graph: w.g,
          hooks: [w.hook, new StopAtStepHook({ lastStep: 3 })],
          logStepCountSteps: 0,
          recoveryWaitSecs: 0.05,
        }),
      ),
    );
    const grads = [
      [1, 3], // update 1: mean 2
      [100, -100], // stale: dropped
      [2, 6], // update 2: mean 4
      [-1, -3], // update 3: mean -2
    ];
    for (const round of grads) {
      expect(sessions.map((s) => s.shouldStop())).toEqual([false, false]);
      await Promise.all(sessions.map((s, i) => s.run(workers[i]!.train, { feedDict: [[workers[i]!.grad, round[i]!]] })));
    }
    expect(sessions.map((s) => s.shouldStop())).toEqual([true, true]);
    const probe = new tf.Session(ctx.target("worker", 1), { graph: workers[1]!.g });
    const [step, w] = await probe.run([workers[1]!.step, workers[1]!.w]);
    expect(step!.item()).toBe(3n);
    expect(Number(w!.item())).toBeCloseTo(10 - LR * (2 + 4 - 2), 5);
    await probe.close();
    // The coordinator's stop cancels the sync loop's blocked takeGrad, so close does not sit out
    // the 120 s stop grace period (the test would time out).
    await Promise.all(sessions.map((s) => s.close()));
  });
});
