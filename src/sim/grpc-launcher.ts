/**
 * Starts every task of a cluster as a child process running a real `tfcluster server` over grpc.
 * Port 0 addresses get free ports first, so every task knows every other's address.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { UnavailableError } from "../errors/index.js";
import type { ClusterDef } from "../transport/messages.js";
import { systemClock } from "../util/env.js";
import { taskSeed } from "./task-seed.js";
import type { LaunchedTasks, LaunchOptions } from "./types.js";
import { lineForwarder } from "./stderr-forward.js";

const BIN = fileURLToPath(new URL("../../bin/tfcluster.js", import.meta.url));
const START_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 5_000;

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function resolvePorts(cluster: ClusterDef): Promise<ClusterDef> {
  const job = [];
  for (const j of cluster.job) {
    const tasks: Record<number, string> = {};
    for (const [i, address] of Object.entries(j.tasks)) {
      const m = /^(.*):0$/.exec(address);
      tasks[Number(i)] = m ? `${m[1]}:${await freePort(m[1] === "localhost" ? "127.0.0.1" : m[1]!)}` : address;
    }
    job.push({ name: j.name, tasks });
  }
  return { job };
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const cancel = systemClock.setTimer(timeoutMs, () => resolve(false));
    child.once("exit", () => {
      cancel();
      resolve(true);
    });
  });
}

export async function launchGrpc(cluster: ClusterDef, options: LaunchOptions): Promise<LaunchedTasks> {
  const resolved = await resolvePorts(cluster);
  const dir = mkdtempSync(join(tmpdir(), "tfcluster-sim-"));
  const clusterFile = join(dir, "cluster.json");
  writeFileSync(clusterFile, JSON.stringify(Object.fromEntries(resolved.job.map((j) => [j.name, j.tasks]))));
  let tokenFile: string | undefined;
  if (options.token) writeFileSync((tokenFile = join(dir, "token")), options.token);
  const children = new Map<string, ChildProcess>();

  const start = (job: string, task: number) =>
    new Promise<void>((resolve, reject) => {
      const args = [BIN, "server", "--cluster", clusterFile, "--job", job, "--task", String(task), "--exit-with-parent"];
      if (options.virtualGpus) args.push("--virtual-gpus", String(options.virtualGpus));
      if (options.seed !== undefined) args.push("--seed", String(taskSeed(options.seed, job, task)));
      if (tokenFile) args.push("--token-file", tokenFile);
      // Every task of a simulation is the user's own process: its kernels may touch any file.
      args.push("--allow-read", "/", "--allow-write", "/");
      const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "pipe"] });
      children.set(`${job}/${task}`, child);
      let stderr = "";
      const cancelTimer = systemClock.setTimer(START_TIMEOUT_MS, () => {
        child.kill("SIGKILL");
        reject(new UnavailableError(`Task /job:${job}/task:${task} did not start within ${START_TIMEOUT_MS} ms: ${stderr.slice(-2000)}`));
      });
      child.stderr!.on("data", (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-8000);
      });
      if (options.forwardStderr) child.stderr!.on("data", lineForwarder(`[/job:${job}/task:${task}] `, (line) => process.stderr.write(line)));
      child.stdout!.on("data", (d: Buffer) => {
        if (d.toString().includes("listening at")) {
          cancelTimer();
          resolve();
        }
      });
      child.once("exit", (code, signal) => {
        cancelTimer();
        reject(new UnavailableError(`Task /job:${job}/task:${task} exited (${signal ?? code}) before serving: ${stderr.slice(-2000)}`));
      });
    });

  const killTask = async (job: string, task: number) => {
    const child = children.get(`${job}/${task}`);
    if (!child) return;
    child.kill("SIGKILL");
    await waitForExit(child, STOP_GRACE_MS);
  };

  const stopAll = async () => {
    await Promise.all(
      [...children.values()].map(async (child) => {
        child.kill("SIGTERM");
        if (!(await waitForExit(child, STOP_GRACE_MS))) {
          child.kill("SIGKILL");
          await waitForExit(child, STOP_GRACE_MS);
        }
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };

  const onExit = () => {
    for (const c of children.values()) c.kill("SIGKILL");
  };
  process.once("exit", onExit);

  try {
    await Promise.all(resolved.job.flatMap((j) => Object.keys(j.tasks).map((i) => start(j.name, Number(i)))));
  } catch (err) {
    await stopAll();
    process.removeListener("exit", onExit);
    throw err;
  }
  return {
    cluster: resolved,
    kill: killTask,
    restart: async (job, task) => {
      await killTask(job, task);
      await start(job, task);
    },
    stop: async () => {
      await stopAll();
      process.removeListener("exit", onExit);
    },
  };
}
