/**
 * Sessions that survive (reference/tf-training.md 3.6, 4.2): 1 ps + 2 workers train one model
 * with MonitoredTrainingSession (worker 0 the chief, checkpointing every few steps). Mid-run the
 * ps task is killed and restarted empty. Model: each worker's next run fails with a preemption
 * error (Unavailable or Aborted); the chief's new session restores the latest checkpoint, the
 * other worker's new session waits until the model is ready again; both go on training from the
 * restored step and stop at the step limit. Run on every transport.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import * as tf from "../../src/index.js";
import type { Session } from "../../src/client/session.js";
import { latestCheckpoint } from "../../src/train/checkpoint-state.js";
import { getOrCreateGlobalStep } from "../../src/train/global-step.js";
import { SessionRunHook } from "../../src/train/hooks/session-run-hook.js";
import { StopAtStepHook } from "../../src/train/hooks/stop-at-step-hook.js";
import type { MonitoredSession } from "../../src/train/monitored-session.js";
import { MonitoredTrainingSession } from "../../src/train/monitored-training-session.js";
import { GradientDescentOptimizer } from "../../src/train/optimizers/index.js";
import { Saver } from "../../src/train/saver.js";
import { Scaffold } from "../../src/train/scaffold.js";
import { describeOnTransports } from "../helpers/transports.js";
import type { TransportContext } from "../helpers/transports.js";

const LAST_STEP = 40;
/** The ps is killed once the chief has a checkpoint at least this far. */
const KILL_AFTER_CHECKPOINT = 10;
const root = mkdtempSync(join(tmpdir(), "tfcluster-mts-conf-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function buildModel(ctx: TransportContext, task: number) {
  const g = new tf.Graph();
  const setter = tf.train.replicaDeviceSetter({ cluster: ctx.cluster.spec, workerDevice: `/job:worker/task:${task}` });
  return g.asDefault(() =>
    tf.device(setter, () => {
      const step = getOrCreateGlobalStep();
      const w = new tf.Variable(tf.zeros([2, 1]), { name: "mts_w" });
      const x = tf.constant([[1, 2], [3, -1], [0.5, 0.5]]);
      const y = tf.constant([[5], [1], [1.5]]);
      const loss = tf.reduceMean(tf.square(tf.sub(tf.matMul(x, w), y)));
      const train = new GradientDescentOptimizer(0.05).minimize(loss, { globalStep: step });
      const saver = new RecordingSaver({ sharded: true });
      return { g, step, train, saver, scaffold: new Scaffold({ saver }) };
    }),
  );
}

/** The scaffold's saver, noting every checkpoint it is asked to restore. */
class RecordingSaver extends Saver {
  readonly restored: string[] = [];
  override async restore(sess: Session, path: string | null | undefined): Promise<void> {
    this.restored.push(String(path));
    await super.restore(sess, path);
  }
}

/** Records the global step each time a session is created (after restore or init). */
class CreationsHook extends SessionRunHook {
  readonly stepsAtCreation: number[] = [];
  constructor(private readonly step: tf.Variable) {
    super();
  }
  override async afterCreateSession(session: Session): Promise<void> {
    this.stepsAtCreation.push(Number((await session.run(this.step.value())).item()));
  }
}

async function trainUntilStopped(sess: MonitoredSession, train: tf.Operation, afterRun: () => Promise<void>): Promise<void> {
  while (!sess.shouldStop()) {
    await sess.run(train);
    await afterRun();
  }
  await sess.close();
}

describeOnTransports("MonitoredTrainingSession survives a ps restart", { ps: 1, worker: 2 }, (ctx) => {
  it("both workers recover from the chief's last checkpoint and reach the step limit", async () => {
    const dir = join(root, ctx.transport);
    const models = [buildModel(ctx, 0), buildModel(ctx, 1)];
    const hooks = models.map((m) => new CreationsHook(m.step));
    const common = { recoveryWaitSecs: 0.05, maxWaitSecs: 120, maxRecoverySecs: 120, logStepCountSteps: 0 };
    const [chief, worker] = await Promise.all(
      models.map((m, i) =>
        MonitoredTrainingSession({
          ...common,
          master: ctx.target("worker", i),
          isChief: i === 0,
          checkpointDir: dir,
          saveCheckpointSteps: 5,
          graph: m.g,
          scaffold: m.scaffold,
          hooks: [new StopAtStepHook({ lastStep: LAST_STEP }), hooks[i]!],
        }),
      ),
    );
    // Once both workers are training and the chief has a checkpoint past KILL_AFTER_CHECKPOINT, whichever worker
    // notices first kills the ps and restarts it, mid-run for the other.
    const probe = new tf.Session(ctx.target("worker", 1), { graph: models[1]!.g });
    let stepAtKill: number | null = null;
    let checkpointAtKill = -1;
    let killing: Promise<void> | null = null;
    const runs = [0, 0];
    const killOnce = (): Promise<void> => {
      if (runs.some((n) => n === 0)) return Promise.resolve();
      killing ??= (async () => {
        const latest = await latestCheckpoint(dir);
        const saved = latest === null ? -1 : Number(/-(\d+)$/.exec(latest)![1]);
        if (saved < KILL_AFTER_CHECKPOINT) {
          killing = null;
          return;
        }
        checkpointAtKill = saved;
        stepAtKill = Number((await probe.run(models[1]!.step.value())).item());
        await ctx.cluster.kill("ps", 0);
        await ctx.cluster.restart("ps", 0);
      })();
      return stepAtKill === null ? killing : Promise.resolve();
    };
    const afterRunOf = (i: number) => () => {
      runs[i]!++;
      return killOnce();
    };
    await Promise.all([trainUntilStopped(chief!, models[0]!.train, afterRunOf(0)), trainUntilStopped(worker!, models[1]!.train, afterRunOf(1))]);
    await probe.close();

    expect(stepAtKill).not.toBeNull();
    // The chief's second session restored its latest checkpoint (that one, or one saved while the kill was under
    // way), rather than initializing the model again; the other worker's began once the model was ready again.
    expect(hooks[0]!.stepsAtCreation.length).toBeGreaterThanOrEqual(2);
    expect(hooks[0]!.stepsAtCreation[0]).toBe(0);
    // The first restore after the kill (attempts made while the ps was still down read the same state).
    const restoredPath = models[0]!.saver.restored[0]!;
    const restoredStep = Number(/-(\d+)$/.exec(restoredPath)![1]);
    expect(restoredStep).toBeGreaterThanOrEqual(checkpointAtKill);
    expect(restoredStep).toBeLessThan(LAST_STEP);
    expect(hooks[0]!.stepsAtCreation[1]).toBeGreaterThanOrEqual(restoredStep);
    expect(hooks[1]!.stepsAtCreation.length).toBeGreaterThanOrEqual(2);
    expect(hooks[1]!.stepsAtCreation.at(-1)!).toBeGreaterThanOrEqual(restoredStep);
    // Both reached the limit: the global step on the restarted ps is past it.
    const check = new tf.Session(ctx.target("worker", 1), { graph: models[1]!.g });
    expect(Number((await check.run(models[1]!.step.value())).item())).toBeGreaterThanOrEqual(LAST_STEP);
    await check.close();
    expect(await latestCheckpoint(dir)).toMatch(/model\.ckpt-\d+$/);
  }, 120_000);
});
