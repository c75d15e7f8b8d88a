/**
 * MonitoredSession and MonitoredTrainingSession on a private session. Model (TF's monitored_session.py,
 * reference/tf-training.md 3): hooks get begin once, afterCreateSession per created session, then
 * beforeRun → one run → afterRun per run (none when the run fails), end on a clean close; a stop request
 * takes effect after the run; Aborted/Unavailable recreate the session (the chief restores the latest
 * checkpoint) and retry the same fetches; nothing else is recovered.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AbortedError, OutOfRangeError, UnknownError } from "../../../src/errors/index.js";
import * as tf from "../../../src/index.js";
import type { Session } from "../../../src/client/session.js";
import type { Coordinator } from "../../../src/train/coordinator.js";
import { getOrCreateGlobalStep } from "../../../src/train/global-step.js";
import { CheckpointSaverHook } from "../../../src/train/hooks/checkpoint-saver-hook.js";
import { SessionRunArgs, SessionRunHook } from "../../../src/train/hooks/session-run-hook.js";
import type { SessionRunContext, SessionRunValues } from "../../../src/train/hooks/session-run-hook.js";
import { StopAtStepHook } from "../../../src/train/hooks/stop-at-step-hook.js";
import { MonitoredSession } from "../../../src/train/monitored-session.js";
import { MonitoredTrainingSession } from "../../../src/train/monitored-training-session.js";
import { ChiefSessionCreator } from "../../../src/train/session-creators.js";
import { Scaffold } from "../../../src/train/scaffold.js";
import { SingularMonitoredSession } from "../../../src/train/singular-monitored-session.js";

const root = mkdtempSync(join(tmpdir(), "tfcluster-mts-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirCount = 0;
const freshDir = () => join(root, `d${dirCount++}`);

/** A counter model: `train` adds 1 to the global step. */
function counterModel() {
  const g = new tf.Graph();
  return g.asDefault(() => {
    const step = getOrCreateGlobalStep();
    const train = tf.assignAdd(step, tf.constant(1n, { dtype: "int64" }));
    const x = tf.placeholderWithDefault(tf.constant(0), [], { name: "x" });
    return { g, step, train, x, doubled: tf.mul(x, 2) };
  });
}

/** Records every call, as TF's FakeHook does. */
class RecordingHook extends SessionRunHook {
  calls: string[] = [];
  request: SessionRunArgs | null = null;
  lastValues: SessionRunValues | null = null;
  stopAfter = Infinity;
  private runs = 0;
  override begin(): void {
    this.calls.push("begin");
  }
  override afterCreateSession(_s: Session, _c: Coordinator): void {
    this.calls.push("afterCreateSession");
  }
  override beforeRun(): SessionRunArgs | null {
    this.calls.push("beforeRun");
    return this.request;
  }
  override afterRun(ctx: SessionRunContext, values: SessionRunValues): void {
    this.calls.push("afterRun");
    this.lastValues = values;
    if (++this.runs >= this.stopAfter) ctx.requestStop();
  }
  override end(): void {
    this.calls.push("end");
  }
}

/** Throws `error` from beforeRun on the runs listed (counting from 1). */
class FailingHook extends SessionRunHook {
  private runs = 0;
  constructor(
    private readonly failOn: number[],
    private readonly error: () => Error,
  ) {
    super();
  }
  override beforeRun(): null {
    this.runs++;
    if (this.failOn.includes(this.runs)) throw this.error();
    return null;
  }
}

const stepOf = async (sess: MonitoredSession, m: ReturnType<typeof counterModel>) => Number((await sess.run(m.step.value())).item());

describe("MonitoredSession", () => {
  it("calls hooks in TF's order, passes hook fetches back, stops after the run that requests it", async () => {
    const m = counterModel();
    const hook = new RecordingHook();
    hook.request = new SessionRunArgs({ s: m.step.value() });
    hook.stopAfter = 2;
    const sess = await MonitoredSession.create({ hooks: [hook], graph: m.g });
    expect(m.g.isFinalized).toBe(true);
    expect(hook.calls).toEqual(["begin", "afterCreateSession"]);
    expect(sess.shouldStop()).toBe(false);
    expect((await sess.run(m.train)).item()).toBe(1n);
    expect((hook.lastValues!.results as { s: tf.NDArray }).s.shape).toEqual([]);
    expect(sess.shouldStop()).toBe(false);
    expect((await sess.run(m.train)).item()).toBe(2n); // the run that requests the stop still returns
    expect(sess.shouldStop()).toBe(true);
    await expect(sess.run(m.train)).rejects.toThrow("Run called even after should_stop requested.");
    await sess.close();
    expect(hook.calls).toEqual(["begin", "afterCreateSession", "beforeRun", "afterRun", "beforeRun", "afterRun", "end"]);
    expect(sess.graph).toBeNull();
    expect(m.g.isFinalized).toBe(false); // it was not finalized before
    await expect(sess.close()).rejects.toThrow("Session is already closed.");
  });

  it("merges hook feeds with the caller's and rejects conflicts with TF's messages", async () => {
    const m = counterModel();
    const feeder = new RecordingHook();
    feeder.request = new SessionRunArgs(null, [[m.x, 21]]);
    const sess = await MonitoredSession.create({ hooks: [feeder], graph: m.g });
    expect((await sess.run(m.doubled)).item()).toBe(42);
    await expect(sess.run(m.doubled, { feedDict: [["x", 1]] })).rejects.toThrow("Same tensor is fed by a SessionRunHook and user. Conflict(s): ['x:0']");
    await sess.close();
    const m2 = counterModel();
    const a = new RecordingHook();
    const b = new RecordingHook();
    a.request = new SessionRunArgs(null, [[m2.x, 1]]);
    b.request = new SessionRunArgs(null, [["x:0", 2]]);
    const two = await MonitoredSession.create({ hooks: [a, b], graph: m2.g });
    await expect(two.run(m2.doubled)).rejects.toThrow("Same tensor is fed by two hooks. Conflict(s): ['x:0']");
    await two.close();
  });

  it("a failing run calls no afterRun; a close after a non-OutOfRange error skips end, after OutOfRange it does not", async () => {
    const m = counterModel();
    const hook = new RecordingHook();
    const sess = await MonitoredSession.create({ hooks: [hook, new FailingHook([1], () => new UnknownError("boom"))], graph: m.g });
    const err = await sess.run(m.train).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownError);
    await sess.close({ error: err });
    expect(hook.calls).toEqual(["begin", "afterCreateSession", "beforeRun"]);
    const m2 = counterModel();
    const h2 = new RecordingHook();
    const s2 = await MonitoredSession.create({ hooks: [h2], graph: m2.g });
    await s2.close({ error: new OutOfRangeError("done") });
    expect(h2.calls.at(-1)).toBe("end");
  });

  it("recovers from AbortedError: a new session, afterCreateSession again (not begin), the same fetches retried", async () => {
    const m = counterModel();
    const hook = new RecordingHook();
    const sess = await MonitoredSession.create({ hooks: [hook, new FailingHook([2, 3], () => new AbortedError("Session x is not found."))], graph: m.g });
    expect((await sess.run(m.train)).item()).toBe(1n);
    // Runs 2 and 3 abort; each time the chief re-initializes (no checkpoint), then run 4 succeeds.
    expect((await sess.run(m.train)).item()).toBe(1n);
    expect(hook.calls.filter((c) => c === "begin").length).toBe(1);
    expect(hook.calls.filter((c) => c === "afterCreateSession").length).toBe(3);
    await sess.close();
  });

  it("recovery restores the latest checkpoint (CheckpointSaverHook saveSteps 1): training resumes where it was", async () => {
    const m = counterModel();
    const dir = freshDir();
    const saverHook = m.g.asDefault(() => new CheckpointSaverHook(dir, { saveSteps: 1 }));
    const sess = await MonitoredSession.create({
      sessionCreator: new ChiefSessionCreator({ checkpointDir: dir, graph: m.g }),
      hooks: [saverHook, new FailingHook([4], () => new tf.errors.UnavailableError("ps gone"))],
      graph: m.g,
    });
    for (let i = 0; i < 3; i++) await sess.run(m.train);
    expect((await sess.run(m.train)).item()).toBe(4n); // run 4 failed once, restored at 3, retried
    await sess.close();
    expect(readdirSync(dir)).toContain("model.ckpt-4.index");
  });

  it("a preemption a thread reports recreates the session in shouldStop; any other error makes it true and close raise it", async () => {
    const m = counterModel();
    let created = 0;
    class ReportingHook extends SessionRunHook {
      constructor(private readonly error: () => Error) {
        super();
      }
      override afterCreateSession(_s: Session, coord: Coordinator): void {
        if (created++ === 0) coord.requestStop(this.error());
      }
    }
    const sess = await MonitoredSession.create({ hooks: [new ReportingHook(() => new AbortedError("lost"))], graph: m.g });
    expect(sess.shouldStop()).toBe(false);
    await sess.run(m.train);
    expect(created).toBe(2);
    await sess.close();

    created = 0;
    const m2 = counterModel();
    const s2 = await MonitoredSession.create({ hooks: [new ReportingHook(() => new UnknownError("thread failed"))], graph: m2.g });
    expect(s2.shouldStop()).toBe(true);
    await expect(s2.close()).rejects.toBeInstanceOf(UnknownError);
  });
});

describe("MonitoredSession with queue runners; SingularMonitoredSession", () => {
  it("starts the graph's queue runners under its coordinator and stops them on close", async () => {
    const g = new tf.Graph();
    const { dq } = g.asDefault(() => {
      const q = new tf.FIFOQueue({ capacity: 4, dtypes: ["float32"] });
      const qr = new tf.train.QueueRunner(q, [q.enqueue([tf.constant(7)])]);
      tf.train.addQueueRunner(qr);
      return { dq: q.dequeue()[0]! };
    });
    const sess = await MonitoredSession.create({ graph: g });
    // Without the runner the dequeue would wait: the deadline turns that into a failure.
    const options = { timeoutInMs: 10_000 };
    expect((await sess.run(dq, { options })).item()).toBe(7);
    expect((await sess.run(dq, { options })).item()).toBe(7);
    await sess.close(); // requests the stop and joins the runner's thread
  });

  it("SingularMonitoredSession does not recover (test_do_not_handle_aborted_error) and exposes its raw session", async () => {
    const m = counterModel();
    const sess = await SingularMonitoredSession.create({ graph: m.g, hooks: [new FailingHook([2], () => new AbortedError("lost"))] });
    expect(sess.rawSession()).toBeInstanceOf(tf.Session);
    await sess.run(m.train);
    await expect(sess.run(m.train)).rejects.toBeInstanceOf(AbortedError);
    await sess.close({ error: new AbortedError("lost") });
    expect(sess.rawSession()).toBeNull();
  });
});

describe("MonitoredTrainingSession", () => {
  it("saves at creation, periodically and at the end; a restart resumes from the checkpoint (test_saving_restoring_checkpoint)", async () => {
    const dir = freshDir();
    for (const expected of [0, 2]) {
      const m = counterModel();
      const sess = await MonitoredTrainingSession({ checkpointDir: dir, graph: m.g, saveCheckpointSteps: 100 });
      expect(await stepOf(sess, m)).toBe(expected);
      await sess.run(m.train);
      await sess.run(m.train);
      await sess.close();
    }
    expect(readdirSync(dir).filter((n) => n.endsWith(".index")).sort()).toEqual(["model.ckpt-0.index", "model.ckpt-2.index", "model.ckpt-4.index"]);
  });

  it("saveCheckpointSecs 0 means no checkpoint hook (test_custom_saving); the chief-only hook begins once", async () => {
    const dir = freshDir();
    const m = counterModel();
    const chiefOnly = new RecordingHook();
    const sess = await MonitoredTrainingSession({ checkpointDir: dir, graph: m.g, saveCheckpointSecs: 0, chiefOnlyHooks: [chiefOnly], logStepCountSteps: 0 });
    await sess.run(m.train);
    await sess.close();
    expect(existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith(".index")) : []).toEqual([]);
    expect(chiefOnly.calls.filter((c) => c === "begin").length).toBe(1);
  });

  it("both checkpoint periods given is the timer's error; StopAtStepHook stops right after the run reaching lastStep", async () => {
    const m = counterModel();
    await expect(MonitoredTrainingSession({ checkpointDir: freshDir(), graph: m.g, saveCheckpointSecs: 10, saveCheckpointSteps: 10 })).rejects.toThrow(
      "Can not provide both every_secs and every_steps.",
    );
    const m2 = counterModel();
    const sess = await MonitoredTrainingSession({ graph: m2.g, hooks: [new StopAtStepHook({ lastStep: 3 })] });
    let runs = 0;
    while (!sess.shouldStop()) {
      await sess.run(m2.train);
      runs++;
    }
    expect(runs).toBe(3);
    await sess.close();
  });

  it("a scaffold's init function runs once on a fresh model", async () => {
    const m = counterModel();
    let calls = 0;
    const scaffold = new Scaffold({
      initFn: async (_scaffold, session) => {
        calls++;
        await session.run(m.train);
      },
    });
    const sess = await MonitoredTrainingSession({ graph: m.g, scaffold });
    expect(await stepOf(sess, m)).toBe(1);
    expect(calls).toBe(1);
    await sess.close();
  });
});
