/**
 * The main job as a user runs it (`tfcluster demo`, a real process), with few steps: on every
 * transport it trains, prints the accuracy, the checkpoint, the TensorBoard command and the
 * trace; it leaves an event file; a re-run with the same checkpoint folder resumes from it; a ps
 * task killed mid-run is recovered from the last checkpoint.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { enabledTransports } from "../helpers/transports.js";
import { BIN, ROOT, freePort, startCli, stopProcess } from "../helpers/processes.js";
import type { CliProcess } from "../helpers/processes.js";

const root = mkdtempSync(join(tmpdir(), "tfcluster-demo-test-"));
const cacheDir = join(root, "cache");
afterAll(() => rmSync(root, { recursive: true, force: true }));

function demo(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, "demo", "--cache-dir", cacheDir, ...args], { cwd: ROOT, timeout: 240_000, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`tfcluster demo ${args.join(" ")} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

function accuracyOf(out: string): number {
  const m = /test accuracy: ([0-9.]+) on 2000 held-out digits \(global step (\d+)\)/.exec(out);
  if (!m) throw new Error(`no accuracy line in:\n${out}`);
  return Number(m[1]);
}

function globalStepOf(out: string): number {
  return Number(/\(global step (\d+)\)/.exec(out)?.[1]);
}

describe("tfcluster demo (the main job)", () => {
  for (const transport of enabledTransports()) {
    it(`trains on ${transport}: accuracy above chance, checkpoint, event file and trace`, async () => {
      const logdir = join(root, `logs-${transport}`);
      const out = await demo(["--transport", transport, "--steps", "40", "--logdir", logdir]);
      expect(accuracyOf(out)).toBeGreaterThan(0.5);
      expect(globalStepOf(out)).toBeGreaterThanOrEqual(40);
      expect(out).toMatch(/worker 0.*step/);
      expect(out).toMatch(/worker 1.*step/);
      const checkpoint = /checkpoint: (\S+)/.exec(out)?.[1];
      expect(checkpoint).toMatch(/model\.ckpt-\d+$/);
      expect(out).toContain(`tensorboard --logdir ${logdir}`);
      expect(readdirSync(logdir).some((f) => f.startsWith("events.out.tfevents."))).toBe(true);
      const trace = /Chrome trace of one step: (\S+)/.exec(out)?.[1];
      expect(trace && existsSync(trace)).toBe(true);
    }, 300_000);
  }

  it("resumes from the checkpoint folder of an earlier run", async () => {
    const dir = join(root, "resume");
    const first = await demo(["--transport", "inproc", "--steps", "20", "--logdir", dir]);
    expect(globalStepOf(first)).toBeGreaterThanOrEqual(20);
    const second = await demo(["--transport", "inproc", "--steps", "30", "--logdir", dir]);
    // Restored at the first run's last checkpoint (step 20, or a step or two past it: two workers
    // step asynchronously), then trained to 30: not from scratch.
    const restored = Number(/the chief restores .*model\.ckpt-(\d+)/.exec(second)?.[1]);
    expect(restored).toBeGreaterThanOrEqual(20);
    // The checkpoint restored is exactly the one the first run reported as its last.
    expect(/checkpoint: (\S+)/.exec(first)?.[1]).toBe(/the chief restores (\S+)/.exec(second)?.[1]);
    expect(globalStepOf(second)).toBeGreaterThanOrEqual(30);
  }, 300_000);

  it("--sync: SyncReplicasOptimizer aggregates both workers' gradients into each global step", async () => {
    const out = await demo(["--transport", "inproc", "--sync", "--steps", "30", "--logdir", join(root, "sync")]);
    // Synchronous: one global step per aggregated pair of gradients, so the job stops exactly at its limit.
    expect(globalStepOf(out)).toBe(30);
    expect(accuracyOf(out)).toBeGreaterThan(0.5);
  }, 300_000);

  it("--kill-ps-at: the job survives a ps crash by restoring the last checkpoint", async () => {
    const out = await demo(["--transport", "inproc", "--steps", "40", "--kill-ps-at", "25", "--logdir", join(root, "kill")]);
    expect(out).toMatch(/ps task 0 killed at global step 2\d/);
    expect(out).toMatch(/recovered: ps task 0 restarted/);
    expect(globalStepOf(out)).toBeGreaterThanOrEqual(40);
    expect(accuracyOf(out)).toBeGreaterThan(0.5);
  }, 300_000);

  it("--cluster: the same job against one real `tfcluster server` process per task", async () => {
    const ports = await Promise.all([0, 1, 2, 3].map(() => freePort()));
    const spec = { ps: [`127.0.0.1:${ports[0]}`, `127.0.0.1:${ports[1]}`], worker: [`127.0.0.1:${ports[2]}`, `127.0.0.1:${ports[3]}`] };
    const file = join(root, "cluster.json");
    writeFileSync(file, JSON.stringify(spec));
    const servers: CliProcess[] = [];
    try {
      for (const [job, task] of [["ps", 0], ["ps", 1], ["worker", 0], ["worker", 1]] as const) {
        servers.push(await startCli(["server", "--cluster", file, "--job", job, "--task", String(task), "--allow-read", root, "--allow-read", cacheDir, "--allow-write", root]));
      }
      const out = await demo(["--cluster", file, "--steps", "30", "--logdir", join(root, "real")]);
      expect(out).toContain("cluster on grpc: 2 ps, 2 workers");
      expect(globalStepOf(out)).toBeGreaterThanOrEqual(30);
      expect(accuracyOf(out)).toBeGreaterThan(0.5);
    } finally {
      await Promise.all(servers.map((s) => stopProcess(s)));
    }
  }, 300_000);
});
