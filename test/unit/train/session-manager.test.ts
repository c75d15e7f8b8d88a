/**
 * SessionManager and Scaffold. Model (TF's session_manager.py and monitored_session.py Scaffold,
 * reference/tf-training.md 4): the chief restores or initializes and must end with a ready model (TF's
 * exact RuntimeError texts otherwise); a worker polls every recoveryWaitSecs of its clock and gives up with
 * DeadlineExceededError once maxWaitSecs would be exceeded; the scaffold fills each piece from its
 * collection or TF's default and finalizes the graph.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DeadlineExceededError } from "../../../src/errors/index.js";
import * as tf from "../../../src/index.js";
import { Saver } from "../../../src/train/saver.js";
import { Scaffold } from "../../../src/train/scaffold.js";
import { SessionManager } from "../../../src/train/session-manager.js";
import { jumpClock } from "../../helpers/jump-clock.js";

const root = mkdtempSync(join(tmpdir(), "tfcluster-sm-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function twoVars() {
  const g = new tf.Graph();
  return g.asDefault(() => {
    const a = new tf.Variable(1, { name: "a" });
    const b = new tf.Variable(2, { name: "b" });
    const local = new tf.Variable(3, { name: "loc", collections: [tf.GraphKeys.LOCAL_VARIABLES] });
    return {
      g,
      a,
      b,
      local,
      readyOp: tf.reportUninitializedVariables(),
      readyForLocal: tf.reportUninitializedVariables([a, b]),
      initAll: tf.globalVariablesInitializer(),
      initA: tf.variablesInitializer([a], { name: "init_a" }),
      localInit: tf.localVariablesInitializer(),
    };
  });
}

describe("SessionManager", () => {
  it("prepareSession initializes, runs the local init op, and checks readiness", async () => {
    const m = twoVars();
    const sm = new SessionManager({ graph: m.g, readyOp: m.readyOp, readyForLocalInitOp: m.readyForLocal, localInitOp: m.localInit });
    const sess = await sm.prepareSession("", { initOp: m.initAll });
    expect((await sess.run(m.local)).item()).toBe(3);
    await sess.close();
  });

  it("TF's errors: no init op; init op that leaves the model unready; unready for local init; bad constructor", async () => {
    const m = twoVars();
    await expect(new SessionManager({ graph: m.g, readyOp: m.readyOp }).prepareSession("")).rejects.toThrow(
      "Model is not initialized and no init_op or init_fn or local_init_op was given",
    );
    await expect(new SessionManager({ graph: m.g, readyOp: m.readyOp }).prepareSession("", { initOp: m.initA })).rejects.toThrow(
      "Init operations did not make model ready.  Init op: init_a, init fn: None, local_init_op: None, error: Variables not initialized: b, loc",
    );
    await expect(new SessionManager({ graph: m.g, readyForLocalInitOp: m.readyForLocal, localInitOp: m.localInit }).prepareSession("", { initOp: m.initA })).rejects.toThrow(
      "Init operations did not make model ready for local_init.  Init op: init_a, init fn: None, error: Variables not initialized: b",
    );
    expect(() => new SessionManager({ graph: m.g, readyForLocalInitOp: m.readyForLocal })).toThrow(
      "If you pass a ready_for_local_init_op you must also pass a local_init_op , ready_for_local_init_op [report_uninitialized_variables_1/names:0]",
    );
  });

  it("waitForSession polls on its clock and gives up before maxWaitSecs would pass (testWaitForSessionReturnsNoneAfterTimeout)", async () => {
    const m = twoVars();
    const clock = jumpClock();
    const sm = new SessionManager({ graph: m.g, readyOp: m.readyOp, recoveryWaitSecs: 1, clock });
    const err = await sm.waitForSession("", { maxWaitSecs: 3 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlineExceededError);
    expect((err as Error).message).toBe("Session was not ready after waiting 3 secs.");
    // Polls at 0, 1, 2 and 3 s: a sleep is taken while the time left after it is not negative.
    expect(clock.timers).toEqual([1000, 1000, 1000]);
  });

  it("restores from a checkpoint directory (no init op needed), waiting for a checkpoint when asked", async () => {
    const m = twoVars();
    const saver = m.g.asDefault(() => new Saver({ varList: [m.a, m.b] }));
    const dir = join(root, "restore");
    const s1 = new tf.Session(undefined, { graph: m.g });
    await s1.run(m.initAll);
    await s1.run(m.g.asDefault(() => m.a.assign(41)));
    await saver.save(s1, join(dir, "model.ckpt"), { globalStep: 7 });
    await s1.close();
    const sm = new SessionManager({ graph: m.g, readyOp: m.readyForLocal });
    const sess = await sm.prepareSession("", { saver, checkpointDir: dir });
    expect((await sess.run(m.a)).item()).toBe(41);
    expect(saver.lastCheckpoints).toEqual([join(dir, "model.ckpt-7")]);
    await sess.close();
    const [recovered, ready] = await sm.recoverSession("", { saver, checkpointDir: dir });
    expect(ready).toBe(true);
    await recovered.close();
    const clock = jumpClock();
    const waiting = new SessionManager({ graph: m.g, readyOp: m.readyForLocal, recoveryWaitSecs: 2, clock });
    const [none, ok] = await waiting.recoverSession("", { saver, checkpointDir: join(root, "empty"), waitForCheckpoint: true, maxWaitSecs: 5 });
    expect(ok).toBe(false);
    expect(clock.timers).toEqual([2000, 2000, 2000]);
    await none.close();
    await expect(sm.recoverSession("", { saver, checkpointDir: dir, checkpointFilenameWithPath: "x" })).rejects.toThrow(
      "Can not provide both checkpoint_dir and checkpoint_filename_with_path.",
    );
  });
});

describe("Scaffold", () => {
  it("creates nothing before finalize; defaults go into the collections and are shared (test_caches_values)", async () => {
    const m = twoVars();
    const s = new Scaffold();
    expect([s.initOp, s.readyOp, s.saver]).toEqual([null, null, null]);
    s.finalize(m.g);
    expect(m.g.isFinalized).toBe(true);
    const again = new Scaffold().finalize(m.g);
    expect([again.initOp, again.readyOp, again.readyForLocalInitOp, again.localInitOp, again.saver]).toEqual([s.initOp, s.readyOp, s.readyForLocalInitOp, s.localInitOp, s.saver]);
    const sess = new tf.Session(undefined, { graph: m.g });
    // test_defaults_empty_graph: ready_op reports global and local variables; ready_for_local_init_op only global ones.
    expect((await sess.run(s.readyOp!)).toArray()).toEqual(["a", "b", "loc"]);
    expect((await sess.run(s.readyForLocalInitOp!)).toArray()).toEqual(["a", "b"]);
    await sess.close();
  });

  it("more than one item in a collection is an error; copyFromScaffold must be a Scaffold", () => {
    const m = twoVars();
    m.g.addToCollection(tf.GraphKeys.INIT_OP, m.initAll);
    m.g.addToCollection(tf.GraphKeys.INIT_OP, m.initA);
    expect(() => new Scaffold().finalize(m.g)).toThrow(/^More than one item in the collection "init_op"\./);
    expect(() => new Scaffold({ copyFromScaffold: {} as Scaffold })).toThrow("copy_from_scaffold is not a Scaffold instance.");
  });
});
