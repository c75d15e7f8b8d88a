import { describe, expect, it } from "vitest";
import * as tf from "../../../src/index.js";
import { captureStderr } from "../../helpers/stderr.js";

describe("tf.train.Server", () => {
  it("checks the task and its address as TF's GrpcServer::Init does", async () => {
    await expect(tf.train.Server.create({ local: ["localhost"] }, { jobName: "local", taskIndex: 0, transport: "inproc" })).rejects.toThrow(/port/);
    await expect(tf.train.Server.create({ local: ["localhost:0"] }, { jobName: "local", taskIndex: 3, transport: "inproc" })).rejects.toBeInstanceOf(tf.errors.InvalidArgumentError);
    await expect(tf.train.Server.create({ local: ["localhost:0"] }, { jobName: "nope", taskIndex: 0, transport: "inproc" })).rejects.toBeInstanceOf(tf.errors.InternalError);
    await expect(tf.train.Server.create({ a: ["localhost:0"], b: ["localhost:0"] }, { transport: "inproc" })).rejects.toThrow("Must specify an explicit `job_name`.");
    await expect(tf.train.Server.create({ a: ["localhost:0", "localhost:0"] }, { jobName: "a", transport: "inproc" })).rejects.toThrow("Must specify an explicit `task_index`.");
  });

  it("a second server on a bound port fails with UnknownError", async () => {
    const first = await tf.train.Server.create({ local: ["127.0.0.1:0"] }, { transport: "grpc" });
    const port = first.address.split(":").pop();
    await expect(tf.train.Server.create({ local: [`127.0.0.1:${port}`] }, { transport: "grpc" })).rejects.toBeInstanceOf(tf.errors.UnknownError);
    await first.stop();
  });

  it("stop() really stops: join() resolves and the target refuses sessions", async () => {
    const server = await tf.train.Server.createLocalServer({ transport: "inproc" });
    expect(server.target).toMatch(/^inproc:\/\/localhost:\d+$/);
    expect(server.serverDef.jobName).toBe("local");
    const joined = server.join();
    const g = new tf.Graph();
    const c = g.asDefault(() => tf.constant(5));
    const sess = new tf.Session(server.target, { graph: g });
    expect((await sess.run(c)).item()).toBe(5);
    await server.stop();
    await joined;
    const late = new tf.Session(server.target, { graph: g });
    await expect(late.run(c)).rejects.toBeInstanceOf(tf.errors.UnavailableError);
    await server.stop();
  });

  it("logDevicePlacement prints each node's device", async () => {
    const server = await tf.train.Server.createLocalServer({ transport: "inproc" });
    const g = new tf.Graph();
    const c = g.asDefault(() => tf.constant(5, { name: "logged" }));
    const { text } = await captureStderr(async () => {
      const sess = new tf.Session(server.target, { graph: g, config: { logDevicePlacement: true } });
      await sess.run(c);
      await sess.close();
    });
    expect(text).toContain("logged: (Const): /job:local/replica:0/task:0/device:CPU:0");
    await server.stop();
  });
});

describe("stuck-step warning", () => {
  it("a step still blocked after stuckWarnMs is reported once, naming the queue it waits on", async () => {
    const server = await tf.train.Server.createLocalServer({ transport: "inproc", stuckWarnMs: 50 });
    const g = new tf.Graph();
    const deq = g.asDefault(() => new tf.FIFOQueue({ capacity: 3, dtypes: ["float32"], sharedName: "starved_q" }).dequeue());
    const sess = new tf.Session(server.target, { graph: g });
    const { text } = await captureStderr(async (soFar) => {
      const pending = sess.run(deq, { options: { timeoutInMs: 5000 } }).catch((e: unknown) => e);
      const deadline = performance.now() + 4000;
      while (!soFar().includes("starved_q") && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await sess.close();
      expect(await pending).toBeInstanceOf(tf.errors.CancelledError);
    });
    expect(text).toMatch(/has been running for 50 ms; it waits on: dequeue of 1 element\(s\) on Queue 'starved_q' \(size 0, capacity 3\)/);
    await server.stop();
  });
});

describe("the server's default session config", () => {
  it("applies to every session on that server; the client's own settings win", async () => {
    const server = await tf.train.Server.createLocalServer({ transport: "inproc", config: { allowSoftPlacement: true, operationTimeoutInMs: 100 } });
    const g = new tf.Graph();
    const { soft, deq } = g.asDefault(() => ({
      soft: tf.device("/job:local/task:0/gpu:3", () => tf.constant(2)),
      deq: new tf.FIFOQueue({ capacity: 1, dtypes: ["float32"], sharedName: "default_cfg_q" }).dequeue(),
    }));
    const sess = new tf.Session(server.target, { graph: g });
    expect((await sess.run(soft)).item()).toBe(2);
    await expect(sess.run(deq)).rejects.toBeInstanceOf(tf.errors.DeadlineExceededError);
    await sess.close();
    const strict = new tf.Session(server.target, { graph: g, config: { operationTimeoutInMs: 50 } });
    await expect(strict.run(deq)).rejects.toBeInstanceOf(tf.errors.DeadlineExceededError);
    await strict.close();
    await server.stop();
  });
});
