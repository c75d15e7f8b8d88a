/** Scenario S2 and the placement rules: ops pinned anywhere, defaults, errors naming what exists. */
import { expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { describeOnTransports } from "../helpers/transports.js";

function devicesByNode(md: tf.RunMetadata): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of md.stepStats?.devStats ?? []) for (const n of d.nodeStats) out.set(n.nodeName, d.device);
  return out;
}

describeOnTransports("placement (S2)", { ps: 1, worker: 2 }, (ctx) => {
  it("runs ops pinned to ps and worker GPUs from a session on another worker", async () => {
    const g = new tf.Graph();
    const { c } = g.asDefault(() => {
      const a = tf.device("/job:ps/task:0/cpu:0", () => tf.constant(1.0, { name: "a" }));
      const b = tf.device("/job:worker/task:0/gpu:1", () => tf.add(a, 2, { name: "b" }));
      const c = tf.add(a, b, { name: "c" });
      return { c };
    });
    const sess = new tf.Session(ctx.target("worker", 1), { graph: g });
    const md: tf.RunMetadata = {};
    const value = await sess.run(c, { options: { traceLevel: "full" }, runMetadata: md });
    expect(value.item()).toBe(4);
    const where = devicesByNode(md);
    expect(where.get("a")).toBe("/job:ps/replica:0/task:0/device:CPU:0");
    expect(where.get("b")).toBe("/job:worker/replica:0/task:0/device:GPU:1");
    expect(where.get("c")).toBe("/job:worker/replica:0/task:1/device:GPU:0");
    expect(JSON.parse(tf.timeline(md)).traceEvents.some((e: { name: string }) => e.name === "c")).toBe(true);
    await sess.close();
  });

  it("fills missing device fields: a job alone means task 0; nothing means the master's task", async () => {
    const g = new tf.Graph();
    const { x, y } = g.asDefault(() => ({
      x: tf.device("/job:worker", () => tf.constant(2, { name: "x" })),
      y: tf.constant(3, { name: "y" }),
    }));
    const sess = new tf.Session(ctx.target("worker", 1), { graph: g });
    const md: tf.RunMetadata = {};
    await sess.run([x, y], { options: { traceLevel: "full" }, runMetadata: md });
    const where = devicesByNode(md);
    expect(where.get("x")).toBe("/job:worker/replica:0/task:0/device:GPU:0");
    expect(where.get("y")).toBe("/job:worker/replica:0/task:1/device:GPU:0");
    await sess.close();
  });

  it("puts a variable with no device on the resource home (task 0 of the first job by name)", async () => {
    const g = new tf.Graph();
    const v = g.asDefault(() => new tf.Variable(5, { name: "home_v" }));
    const sess = new tf.Session(ctx.target("worker", 1), { graph: g });
    const md: tf.RunMetadata = {};
    await sess.run(v.initializer, { options: { traceLevel: "full" }, runMetadata: md });
    const where = devicesByNode(md);
    expect(where.get("home_v")).toBe("/job:ps/replica:0/task:0/device:CPU:0");
    expect(where.get("home_v/Assign")).toBe("/job:ps/replica:0/task:0/device:CPU:0");
    await sess.close();
  });

  it("fails an unknown device with InvalidArgumentError naming the op, the device and the devices that exist", async () => {
    const g = new tf.Graph();
    const bad = g.asDefault(() => tf.device("/job:worker/task:7", () => tf.constant(1, { name: "nowhere" })));
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    const err = await sess.run(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(tf.errors.InvalidArgumentError);
    const msg = (err as Error).message;
    expect(msg).toContain("'nowhere'");
    expect(msg).toContain("/job:worker/task:7");
    expect(msg).toContain("/job:ps/replica:0/task:0/device:CPU:0");
    expect((err as tf.errors.OpError).nodeName).toBe("nowhere");
    await sess.close();
  });

  it("falls back with allowSoftPlacement", async () => {
    const g = new tf.Graph();
    const t = g.asDefault(() => tf.device("/job:worker/task:0/gpu:9", () => tf.constant(7, { name: "soft" })));
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g, config: { allowSoftPlacement: true } });
    const md: tf.RunMetadata = {};
    expect((await sess.run(t, { options: { traceLevel: "full" }, runMetadata: md })).item()).toBe(7);
    expect(devicesByNode(md).get("soft")).toBe("/job:worker/replica:0/task:0/device:CPU:0");
    await sess.close();
  });

  it("lists the cluster's devices", async () => {
    const g = new tf.Graph();
    const sess = new tf.Session(ctx.target("ps", 0), { graph: g });
    const names = (await sess.listDevices()).map((d) => d.name);
    expect(names).toContain("/job:ps/replica:0/task:0/device:CPU:0");
    expect(names).toContain("/job:worker/replica:0/task:1/device:GPU:1");
    await sess.close();
  });
}, { virtualGpus: 2 });
