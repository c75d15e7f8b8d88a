/**
 * The built-in hooks inside a MonitoredSession on a private session, each against TF's firing rules
 * (reference/tf-training.md 5): StopAtStep, CheckpointSaver, StepCounter, LoggingTensor, NanTensor,
 * GlobalStepWaiter, FinalOps, FeedFn. Time-based periods run on a test clock moved by hand.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DeadlineExceededError, OutOfRangeError } from "../../../../src/errors/index.js";
import * as tf from "../../../../src/index.js";
import { getOrCreateGlobalStep } from "../../../../src/train/global-step.js";
import { CheckpointSaverHook, CheckpointSaverListener } from "../../../../src/train/hooks/checkpoint-saver-hook.js";
import { FeedFnHook } from "../../../../src/train/hooks/feed-fn-hook.js";
import { FinalOpsHook } from "../../../../src/train/hooks/final-ops-hook.js";
import { GlobalStepWaiterHook } from "../../../../src/train/hooks/global-step-waiter-hook.js";
import { LoggingTensorHook } from "../../../../src/train/hooks/logging-tensor-hook.js";
import { NanLossDuringTrainingError, NanTensorHook } from "../../../../src/train/hooks/nan-tensor-hook.js";
import { SessionRunHook } from "../../../../src/train/hooks/session-run-hook.js";
import { StepCounterHook } from "../../../../src/train/hooks/step-counter-hook.js";
import { StopAtStepHook } from "../../../../src/train/hooks/stop-at-step-hook.js";
import type { SummaryWriterLike } from "../../../../src/train/hooks/summary-writer.js";
import { MonitoredSession } from "../../../../src/train/monitored-session.js";
import { ChiefSessionCreator } from "../../../../src/train/session-creators.js";
import { jumpClock } from "../../../helpers/jump-clock.js";

const root = mkdtempSync(join(tmpdir(), "tfcluster-hooks-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function model() {
  const g = new tf.Graph();
  return g.asDefault(() => {
    const step = getOrCreateGlobalStep();
    const train = tf.assignAdd(step, tf.constant(1n, { dtype: "int64" }));
    const loss = tf.placeholderWithDefault(tf.constant(1.5), [], { name: "loss" });
    return { g, step, train, loss, noop: tf.noOp() };
  });
}
type Model = ReturnType<typeof model>;

async function session(m: Model, hooks: SessionRunHook[], options: { clock?: ReturnType<typeof jumpClock>; checkpointDir?: string } = {}) {
  return MonitoredSession.create({
    hooks,
    graph: m.g,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.checkpointDir ? { sessionCreator: new ChiefSessionCreator({ graph: m.g, checkpointDir: options.checkpointDir }) } : {}),
  });
}

/** A writer that keeps what it is given, in the order given. */
function memoryWriter(): SummaryWriterLike & { summaries: [string, number, number][]; logs: [string, string | undefined, number][] } {
  const w = {
    summaries: [] as [string, number, number][],
    logs: [] as [string, string | undefined, number][],
    addSummary(s: { value: { tag: string; simpleValue?: number }[] } | Uint8Array, step = 0) {
      if (!(s instanceof Uint8Array)) for (const v of s.value) w.summaries.push([v.tag, v.simpleValue ?? NaN, step]);
    },
    addSessionLog(l: { status: string; checkpointPath?: string }, step = 0) {
      w.logs.push([l.status, l.checkpointPath, step]);
    },
  };
  return w;
}

describe("StopAtStepHook", () => {
  it("validates its arguments and needs a global step", () => {
    expect(() => new StopAtStepHook({ numSteps: 1, lastStep: 2 })).toThrow("Only one of num_steps or last_step can be specified.");
    expect(() => new StopAtStepHook()).toThrow("One of num_steps or last_step must be specified.");
    const g = new tf.Graph();
    expect(() => g.asDefault(() => new StopAtStepHook({ lastStep: 1 }).begin())).toThrow("Global step should be created to use StopAtStepHook.");
  });

  it("num_steps counts from the step found at creation; a no-op run at the limit - 1 does not stop", async () => {
    const m = model();
    const hook = new StopAtStepHook({ numSteps: 3 });
    const sess = await session(m, [hook]);
    expect(hook.lastStep).toBe(3);
    await sess.run(m.train);
    await sess.run(m.train);
    await sess.run(m.noop); // the re-read still sees 2
    expect(sess.shouldStop()).toBe(false);
    await sess.run(m.train);
    expect(sess.shouldStop()).toBe(true);
    await sess.close();
  });
});

describe("CheckpointSaverHook", () => {
  it("saves at creation (step 0), not after one step, then at 2 and at the end; session logs name the base path", async () => {
    const m = model();
    const dir = join(root, "steps");
    const writer = memoryWriter();
    const listener = new (class extends CheckpointSaverListener {
      saved: number[] = [];
      override afterSave(_s: unknown, step: number) {
        this.saved.push(step);
      }
    })();
    const hook = m.g.asDefault(() => new CheckpointSaverHook(dir, { saveSteps: 2, listeners: [listener] }));
    // A writer for the directory, as the summary layer would register it.
    const { registerSummaryWriterFactory } = await import("../../../../src/train/hooks/summary-writer.js");
    registerSummaryWriterFactory(() => writer);
    try {
      const sess = await session(m, [hook]);
      for (let i = 0; i < 3; i++) await sess.run(m.train);
      await sess.close();
    } finally {
      registerSummaryWriterFactory(null);
    }
    expect(listener.saved).toEqual([0, 2, 3]);
    expect(readdirSync(dir).filter((n) => n.endsWith(".index")).sort()).toEqual(["model.ckpt-0.index", "model.ckpt-2.index", "model.ckpt-3.index"]);
    expect(writer.logs).toEqual([0, 2, 3].map((s) => ["CHECKPOINT", join(dir, "model.ckpt"), s]));
  });

  it("a listener's afterSave returning true stops training; saver and scaffold together are an error", async () => {
    const m = model();
    const stopper = new (class extends CheckpointSaverListener {
      override afterSave(_s: unknown, step: number) {
        return step >= 2;
      }
    })();
    const hook = new CheckpointSaverHook(join(root, "listener"), { saveSteps: 1, listeners: [stopper] });
    const sess = await session(m, [hook]);
    await sess.run(m.train);
    expect(sess.shouldStop()).toBe(false);
    await sess.run(m.train);
    expect(sess.shouldStop()).toBe(true);
    await sess.close();
    const scaffold = new tf.train.Scaffold();
    const saver = m.g.asDefault(() => new tf.train.Saver({ allowEmpty: true }));
    expect(() => new CheckpointSaverHook("/x", { saveSteps: 1, saver, scaffold })).toThrow("You cannot provide both saver and scaffold.");
  });

  it("save_secs follows the session's clock", async () => {
    const m = model();
    const clock = jumpClock();
    const hook = new CheckpointSaverHook(join(root, "secs"), { saveSecs: 10 });
    const sess = await session(m, [hook], { clock });
    await sess.run(m.train);
    clock.advanceMs(10_000);
    await sess.run(m.train); // 10 s since the save at creation: saves at 2
    await sess.run(m.train);
    await sess.close(); // and at the end (3)
    expect(readdirSync(join(root, "secs")).filter((n) => n.endsWith(".index")).sort()).toEqual(["model.ckpt-0.index", "model.ckpt-2.index", "model.ckpt-3.index"]);
  });
});

describe("StepCounterHook", () => {
  it("every 10 steps over 30 runs writes global_step/sec at steps 11 and 21 (test_step_counter_every_n_steps)", async () => {
    const m = model();
    const clock = jumpClock();
    const writer = memoryWriter();
    const hook = new StepCounterHook({ everyNSteps: 10, summaryWriter: writer });
    const sess = await session(m, [hook], { clock });
    for (let i = 0; i < 30; i++) {
      await sess.run(m.train);
      clock.advanceMs(100);
    }
    await sess.close();
    expect(writer.summaries.map(([tag, , step]) => [tag, step])).toEqual([
      ["global_step/sec", 11],
      ["global_step/sec", 21],
    ]);
    for (const [, rate] of writer.summaries) expect(rate).toBeCloseTo(10, 6);
    expect(() => new StepCounterHook({ everyNSteps: 5, everyNSecs: 1 })).toThrow("exactly one of every_n_steps and every_n_secs should be provided.");
  });
});

describe("LoggingTensorHook", () => {
  it("logs every n local iterations in tag order, with the seconds since the previous line; formatter; at end", async () => {
    const m = model();
    const clock = jumpClock();
    const lines: string[] = [];
    const hook = new LoggingTensorHook({ loss: m.loss, step: m.step.value() }, { everyNIter: 2, atEnd: true, clock, log: (l) => lines.push(l) });
    const sess = await session(m, [hook]);
    for (let i = 0; i < 5; i++) {
      await sess.run(m.train);
      clock.advanceMs(500);
    }
    await sess.close();
    expect(lines).toEqual(["loss = 1.5, step = 1", "loss = 1.5, step = 3 (1.000 sec)", "loss = 1.5, step = 5 (1.000 sec)", "loss = 1.5, step = 5 (0.500 sec)"]);
    const formatted: string[] = [];
    const m2 = model();
    const h2 = new LoggingTensorHook(["loss"], { everyNIter: 1, formatter: (v) => `qqq=${String((v.loss as tf.NDArray).item())}`, log: (l) => formatted.push(l) });
    const s2 = await session(m2, [h2]);
    await s2.run(m2.train);
    await s2.close();
    expect(formatted).toEqual(["qqq=1.5"]);
  });

  it("rejects bad periods", () => {
    expect(() => new LoggingTensorHook([], {})).toThrow("either at_end and/or exactly one of every_n_iter and every_n_secs must be provided.");
    expect(() => new LoggingTensorHook([], { everyNIter: 0 })).toThrow("invalid every_n_iter=0.");
  });
});

describe("NanTensorHook", () => {
  it("fails with NanLossDuringTrainingError, or stops when told not to fail", async () => {
    const m = model();
    const sess = await session(m, [new NanTensorHook(m.loss)]);
    await sess.run(m.train);
    const err = await sess.run(m.train, { feedDict: [[m.loss, NaN]] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NanLossDuringTrainingError);
    expect((err as Error).message).toBe("NaN loss during training.");
    await sess.close({ error: err });
    const m2 = model();
    const s2 = await session(m2, [new NanTensorHook(m2.loss, { failOnNanLoss: false })]);
    await s2.run(m2.train, { feedDict: [[m2.loss, NaN]] });
    expect(s2.shouldStop()).toBe(true);
    await s2.close();
  });
});

describe("GlobalStepWaiterHook", () => {
  it("holds the first run until the step is reached, polling on the clock; gives up at its deadline", async () => {
    const m = model();
    const clock = jumpClock();
    // The raw session, as another worker sharing the step would drive it (a private session has no other client).
    let raw: tf.Session | null = null;
    const capture = new (class extends SessionRunHook {
      override afterCreateSession(s: tf.Session) {
        raw = s;
      }
    })();
    const sess = await session(m, [capture, new GlobalStepWaiterHook(2)], { clock });
    const waiting = sess.run(m.noop);
    await raw!.run(m.train);
    await raw!.run(m.train);
    await waiting;
    expect(clock.timers.length).toBeGreaterThan(0);
    expect(clock.timers.every((ms) => ms === 500)).toBe(true);
    await sess.close();

    const m2 = model();
    const s2 = await session(m2, [new GlobalStepWaiterHook(5, { maxWaitSecs: 1 })], { clock: jumpClock() });
    await expect(s2.run(m2.noop)).rejects.toBeInstanceOf(DeadlineExceededError);
    await s2.close({ error: new Error("x") });
  });
});

describe("FinalOpsHook and FeedFnHook", () => {
  it("runs the final ops at the end; feeds what feedFn returns", async () => {
    const m = model();
    const final = new FinalOpsHook({ step: m.step.value() });
    let n = 0;
    const feeder = new FeedFnHook(() => [[m.loss, ++n]]);
    const sess = await session(m, [final, feeder]);
    expect((await sess.run(m.loss)).item()).toBe(1);
    expect((await sess.run(m.loss)).item()).toBe(2);
    await sess.run(m.train);
    await sess.close();
    expect((final.finalOpsValues as { step: tf.NDArray }).step.item()).toBe(1n);

    const g = new tf.Graph();
    const { q, dq } = g.asDefault(() => {
      const q = new tf.FIFOQueue({ capacity: 1, dtypes: ["float32"] });
      return { q, dq: q.dequeue()[0]! };
    });
    const closing = g.asDefault(() => q.close());
    const s2 = await MonitoredSession.create({ hooks: [new FinalOpsHook(dq)], graph: g });
    await s2.run(closing);
    await expect(s2.close()).rejects.toBeInstanceOf(OutOfRangeError);
  });
});
