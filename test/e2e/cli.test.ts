/** The `tfcluster` command: sim prints targets and runs until Ctrl-C; devices and status query it. */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { BIN, ROOT, freePort, startCli, stopProcess } from "../helpers/processes.js";

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 60_000, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 });
    });
  });
}

it("--help documents every command", async () => {
  const top = await cli(["--help"]);
  for (const cmd of ["server", "sim", "devices", "status"]) expect(top.stdout).toContain(cmd);
  for (const cmd of ["server", "sim", "devices", "status"]) {
    const help = await cli([cmd, "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(`Usage: tfcluster ${cmd}`);
  }
  expect((await cli(["server", "--help"])).stdout).toContain("--virtual-gpus");
}, 120_000);

it("sim prints each task's target; devices and status query it; SIGINT stops it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tfcluster-cli-"));
  const file = join(dir, "cluster.json");
  writeFileSync(file, JSON.stringify({ ps: ["localhost:0"], worker: ["localhost:0"] }));
  const sim = await startCli(["sim", file, "--transport", "grpc", "--virtual-gpus", "1"], "cluster running");
  const targets = Object.fromEntries(
    sim
      .output()
      .split("\n")
      .filter((l) => l.startsWith("/job:"))
      .map((l) => l.split("\t") as [string, string]),
  );
  expect(Object.keys(targets)).toEqual(["/job:ps/task:0", "/job:worker/task:0"]);
  expect(targets["/job:ps/task:0"]).toMatch(/^grpc:\/\/localhost:\d+$/);
  const devices = await cli(["devices", targets["/job:worker/task:0"]!]);
  expect(devices.stdout).toContain("/job:ps/replica:0/task:0/device:GPU:0");
  expect(devices.stdout).toContain("/job:worker/replica:0/task:0/device:CPU:0");
  sim.kill("SIGINT");
  const stopped = await new Promise<number | null>((resolve) => sim.once("exit", (code) => resolve(code)));
  expect(stopped).toBe(0);
}, 180_000);
it("a server configured from TF_CONFIG serves; devices lists its CPU and virtual GPUs; SIGTERM exits 0", async () => {
  const port = await freePort();
  const tfConfig = JSON.stringify({ cluster: { worker: [`127.0.0.1:${port}`] }, task: { type: "worker", index: 0 } });
  const server = await startCli(["server", "--virtual-gpus", "2"], "listening at", 60_000, { TF_CONFIG: tfConfig });
  const devices = await cli(["devices", `grpc://127.0.0.1:${port}`]);
  expect(devices.stdout).toContain("/job:worker/replica:0/task:0/device:CPU:0");
  expect(devices.stdout).toContain("/job:worker/replica:0/task:0/device:GPU:1");
  const status = await cli(["status", `grpc://127.0.0.1:${port}`]);
  expect(status.code).toBe(0);
  expect(status.stdout).toContain("no resources");
  expect(await stopProcess(server)).toEqual({ code: 0, signal: null });
}, 180_000);
