/**
 * Worker-thread entry of launchThreadTasks (thread-launcher.ts): runs one task's EngineServer
 * over the thread transport, reports {t: "ready", address} (or {t: "failed", status}), and on
 * {t: "stop", graceMs} stops the server, closes its channels and lets the thread end.
 */
import { parentPort, workerData } from "node:worker_threads";
import { EngineServer } from "../engine/server.js";
import { toStatus } from "../errors/index.js";
import type { Status } from "../errors/index.js";
import type { ClusterDef } from "../transport/messages.js";
import { installThreadFaults } from "../transport/thread/faults.js";
import type { FaultTableInit } from "../transport/thread/faults.js";
import { threadTransport } from "../transport/thread/transport.js";
import { SeededRandom, systemClock } from "../util/env.js";

/** What the launcher hands each task thread (plus the broker port, added by spawnThread). */
export interface ThreadTaskData {
  cluster: ClusterDef;
  jobName: string;
  taskIndex: number;
  virtualGpus?: number;
  /** This task's own seed, derived by the launcher from the cluster seed. */
  seed: number;
  /** The cluster's network fault table (partitions, delays), shared with the launcher. */
  faults?: FaultTableInit;
}

export type LauncherToTask = { t: "stop"; graceMs: number };
export type TaskToLauncher = { t: "ready"; address: string } | { t: "failed"; status: Status } | { t: "stopped" };

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error("thread-task.ts is a worker-thread entry; start it with launchThreadTasks()");
  const data = workerData as ThreadTaskData;
  const post = (msg: TaskToLauncher): void => port.postMessage(msg);
  const self = data.cluster.job.find((j) => j.name === data.jobName)?.tasks[data.taskIndex];
  if (data.faults && self) installThreadFaults(data.faults, self);
  let server: EngineServer;
  try {
    server = await EngineServer.start({
      cluster: data.cluster,
      jobName: data.jobName,
      taskIndex: data.taskIndex,
      transport: threadTransport,
      env: { clock: systemClock, random: new SeededRandom(data.seed) },
      ...(data.virtualGpus ? { virtualGpus: data.virtualGpus } : {}),
    });
  } catch (err) {
    post({ t: "failed", status: toStatus(err) });
    port.close();
    return;
  }
  port.on("message", (msg: LauncherToTask) => {
    if (msg.t !== "stop") return;
    void server
      .stop({ graceMs: msg.graceMs })
      .catch(() => undefined)
      .then(() => threadTransport.close())
      .then(() => {
        post({ t: "stopped" });
        // Nothing else holds the thread: with the port closed, it ends by itself.
        port.close();
      });
  });
  post({ t: "ready", address: server.address });
}

void main();
