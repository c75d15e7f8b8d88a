/** A stopped simulated cluster leaves nothing running: no child process, no thread. */
import { expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { childPids } from "../helpers/processes.js";

it("grpc: one real server process per task, all gone after stop()", async () => {
  const before = await childPids("tfcluster.js server");
  const cluster = await tf.sim.launch({ ps: ["localhost:0"], worker: ["localhost:0"] }, { transport: "grpc" });
  const running = await childPids("tfcluster.js server");
  expect(running.length - before.length).toBe(2);
  expect(cluster.target("ps", 0)).toMatch(/^grpc:\/\/localhost:\d+$/);
  await cluster.stop();
  expect(await childPids("tfcluster.js server")).toEqual(before);
}, 120_000);

it("thread: one worker thread per task, none left after stop()", async () => {
  const { liveThreadCount } = await import("../../src/transport/thread/index.js");
  const before = liveThreadCount();
  const cluster = await tf.sim.launch({ ps: ["localhost:0"], worker: ["localhost:0", "localhost:0"] }, { transport: "thread" });
  expect(liveThreadCount() - before).toBe(3);
  await cluster.kill("worker", 1);
  expect(liveThreadCount() - before).toBe(2);
  await cluster.restart("worker", 1);
  expect(liveThreadCount() - before).toBe(3);
  await cluster.stop();
  expect(liveThreadCount()).toBe(before);
}, 120_000);
