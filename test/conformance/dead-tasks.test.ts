/**
 * Dead tasks are named, never silent: with an unrelated task down a session still works, its
 * listDevices() and tf.clusterStatus() name the missing task, and an op placed on it fails with
 * UnavailableError naming it. "A job but no task" is task 0 even when task 0 is the one down.
 */
import { expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { captureStderr } from "../helpers/stderr.js";
import { describeOnTransports } from "../helpers/transports.js";

// Each task is asked with its own bound; a short one keeps these tests quick.
const config = { operationTimeoutInMs: 1500 };

describeOnTransports("dead tasks are named", { ps: 1, worker: 2 }, (ctx) => {
  it("with an unrelated task down, a session works; listDevices, clusterStatus and the failing op name the task", async () => {
    await ctx.cluster.kill("worker", 1);
    const g = new tf.Graph();
    const { onPs, onDead } = g.asDefault(() => ({
      onPs: tf.device("/job:ps/task:0", () => tf.add(tf.constant(1), 2)),
      onDead: tf.device("/job:worker/task:1", () => tf.add(tf.constant(1), 2)),
    }));
    const target = ctx.target("worker", 0);
    const { text } = await captureStderr(async () => {
      const sess = new tf.Session(target, { graph: g, config });
      expect((await sess.run(onPs)).item()).toBe(3);
      const devices = await sess.listDevices();
      expect(devices.map((d) => d.name)).not.toContain("/job:worker/replica:0/task:1/device:CPU:0");
      expect(devices.missing.map((t) => t.task)).toEqual(["/job:worker/replica:0/task:1"]);
      const err = await sess.run(onDead).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(tf.errors.UnavailableError);
      expect((err as Error).message).toContain("/job:worker/replica:0/task:1");
      await sess.close();
      // A second session does not warn again.
      const again = new tf.Session(target, { graph: g, config });
      expect((await again.run(onPs)).item()).toBe(3);
      await again.close();
    });
    if (ctx.transport === "inproc") {
      // (On thread and grpc the master's warning is printed by its own thread or process.)
      const warnings = text.split("\n").filter((l) => l.includes("did not answer") && l.includes("/job:worker/replica:0/task:1"));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain("deviceFilters");
    }
    const status = await tf.clusterStatus(target, { timeoutMs: 2000 });
    expect(status.tasks.map((t) => [t.task, t.reachable])).toEqual([
      ["/job:ps/replica:0/task:0", true],
      ["/job:worker/replica:0/task:0", true],
      ["/job:worker/replica:0/task:1", false],
    ]);
    expect(status.unreachable[0]!.error).toBeTruthy();
    await ctx.cluster.restart("worker", 1);
  }, 60_000);

  it("a job with no task means task 0, even when task 0 is down: the step fails naming it", async () => {
    await ctx.cluster.kill("worker", 0);
    const g = new tf.Graph();
    const onJob = g.asDefault(() => tf.device("/job:worker", () => tf.add(tf.constant(1), 2)));
    const sess = new tf.Session(ctx.target("ps", 0), { graph: g, config });
    const err = await captureStderr(() => sess.run(onJob).catch((e: unknown) => e));
    expect(err.result).toBeInstanceOf(tf.errors.UnavailableError);
    expect((err.result as Error).message).toContain("/job:worker/replica:0/task:0");
    await sess.close();
    await ctx.cluster.restart("worker", 0);
  }, 60_000);
});
