/** Real child processes for e2e tests: free ports, a `tfcluster` server, a script run to completion. */
import { execFile, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const BIN = fileURLToPath(new URL("../../bin/tfcluster.js", import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

export interface CliProcess extends ChildProcess {
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
}

/** Starts `tfcluster <args>` and resolves once it prints `readyText`. */
export function startCli(args: string[], readyText = "listening at", timeoutMs = 60_000, env: NodeJS.ProcessEnv = {}): Promise<CliProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } }) as CliProcess;
    child.output = () => out;
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`tfcluster ${args.join(" ")} did not print '${readyText}' in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes(readyText)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`tfcluster ${args.join(" ")} exited with ${code}:\n${out}`));
    });
  });
}

/** Runs a TypeScript script with tsx in a new process and returns its stdout. */
export function runScript(script: string, args: string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["--import", "tsx", script, ...args], { cwd: ROOT, timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${script} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended. */
export function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve({ code: child.exitCode, signal: child.signalCode });
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
    child.kill("SIGTERM");
  });
}

/** PIDs of this process's children whose command line contains `needle`. */
export function childPids(needle: string): Promise<number[]> {
  return new Promise((resolve) => {
    execFile("ps", ["-o", "pid=,args=", "--ppid", String(process.pid)], (_err, stdout) => {
      resolve(
        stdout
          .split("\n")
          .filter((l) => l.includes(needle))
          .map((l) => Number(l.trim().split(/\s+/)[0])),
      );
    });
  });
}
