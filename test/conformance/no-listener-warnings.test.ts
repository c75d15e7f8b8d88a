/**
 * No MaxListenersExceededWarning noise: a step with many cross-task tensors (each remote receive
 * listens on the step's signal) and many concurrent steps print no warning.
 */
import { expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { describeOnTransports } from "../helpers/transports.js";

describeOnTransports("no listener warnings", { ps: 1, worker: 1 }, (ctx) => {
  it("40 cross-task tensors in one step, 20 steps at once: no process warning", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on("warning", onWarning);
    try {
      const g = new tf.Graph();
      const total = g.asDefault(() => {
        const parts = Array.from({ length: 40 }, (_, i) => tf.device("/job:ps/task:0", () => tf.constant(i)));
        return tf.device("/job:worker/task:0", () => parts.reduce((a, b) => tf.add(a, b)));
      });
      const sess = new tf.Session(ctx.target("worker", 0), { graph: g });
      const results = await Promise.all(Array.from({ length: 20 }, () => sess.run(total)));
      for (const r of results) expect(r.item()).toBe((39 * 40) / 2);
      await sess.close();
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings.filter((w) => w.includes("MaxListeners"))).toEqual([]);
  }, 60_000);
});
