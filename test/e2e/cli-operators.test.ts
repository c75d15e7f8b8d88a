/**
 * The CLI for operators: --version; mistakes told in CLI terms (--job, --task, the cluster file's
 * addresses); `sim` defaults to grpc and says when a thread/inproc target cannot be reached.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { BIN, ROOT, startCli, stopProcess } from "../helpers/processes.js";
import { waitFor } from "../helpers/wait.js";

function cli(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 });
    });
  });
}

function clusterFile(cluster: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), "tfcluster-ops-")), "cluster.json");
  writeFileSync(file, JSON.stringify(cluster));
  return file;
}

it("--version prints the package version", async () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
  const r = await cli(["--version"]);
  expect(r.code).toBe(0);
  expect(r.stdout.trim()).toBe(version);
}, 60_000);

it("server: a wrong --task or --job, or a bad address, is named in CLI terms", async () => {
  const file = clusterFile({ ps: ["127.0.0.1:2221"], worker: ["127.0.0.1:2222", "127.0.0.1:2223"] });
  const task = await cli(["server", "--cluster", file, "--job", "worker", "--task", "5"]);
  expect(task.code).toBe(1);
  expect(task.stderr).toContain("--task 5: job 'worker' has tasks 0, 1");
  const job = await cli(["server", "--cluster", file, "--job", "chief", "--task", "0"]);
  expect(job.stderr).toContain("--job chief: the cluster has no job 'chief'; its jobs are ps, worker");
  const bad = clusterFile({ worker: ["127.0.0.1"] });
  const address = await cli(["server", "--cluster", bad, "--job", "worker", "--task", "0"]);
  expect(address.code).toBe(1);
  expect(address.stderr).toContain("cluster file: /job:worker/task:0 has address '127.0.0.1'");
  const zero = clusterFile({ worker: ["127.0.0.1:0"] });
  expect((await cli(["server", "--cluster", zero, "--job", "worker", "--task", "0"])).stderr).toContain("port 0 only works with tfcluster sim");
}, 120_000);

it("sim defaults to grpc; a thread target comes with a note that other processes cannot reach it", async () => {
  const file = clusterFile({ worker: ["localhost:0"] });
  const grpc = await startCli(["sim", file], "cluster running");
  expect(grpc.output()).toMatch(/\/job:worker\/task:0\tgrpc:\/\//);
  await stopProcess(grpc);
  const thread = await startCli(["sim", file, "--transport", "thread"], "cluster running");
  expect(thread.output()).toContain("a thread:// target can only be reached from inside this process");
  await stopProcess(thread);
}, 120_000);

it("sim --transport grpc forwards each task's stderr, every line prefixed with its task", async () => {
  const file = clusterFile({ ps: ["localhost:0"], worker: ["localhost:0"] });
  const sim = await startCli(["sim", file, "--transport", "grpc"], "cluster running", 60_000, { TFCLUSTER_STUCK_WARN_MS: "200" });
  const target = /\/job:worker\/task:0\t(\S+)/.exec(sim.output())![1]!;
  const g = new tf.Graph();
  const deq = g.asDefault(() => tf.device("/job:ps/task:0", () => new tf.FIFOQueue({ capacity: 1, dtypes: ["float32"], shapes: [[]], sharedName: "forward_q" }).dequeue()[0]!));
  const sess = new tf.Session(target, { graph: g });
  const pending = sess.run(deq).catch((e: unknown) => e);
  // The worker task's master warns about the stuck step on its stderr; sim relays it.
  await waitFor(async () => /\[\/job:worker\/task:0\] tfcluster warning: step \d+ of session/.test(sim.output()), "the forwarded warning");
  await sess.close();
  expect(await pending).toBeInstanceOf(tf.errors.CancelledError);
  await stopProcess(sim);
}, 120_000);
