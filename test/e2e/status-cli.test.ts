/**
 * `tfcluster status <target>` against a real grpc cluster ("why is my training stuck?"): every
 * queue with its size, capacity and closed flag, and the ops waiting on it with how long they have
 * waited — as text, and with --json as the ResourceStatus list.
 */
import { execFile } from "node:child_process";
import { expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { BIN, ROOT } from "../helpers/processes.js";
import { waitForWaiters } from "../helpers/wait.js";

function status(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, "status", ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 });
    });
  });
}

interface JsonWaiter {
  kind: string;
  elements: number;
  sinceMs: number;
  stepId: number | null;
}

/** A queue's waiters from `status --json` output. */
function jsonWaiters(json: string, name: string): JsonWaiter[] {
  const entry = (JSON.parse(json) as tf.ResourceStatus[]).find((r) => r.name === name);
  if (entry === undefined) throw new Error(`no queue '${name}' in ${json}`);
  return entry.details.waiting as JsonWaiter[];
}

it("status lists each queue's size/capacity, closed flag and the blocked ops with how long they wait; --json too", async () => {
  await using cluster = await tf.sim.launch({ ps: ["localhost:0"], worker: ["localhost:0"] }, { transport: "grpc" });
  const g = new tf.Graph();
  const ops = g.asDefault(() =>
    tf.device("/job:ps/task:0", () => {
      const empty = new tf.FIFOQueue({ capacity: 2, dtypes: ["float32"], shapes: [[]], sharedName: "stuck_dequeue" });
      const full = new tf.FIFOQueue({ capacity: 1, dtypes: ["float32"], shapes: [[]], sharedName: "stuck_enqueue" });
      const done = new tf.FIFOQueue({ capacity: -1, dtypes: ["float32"], shapes: [[]], sharedName: "closed_q" });
      return {
        dequeueMany: empty.dequeueMany(3),
        fill: full.enqueue(1),
        closeFull: full.close(),
        fillDone: done.enqueueMany([[1, 2]]),
        closeDone: done.close(),
      };
    }),
  );
  const target = cluster.target("worker", 0);
  await using setup = new tf.Session(target, { graph: g });
  await using trainer = new tf.Session(target, { graph: g });
  await using loader = new tf.Session(target, { graph: g });
  await using closer = new tf.Session(target, { graph: g });
  await setup.run(ops.fillDone);
  await setup.run(ops.closeDone);
  await setup.run(ops.fill);

  const startedMs = performance.now();
  const blocked = [trainer.run(ops.dequeueMany), loader.run(ops.fill), closer.run(ops.closeFull)].map((p) => p.catch((e: unknown) => e));
  await waitForWaiters(target, "stuck_dequeue", "dequeue");
  await waitForWaiters(target, "stuck_enqueue", "enqueue");
  await waitForWaiters(target, "stuck_enqueue", "close");

  const text = await status([target]);
  expect(text.code, text.stderr).toBe(0);
  const head = "/job:ps/replica:0/task:0/device:CPU:0 container=ps Queue";
  const dequeueLine = new RegExp(`${head} 'stuck_dequeue': size 0/2\\n  dequeue of 3 element\\(s\\) waiting for (\\d+\\.\\d) s \\(step \\d+\\)\\n`).exec(text.stdout);
  expect(dequeueLine, text.stdout).not.toBeNull();
  expect(text.stdout).toMatch(
    new RegExp(
      `${head} 'stuck_enqueue': size 1/1\\n` +
        `  enqueue of 1 element\\(s\\) waiting for \\d+\\.\\d s \\(step \\d+\\)\\n` +
        `  close of 0 element\\(s\\) waiting for \\d+\\.\\d s \\(step \\d+\\)\\n`,
    ),
  );
  expect(text.stdout).toContain(`${head} 'closed_q': size 2/unbounded, closed\n  nothing waiting\n`);
  // Each waiter reports how long it has waited: no longer than since it started.
  const textSeconds = [...text.stdout.matchAll(/waiting for (\d+\.\d) s/g)].map((m) => Number(m[1]));
  expect(textSeconds).toHaveLength(3);
  for (const s of textSeconds) expect(s).toBeLessThanOrEqual((performance.now() - startedMs) / 1000 + 0.1);

  const json = await status([target, "--json"]);
  expect(json.code, json.stderr).toBe(0);
  const all = JSON.parse(json.stdout) as tf.ResourceStatus[];
  expect(all.map((r) => r.name).sort()).toEqual(["closed_q", "stuck_dequeue", "stuck_enqueue"]);
  for (const r of all) expect([r.device, r.container, r.kind]).toEqual(["/job:ps/replica:0/task:0/device:CPU:0", "ps", "Queue"]);
  expect(all.find((r) => r.name === "closed_q")!.details).toMatchObject({ type: "FIFOQueue", size: 2, capacity: -1, closed: true, waiting: [] });
  expect(all.find((r) => r.name === "stuck_enqueue")!.details).toMatchObject({ size: 1, capacity: 1, closed: false });
  const elapsedMs = performance.now() - startedMs;
  const dequeueWaiters = jsonWaiters(json.stdout, "stuck_dequeue");
  const enqueueWaiters = jsonWaiters(json.stdout, "stuck_enqueue");
  expect(dequeueWaiters.map((w) => [w.kind, w.elements])).toEqual([["dequeue", 3]]);
  expect(enqueueWaiters.map((w) => [w.kind, w.elements])).toEqual([["enqueue", 1], ["close", 0]]);
  for (const w of [...dequeueWaiters, ...enqueueWaiters]) {
    expect(w.sinceMs).toBeGreaterThanOrEqual(0);
    expect(w.sinceMs).toBeLessThanOrEqual(elapsedMs + 100);
    expect(typeof w.stepId).toBe("number");
  }
  // The durations grow while the ops stay stuck: the later report shows at least the earlier one.
  expect(dequeueWaiters[0]!.sinceMs / 1000).toBeGreaterThanOrEqual(Number(dequeueLine![1]) - 0.05);

  // Unstick everything: closing the sessions cancels the blocked steps.
  await Promise.all([trainer.close(), loader.close(), closer.close()]);
  for (const err of await Promise.all(blocked)) expect(err).toBeInstanceOf(tf.errors.CancelledError);
  const after = await status([target, "--json"]);
  expect(jsonWaiters(after.stdout, "stuck_dequeue")).toEqual([]);
  expect(jsonWaiters(after.stdout, "stuck_enqueue")).toEqual([]);
}, 120_000);

it("status of a target nobody serves fails with a message and exit code 1", async () => {
  const r = await status(["grpc://127.0.0.1:1", "--timeout", "2000"]);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^tfcluster: /);
}, 60_000);

function cli(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 });
    });
  });
}

it("with the ps task down, status and devices name it as unreachable and exit 1 (never 'no resources', exit 0)", async () => {
  await using cluster = await tf.sim.launch({ ps: ["localhost:0"], worker: ["localhost:0"] }, { transport: "grpc" });
  const target = cluster.target("worker", 0);
  const psAddress = cluster.spec.taskAddress("ps", 0);
  await cluster.kill("ps", 0);
  const text = await cli(["status", target, "--timeout", "3000"]);
  expect(text.code, text.stderr).toBe(1);
  expect(text.stdout).toContain(`/job:ps/replica:0/task:0 (${psAddress}): UNREACHABLE`);
  expect(text.stdout).toContain("/job:worker/replica:0/task:0");
  expect(text.stdout).not.toContain("no resources on the cluster");
  expect(text.stderr).toContain(`tfcluster: /job:ps/replica:0/task:0 (${psAddress}) did not answer`);
  const devices = await cli(["devices", target, "--timeout", "3000"]);
  expect(devices.code).toBe(1);
  expect(devices.stdout).toContain("/job:worker/replica:0/task:0/device:CPU:0");
  expect(devices.stderr).toContain(`/job:ps/replica:0/task:0 (${psAddress}) did not answer`);
  expect(devices.stderr).not.toContain(target.replace("grpc://", ""));
}, 120_000);
