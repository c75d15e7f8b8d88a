/**
 * Steps die with their callers, with real processes and threads: a client blocked in a dequeue
 * is SIGKILLed (or its thread terminated); its step is cancelled on the cluster, `tfcluster
 * status` shows no waiter, and the next element enqueued stays in the queue for a live client.
 */
import { execFile, spawn } from "node:child_process";
import { expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { spawnThread } from "../../src/transport/thread/supervisor.js";
import { BIN, ROOT } from "../helpers/processes.js";
import { waitFor, waitForWaiters } from "../helpers/wait.js";

const FIXTURE = new URL("../fixtures/blocked-dequeue.ts", import.meta.url);

function statusJson(target: string): Promise<tf.ResourceStatus[]> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, "status", target, "--json"], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`tfcluster status failed: ${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as tf.ResourceStatus[]);
    });
  });
}

const waitersOf = (all: tf.ResourceStatus[], name: string) => (all.find((r) => r.name === name)?.details.waiting ?? []) as unknown[];

/** After the blocked client is gone: no waiter, and an element enqueued now is still there. */
async function expectNothingOrphaned(target: string, name: string): Promise<void> {
  await waitFor(async () => waitersOf(await tf.clusterStatus(target), name).length === 0, `the orphaned dequeue on '${name}' to be cancelled`, 5_000);
  const g = new tf.Graph();
  const { enq, size, deq } = g.asDefault(() =>
    tf.device("/job:ps/task:0", () => {
      const q = new tf.FIFOQueue({ capacity: 10, dtypes: ["float32"], shapes: [[]], sharedName: name });
      return { enq: q.enqueue(42), size: q.size(), deq: q.dequeue()[0]! };
    }),
  );
  await using sess = new tf.Session(target, { graph: g });
  await sess.run(enq);
  expect((await sess.run(size)).item()).toBe(1);
  expect((await sess.run(deq)).item()).toBe(42);
}

it("grpc: a client SIGKILLed while blocked in a dequeue leaves no step behind", async () => {
  await using cluster = await tf.sim.launch({ ps: ["localhost:0"], worker: ["localhost:0"] }, { transport: "grpc" });
  const target = cluster.target("worker", 0);
  const child = spawn(process.execPath, ["--import", "tsx", FIXTURE.pathname, target, "killed_client_q"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  await waitForWaiters(target, "killed_client_q", "dequeue");
  child.kill("SIGKILL");
  await exited;
  await expectNothingOrphaned(target, "killed_client_q");
  // What an operator sees: `tfcluster status` agrees.
  expect(waitersOf(await statusJson(target), "killed_client_q")).toEqual([]);
}, 120_000);

it("thread: a client thread terminated while blocked in a dequeue leaves no step behind", async () => {
  await using cluster = await tf.sim.launch({ ps: ["localhost:0"], worker: ["localhost:0"] }, { transport: "thread" });
  const target = cluster.target("worker", 0);
  const client = await spawnThread(FIXTURE, { workerData: { target, name: "terminated_client_q" } });
  await waitForWaiters(target, "terminated_client_q", "dequeue");
  await client.terminate();
  await expectNothingOrphaned(target, "terminated_client_q");
}, 120_000);
