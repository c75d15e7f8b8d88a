/**
 * SummarySaverHook inside a MonitoredSession on a private session, against TF's
 * SummarySaverHookTest (reference/tf-training.md 5.7): test_save_steps, test_multiple_summaries,
 * test_save_secs_saving_once_every_step / _every_three_steps, the raise tests, SessionLog START
 * on the first run, and a real event file through the FileWriterCache. Time-based periods run on
 * a test clock moved by hand.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as tf from "../../../../src/index.js";
import { FileWriterCache } from "../../../../src/io/summary-file-writer-cache.js";
import { getOrCreateGlobalStep } from "../../../../src/train/global-step.js";
import { SummarySaverHook } from "../../../../src/train/hooks/summary-saver-hook.js";
import type { SummaryWriterForHook } from "../../../../src/train/hooks/summary-saver-hook.js";
import { MonitoredSession } from "../../../../src/train/monitored-session.js";
import { ChiefSessionCreator } from "../../../../src/train/session-creators.js";
import type { NDArray } from "../../../../src/tensor/ndarray.js";
import { decodeEvent, decodeSummary } from "../../../../src/transport/wire/summary-codec.js";
import { jumpClock } from "../../../helpers/jump-clock.js";
import type { JumpClock } from "../../../helpers/jump-clock.js";

const root = mkdtempSync(join(tmpdir(), "tfcluster-summary-hook-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function model() {
  const g = new tf.Graph();
  return g.asDefault(() => {
    const step = getOrCreateGlobalStep();
    const train = tf.assignAdd(step, tf.constant(1n, { dtype: "int64" }));
    const v = new tf.Variable(1.0, { name: "v" });
    const s1 = tf.summary.scalar("my_summary", v);
    const s2 = tf.summary.scalar("my_summary2", tf.mul(v, 2));
    return { g, train, s1, s2 };
  });
}

/** A writer that keeps what it is given: (step, tags) per summary, and the session logs. */
class FakeWriter implements SummaryWriterForHook {
  summaries: { step: number; tags: string[] }[] = [];
  logs: { step: number; status: unknown }[] = [];
  flushes = 0;
  addSummary(summary: unknown, step?: number | bigint): void {
    const bytes = (summary as NDArray).bytes()[0]!;
    this.summaries.push({ step: Number(step), tags: decodeSummary(bytes).value.map((v) => v.tag) });
  }
  addSessionLog(log: { status: unknown }, step?: number | bigint): void {
    this.logs.push({ step: Number(step), status: log.status });
  }
  async flush(): Promise<void> {
    this.flushes++;
  }
}

async function train(m: ReturnType<typeof model>, hook: SummarySaverHook, runs: number, clock?: JumpClock, advanceMs = 0): Promise<void> {
  const sess = await MonitoredSession.create({ hooks: [hook], graph: m.g, ...(clock ? { clock } : {}) });
  for (let i = 0; i < runs; i++) {
    await sess.run(m.train);
    clock?.advanceMs(advanceMs);
  }
  await sess.close();
}

describe("SummarySaverHook", () => {
  it("raises unless exactly one of scaffold and summaryOp is given", () => {
    expect(() => new SummarySaverHook({ saveSteps: 10 })).toThrow("Exactly one of scaffold or summary_op must be provided.");
    const m = model();
    expect(() => new SummarySaverHook({ saveSteps: 10, summaryOp: m.s1, scaffold: new tf.train.Scaffold() })).toThrow(
      "Exactly one of scaffold or summary_op must be provided.",
    );
    expect(() => new SummarySaverHook({ summaryOp: m.s1 })).toThrow("Either every_secs or every_steps should be provided.");
  });

  it("test_save_steps: every 8 steps over 30 runs gives 1, 9, 17, 25; START at 1; end flushes", async () => {
    const m = model();
    const writer = new FakeWriter();
    await train(m, new SummarySaverHook({ saveSteps: 8, summaryWriter: writer, summaryOp: m.s1 }), 30);
    expect(writer.summaries).toEqual([1, 9, 17, 25].map((step) => ({ step, tags: ["my_summary"] })));
    expect(writer.logs).toEqual([{ step: 1, status: "START" }]);
    expect(writer.flushes).toBe(1);
  });

  it("test_multiple_summaries: both ops at 1 and 9 over 10 runs", async () => {
    const m = model();
    const writer = new FakeWriter();
    await train(m, new SummarySaverHook({ saveSteps: 8, summaryWriter: writer, summaryOp: [m.s1, m.s2] }), 10);
    expect(writer.summaries.map((s) => `${s.step}:${s.tags[0]}`)).toEqual(["1:my_summary", "1:my_summary2", "9:my_summary", "9:my_summary2"]);
  });

  it("test_save_secs_saving_once_every_step: 0.5 s, +0.5 s per run gives 1, 2, 3, 4", async () => {
    const m = model();
    const writer = new FakeWriter();
    await train(m, new SummarySaverHook({ saveSecs: 0.5, summaryWriter: writer, summaryOp: m.s1 }), 4, jumpClock(), 500);
    expect(writer.summaries.map((s) => s.step)).toEqual([1, 2, 3, 4]);
  });

  it("test_save_secs_saving_once_every_three_steps: 9 s, +3.1 s per run gives 1, 4, 7", async () => {
    const m = model();
    const writer = new FakeWriter();
    await train(m, new SummarySaverHook({ saveSecs: 9, summaryWriter: writer, summaryOp: m.s1 }), 8, jumpClock(), 3100);
    expect(writer.summaries.map((s) => s.step)).toEqual([1, 4, 7]);
  });

  /** The records of a directory's shared event file, as "version", "graph", "START@1", "summary@1:tags". */
  async function eventsOf(dir: string): Promise<string[]> {
    const writer = FileWriterCache.get(dir);
    await writer.flush();
    const out: string[] = [];
    for await (const r of tf.io.tfRecordIterator(writer.path)) {
      const e = decodeEvent(r);
      if (e.fileVersion) out.push("version");
      else if (e.graphDef) out.push("graph");
      else if (e.sessionLog) out.push(`log${e.sessionLog.status}@${e.step}`);
      else if (e.summary) out.push(`summary@${e.step}:${e.summary.value.map((v) => v.tag).join(",")}`);
    }
    return out;
  }

  it("with a scaffold and outputDir: the merged summaries (merge_all) go to the directory's shared event file", async () => {
    const m = model();
    const dir = join(root, "scaffold");
    const scaffold = new tf.train.Scaffold();
    const hook = new SummarySaverHook({ saveSteps: 2, outputDir: dir, scaffold });
    const sess = await MonitoredSession.create({ hooks: [hook], graph: m.g, sessionCreator: new ChiefSessionCreator({ graph: m.g, scaffold }) });
    for (let i = 0; i < 3; i++) await sess.run(m.train);
    await sess.close();
    expect(await eventsOf(dir)).toEqual(["version", "graph", "log1@1", "summary@1:my_summary,my_summary2", "summary@3:my_summary,my_summary2"]);
    await FileWriterCache.clear();
  });

  it("MonitoredTrainingSession's default SummarySaverHook writes to summaryDir", async () => {
    const m = model();
    const dir = join(root, "mts");
    const sess = await m.g.asDefault(() => tf.train.MonitoredTrainingSession({ summaryDir: dir, saveSummariesSteps: 2, graph: m.g }));
    for (let i = 0; i < 3; i++) await sess.run(m.train);
    await sess.close();
    expect(await eventsOf(dir)).toEqual(["version", "graph", "log1@1", "summary@1:my_summary,my_summary2", "summary@3:my_summary,my_summary2"]);
    await FileWriterCache.clear();
  });
});
