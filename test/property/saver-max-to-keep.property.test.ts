/**
 * Property test of Saver's checkpoint bookkeeping against TF's rules (saver.py _RecordLastCheckpoint /
 * _MaybeDeleteOldCheckpoints, checkpoint_management.py; reference/tf-training.md 6.3-6.4).
 *
 * The model, for maxToKeep k and no hours rule: a list L of paths, oldest first.
 *  - save(p) with value x: the files of p hold x. If k = 0, L stays []. Otherwise p is removed from L and
 *    appended; if |L| > k the oldest leaves L and its files are deleted.
 *  - After every save: saver.lastCheckpoints = L; the state file names p as latest and lists L (or just [p]
 *    when k = 0); exactly the paths in L (k > 0) keep their files among those saved; restoring any path
 *    whose files exist gives the value saved there last.
 * A failure prints the seed and path; replay with TFCLUSTER_PROPERTY_SEED / _PATH.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { getCheckpointState, latestCheckpoint } from "../../src/train/checkpoint-state.js";
import { Saver } from "../../src/train/saver.js";

const root = mkdtempSync(join(tmpdir(), "tfcluster-prop-saver-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let runId = 0;

it("maxToKeep, deletion and the state file follow TF's model for any sequence of saves", async () => {
  const seed = process.env.TFCLUSTER_PROPERTY_SEED ? Number(process.env.TFCLUSTER_PROPERTY_SEED) : undefined;
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: 3 }), fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 10 }), async (k, steps) => {
      const dir = join(root, `run${runId++}`);
      const g = new tf.Graph();
      const { v, saver, set, x } = g.asDefault(() => {
        const v = new tf.Variable(0, { name: "v" });
        const x = tf.placeholder("float32", [], { name: "x" });
        return { v, x, set: v.assign(x), saver: new Saver({ maxToKeep: k }) };
      });
      const sess = new tf.Session(undefined, { graph: g });
      await sess.run(v.initializer);
      const prefix = join(dir, "model.ckpt");
      const model: string[] = [];
      const valueAt = new Map<string, number>();
      const deleted = new Set<string>();
      for (const [i, step] of steps.entries()) {
        await sess.run(set, { feedDict: [[x, i]] });
        const path = await saver.save(sess, prefix, { globalStep: step });
        valueAt.set(path, i);
        deleted.delete(path);
        if (k > 0) {
          const at = model.indexOf(path);
          if (at >= 0) model.splice(at, 1);
          model.push(path);
          if (model.length > k) deleted.add(model.shift()!);
        }
        expect(saver.lastCheckpoints).toEqual(model);
        const state = await getCheckpointState(dir);
        expect(state!.modelCheckpointPath).toBe(path);
        expect(state!.allModelCheckpointPaths).toEqual(k > 0 ? model : [path]);
        expect(await latestCheckpoint(dir)).toBe(path);
        for (const p of valueAt.keys()) expect(existsSync(`${p}.index`)).toBe(!deleted.has(p));
      }
      for (const [p, value] of valueAt) {
        if (deleted.has(p)) continue;
        await saver.restore(sess, p);
        expect((await sess.run(v)).item()).toBe(value);
      }
      await sess.close();
    }),
    { numRuns: 25, ...(seed !== undefined ? { seed, path: process.env.TFCLUSTER_PROPERTY_PATH } : {}), verbose: 1 },
  );
}, 120_000);
