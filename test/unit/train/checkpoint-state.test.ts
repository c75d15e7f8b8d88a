/**
 * The `checkpoint` state file and the Saver's bookkeeping. Model (TF's checkpoint_management.py and
 * saver.py, reference/tf-training.md 6.3-6.4): the text format names the latest path and the kept
 * ones, the latest last; max_to_keep drops the oldest beyond the limit and deletes its files (one per
 * save), 0 tracks nothing; keep_checkpoint_every_n_hours keeps one for good per period.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as tf from "../../../src/index.js";
import { formatCheckpointState, generateCheckpointState, getCheckpointState, latestCheckpoint, parseCheckpointState } from "../../../src/train/checkpoint-state.js";
import { Saver } from "../../../src/train/saver.js";
import type { Clock } from "../../../src/util/env.js";

const dir = mkdtempSync(join(tmpdir(), "tfcluster-ckpt-state-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A clock whose time only moves when the test says so. */
function manualClock(startSecs = 1000): Clock & { advanceSecs(s: number): void } {
  let micros = startSecs * 1e6;
  return { nowMs: () => micros / 1000, nowMicros: () => micros, setTimer: () => () => {}, advanceSecs: (s) => (micros += s * 1e6) };
}

function counter(clock?: Clock) {
  const g = new tf.Graph();
  return g.asDefault(() => {
    const v = new tf.Variable(0, { name: "v" });
    return { g, v, saver: new Saver({ maxToKeep: 2, ...(clock ? { clock, keepCheckpointEveryNHours: 0.7 / 3600 } : {}) }), bump: v.assignAdd(1) };
  });
}

describe("checkpoint state file", () => {
  it("is TF's text format, and parses back (escapes included)", () => {
    const state = { modelCheckpointPath: "/train/model.ckpt-1000", allModelCheckpointPaths: ["/train/model.ckpt-600", "/train/model.ckpt-1000"] };
    expect(formatCheckpointState(state)).toBe(
      'model_checkpoint_path: "/train/model.ckpt-1000"\nall_model_checkpoint_paths: "/train/model.ckpt-600"\nall_model_checkpoint_paths: "/train/model.ckpt-1000"\n',
    );
    expect(parseCheckpointState(formatCheckpointState(state))).toEqual(state);
    const odd = { modelCheckpointPath: 'a "b"\\c\né', allModelCheckpointPaths: ['a "b"\\c\né'] };
    expect(formatCheckpointState(odd)).toContain('"a \\"b\\"\\\\c\\n\\303\\251"');
    expect(parseCheckpointState(formatCheckpointState(odd))).toEqual(odd);
    expect(parseCheckpointState("model_checkpoint_path: 'x'\nall_model_checkpoint_timestamps: 1.5\nlast_preserved_timestamp: 2\n")).toEqual({
      modelCheckpointPath: "x",
      allModelCheckpointPaths: [],
      allModelCheckpointTimestamps: [1.5],
      lastPreservedTimestamp: 2,
    });
  });

  it("generateCheckpointState appends the latest path; relative save dirs store relative paths", () => {
    expect(generateCheckpointState("/d", "/d/m-2", ["/d/m-1"]).allModelCheckpointPaths).toEqual(["/d/m-1", "/d/m-2"]);
    expect(generateCheckpointState("train", "train/model-0")).toEqual({ modelCheckpointPath: "model-0", allModelCheckpointPaths: ["model-0"] });
  });

  it("getCheckpointState: none without a file, an error for an empty path, relative paths joined onto the dir", async () => {
    const d = join(dir, "state");
    mkdirSync(d, { recursive: true });
    expect(await getCheckpointState(d)).toBeNull();
    writeFileSync(join(d, "checkpoint"), 'all_model_checkpoint_paths: "x"\n');
    await expect(getCheckpointState(d)).rejects.toThrow(`Invalid checkpoint state loaded from ${d}`);
    writeFileSync(join(d, "checkpoint"), 'model_checkpoint_path: "./model-3"\nall_model_checkpoint_paths: "./model-3"\n');
    expect(await getCheckpointState(d)).toEqual({ modelCheckpointPath: join(d, "model-3"), allModelCheckpointPaths: [join(d, "model-3")] });
    writeFileSync(join(d, "checkpoint"), "garbage here\n");
    expect(await getCheckpointState(d)).toBeNull();
    writeFileSync(join(d, "checkpoint"), 'model_checkpoint_path: "model-3"\n');
    expect(await latestCheckpoint(d)).toBeNull(); // the state names files that do not exist
  });
});

describe("Saver state and max_to_keep", () => {
  it("names model.ckpt-<step>, keeps the last two, deletes the oldest's files, rewrites the state file atomically", async () => {
    const m = counter();
    const d = join(dir, "keep");
    const sess = new tf.Session(undefined, { graph: m.g });
    await sess.run(m.v.initializer);
    const prefix = join(d, "model.ckpt");
    const paths: string[] = [];
    for (let step = 1; step <= 3; step++) {
      await sess.run(m.bump);
      paths.push(await m.saver.save(sess, prefix, { globalStep: step }));
    }
    expect(paths).toEqual([`${prefix}-1`, `${prefix}-2`, `${prefix}-3`]);
    expect(m.saver.lastCheckpoints).toEqual([`${prefix}-2`, `${prefix}-3`]);
    expect(readdirSync(d).sort()).toEqual(["checkpoint", "model.ckpt-2.data-00000-of-00001", "model.ckpt-2.index", "model.ckpt-3.data-00000-of-00001", "model.ckpt-3.index"]);
    expect(readFileSync(join(d, "checkpoint"), "utf8")).toBe(
      `model_checkpoint_path: "${prefix}-3"\nall_model_checkpoint_paths: "${prefix}-2"\nall_model_checkpoint_paths: "${prefix}-3"\n`,
    );
    expect(await latestCheckpoint(d)).toBe(`${prefix}-3`);
    // Saving s2 again moves it to the end: [s3, s2].
    await m.saver.save(sess, prefix, { globalStep: 2 });
    expect(m.saver.lastCheckpoints).toEqual([`${prefix}-3`, `${prefix}-2`]);
    // A new saver picks up the kept list after a restart (recover_last_checkpoints).
    const again = counter();
    const state = await getCheckpointState(d);
    await again.saver.recoverLastCheckpoints([...state!.allModelCheckpointPaths, `${prefix}-1`]);
    expect(again.saver.lastCheckpoints).toEqual([`${prefix}-3`, `${prefix}-2`]);
    await sess.close();
  });

  it("maxToKeep 0 tracks and deletes nothing, yet the state file lists the latest path", async () => {
    const g = new tf.Graph();
    const { v, saver } = g.asDefault(() => {
      const v = new tf.Variable(0, { name: "v" });
      return { v, saver: new Saver({ maxToKeep: 0 }) };
    });
    const sess = new tf.Session(undefined, { graph: g });
    await sess.run(v.initializer);
    const d = join(dir, "nokeep");
    for (let s = 1; s <= 3; s++) await saver.save(sess, join(d, "m"), { globalStep: s });
    expect(saver.lastCheckpoints).toEqual([]);
    expect(readdirSync(d).filter((n) => n.endsWith(".index")).length).toBe(3);
    expect((await getCheckpointState(d))!.allModelCheckpointPaths).toEqual([join(d, "m-3")]);
    await sess.close();
  });

  it("keepCheckpointEveryNHours keeps one checkpoint for good per period (TF's KeepCheckpointEveryNHoursTest)", async () => {
    const clock = manualClock();
    const m = counter(clock);
    const d = join(dir, "hours");
    const sess = new tf.Session(undefined, { graph: m.g });
    await sess.run(m.v.initializer);
    const p = (n: number) => join(d, `s${n}`);
    await m.saver.save(sess, p(1));
    clock.advanceSecs(0.7);
    await m.saver.save(sess, p(2));
    await m.saver.save(sess, p(3));
    // The keep time is build + 0.7 s. s1 (saved at +0) leaves the list when s3 comes: not after it, deleted.
    expect(existsSync(`${p(1)}.index`)).toBe(false);
    clock.advanceSecs(1);
    await m.saver.save(sess, p(4)); // s2 (at +0.7 s, not after +0.7 s) leaves: deleted
    clock.advanceSecs(1);
    await m.saver.save(sess, p(5)); // s3 (at +0.7 s) leaves: deleted
    await m.saver.save(sess, p(6)); // s4 (at +1.7 s, after +0.7 s) leaves: kept for good
    expect(m.saver.lastCheckpoints).toEqual([p(5), p(6)]);
    expect(existsSync(`${p(4)}.index`)).toBe(true);
    expect(existsSync(`${p(3)}.index`)).toBe(false);
    await sess.close();
  });
});
