/**
 * P10: start-up of a cluster of 1 ps + 4 workers to the first step that touches every task, on
 * `thread` and `grpc`, beside what the medium itself costs to start one task: a bare worker thread
 * that answers one message, a bare `node` process that exits.
 */
import { spawn } from "node:child_process";
import { Worker } from "node:worker_threads";
import * as tf from "../src/index.js";
import type { BenchTransport } from "./run-transports.js";
import type { BenchRow } from "./stats.js";
import { row, sampled } from "./stats.js";

const WORKERS = 4;

/** Seconds from launch to the first step's result, one sample. */
async function launchToFirstStep(transport: BenchTransport): Promise<number> {
  const t0 = performance.now();
  const cluster = await tf.sim.launch({ ps: ["localhost:0"], worker: Array.from({ length: WORKERS }, () => "localhost:0") }, { transport, seed: 1 });
  try {
    const g = new tf.Graph();
    const total = g.asDefault(() => {
      const parts = [tf.device("/job:ps/task:0", () => tf.constant(1))];
      for (let i = 0; i < WORKERS; i++) parts.push(tf.device(`/job:worker/task:${i}`, () => tf.constant(1)));
      return parts.reduce((a, b) => tf.add(a, b));
    });
    const sess = new tf.Session(cluster.target("worker", 0), { graph: g });
    const got = ((await sess.run(total, { options: { timeoutInMs: 60_000 } })) as tf.NDArray).item();
    const seconds = (performance.now() - t0) / 1000;
    if (got !== WORKERS + 1) throw new Error(`first step returned ${String(got)}, not ${WORKERS + 1}`);
    await sess.close();
    return seconds;
  } finally {
    await cluster.stop();
  }
}

function bareThreadStartSeconds(): Promise<number> {
  const t0 = performance.now();
  const w = new Worker(`require("node:worker_threads").parentPort.postMessage(1)`, { eval: true });
  return new Promise((resolve, reject) => {
    w.once("message", () => {
      resolve((performance.now() - t0) / 1000);
      void w.terminate();
    });
    w.once("error", reject);
  });
}

function bareProcessSeconds(): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => (code === 0 ? resolve((performance.now() - t0) / 1000) : reject(new Error(`node exited with ${code}`))));
    child.once("error", reject);
  });
}

export async function runStartup(): Promise<BenchRow[]> {
  const threadBare = await sampled(bareThreadStartSeconds);
  const thread = await sampled(() => launchToFirstStep("thread"));
  const processBare = await sampled(bareProcessSeconds);
  const grpc = await sampled(() => launchToFirstStep("grpc"));
  const name = (t: string): string => `${t}: 1 ps + ${WORKERS} workers, launch to first step`;
  return [
    row({ id: "P10", name: name("thread"), unit: "s", value: thread, baselineName: "bare worker thread start", baseline: threadBare, goal: { kind: "value", op: "<=", target: 1.5 } }),
    row({ id: "P10", name: name("grpc"), unit: "s", value: grpc, baselineName: "bare `node -e ''` process", baseline: processBare, goal: { kind: "value", op: "<=", target: 3 } }),
  ];
}
