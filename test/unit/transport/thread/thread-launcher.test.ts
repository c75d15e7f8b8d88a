/** launchThreadTasks with the real EngineServer: one worker thread per task, sessions across them. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as tf from "../../../../src/index.js";
import { launchThreadTasks } from "../../../../src/sim/thread-launcher.js";
import type { ThreadTasks } from "../../../../src/sim/thread-launcher.js";
import { liveThreadCount } from "../../../../src/transport/thread/supervisor.js";
import { threadTransport } from "../../../../src/transport/thread/transport.js";

describe("launchThreadTasks", () => {
  let tasks: ThreadTasks;
  const target = (job: string, i = 0): string => `thread://${tasks.cluster.job.find((j) => j.name === job)!.tasks[i]}`;

  beforeAll(async () => {
    const t0 = performance.now();
    tasks = await launchThreadTasks({ job: [{ name: "ps", tasks: { 0: "localhost:0" } }, { name: "worker", tasks: { 0: "localhost:0", 1: "localhost:0" } }] }, { seed: 3 });
    console.log(`3 task threads serving in ${(performance.now() - t0).toFixed(0)} ms`);
  }, 120_000);
  afterAll(async () => {
    await tasks?.stop();
    await threadTransport.close();
  });

  it("resolves port 0 to distinct addresses and starts one thread per task", () => {
    const addresses = tasks.cluster.job.flatMap((j) => Object.values(j.tasks));
    expect(addresses).toHaveLength(3);
    expect(new Set(addresses).size).toBe(3);
    for (const a of addresses) expect(a).toMatch(/^localhost:[1-9]\d*$/);
    expect(tasks.liveTasks().sort()).toEqual(["ps/0", "worker/0", "worker/1"]);
  });

  it("runs a step that spans two task threads", async () => {
    const g = new tf.Graph();
    const { sum, init } = g.asDefault(() => {
      const v = tf.device("/job:ps/task:0", () => new tf.Variable([10, 20], { name: "v" }));
      const x = tf.placeholder("float32", [2], { name: "x" });
      return { sum: tf.device("/job:worker/task:1", () => tf.add(x, v)), init: v.initializer };
    });
    const sess = new tf.Session(target("worker", 0), { graph: g });
    await sess.run(init);
    const out = await sess.run(sum, { feedDict: [["x:0", [1, 2]]] });
    expect(out.toArray()).toEqual([11, 22]);
    await sess.close();
  });

  it("kill() fails calls to the task with UNAVAILABLE naming it; restart() brings it back empty", async () => {
    await tasks.kill("ps", 0);
    expect(tasks.liveTasks()).not.toContain("ps/0");
    const g = new tf.Graph();
    const read = g.asDefault(() => tf.device("/job:ps/task:0", () => tf.add(tf.constant([1]), tf.constant([2]))));
    const sess = new tf.Session(target("worker", 0), { graph: g });
    const err = await sess.run(read, { options: { timeoutInMs: 10_000 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(tf.errors.UnavailableError);
    expect((err as Error).message).toContain("/job:ps/replica:0/task:0");
    console.log(`after kill: ${(err as Error).name}: ${(err as Error).message}`);
    await sess.close();
    await tasks.restart("ps", 0);
    const again = new tf.Session(target("worker", 0), { graph: g });
    expect((await again.run(read)).toArray()).toEqual([3]);
    await again.close();
  });

  it("stop() ends every task thread within its bound", async () => {
    const extra = await launchThreadTasks({ job: [{ name: "w", tasks: { 0: "localhost:0" } }] }, { stopGraceMs: 1000 });
    const before = liveThreadCount();
    const t0 = performance.now();
    await extra.stop();
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(liveThreadCount()).toBe(before - 1);
    expect(extra.liveTasks()).toEqual([]);
  });
});
