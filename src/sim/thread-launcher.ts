/**
 * Launches every task of a cluster in its own worker thread (thread-task.ts), serving over the
 * thread transport. Port-0 addresses are resolved up front, so every task starts knowing the
 * whole cluster; each address is labelled with its task, so errors name "/job:ps/replica:0/task:0".
 * Supervision: a task that exits or crashes fails the calls pending on it at once (its ports
 * close); kill() terminates a thread, restart() starts it again at the same address, stop() asks
 * every task to stop and terminates any that does not within the grace period.
 *
 * @example
 *   const tasks = await launchThreadTasks({ job: [{ name: "ps", tasks: { 0: "localhost:0" } }] }, { seed: 1 });
 *   const target = `thread://${tasks.cluster.job[0]!.tasks[0]}`;
 *   await tasks.stop();
 */
import { UnavailableError, errorFromStatus } from "../errors/index.js";
import type { ClusterDef } from "../transport/messages.js";
import { parseAddress } from "../transport/thread/broker.js";
import { rootBroker } from "../transport/thread/broker-link.js";
import { installThreadFaults } from "../transport/thread/faults.js";
import { spawnThread } from "../transport/thread/supervisor.js";
import type { SupervisedThread } from "../transport/thread/supervisor.js";
import { systemClock } from "../util/env.js";
import { tracer } from "../util/logger.js";
import type { TaskToLauncher, ThreadTaskData } from "./thread-task.js";
import { taskSeed } from "./task-seed.js";
import type { LaunchedTasks, LaunchOptions } from "./types.js";

const trace = tracer("thread");

export interface ThreadLaunchOptions extends LaunchOptions {
  /** How long a task may take to start serving. Default 60 s (tfjs + wasm start in ~0.3 s). */
  startTimeoutMs?: number;
  /** stop(): how long tasks get to stop by themselves before their threads are terminated. Default 3 s. */
  stopGraceMs?: number;
}

export interface ThreadTasks extends LaunchedTasks {
  /** Task threads alive now. */
  liveTasks(): string[];
}

const TASK_ENTRY = new URL(import.meta.url.endsWith(".ts") ? "./thread-task.ts" : "./thread-task.js", import.meta.url);

function resolveCluster(cluster: ClusterDef): ClusterDef {
  const broker = rootBroker();
  return {
    job: cluster.job.map((j) => ({
      name: j.name,
      tasks: Object.fromEntries(
        Object.entries(j.tasks).map(([i, address]) => {
          const { host, port } = parseAddress(address);
          const resolved = port === 0 ? broker.reserve(host) : address;
          broker.setLabel(resolved, `/job:${j.name}/replica:0/task:${i}`);
          return [i, resolved];
        }),
      ),
    })),
  };
}

/** Waits for the task's first report, its exit, or the start timeout; settles exactly once. */
function awaitReady(thread: SupervisedThread, name: string, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const cancel = systemClock.setTimer(timeoutMs, () => done(new UnavailableError(`${name} did not start within ${timeoutMs} ms`)));
    const onMessage = (msg: TaskToLauncher): void => {
      if (msg.t === "ready") done();
      else if (msg.t === "failed") done(errorFromStatus(msg.status));
    };
    const done = (err?: Error): void => {
      cancel();
      thread.worker.off("message", onMessage);
      if (err) reject(err);
      else resolve();
    };
    thread.worker.on("message", onMessage);
    void thread.exited.then((e) => done(new UnavailableError(`${name} exited with code ${e.exitCode} before serving${e.error ? `: ${e.error.message}` : ""}`)));
  });
}

export async function launchThreadTasks(cluster: ClusterDef, options: ThreadLaunchOptions = {}): Promise<ThreadTasks> {
  const seed = options.seed ?? 0;
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const stopGraceMs = options.stopGraceMs ?? 3_000;
  const resolved = resolveCluster(cluster);
  const threads = new Map<string, SupervisedThread>();
  // One fault table for the cluster, shared with every task thread; this thread is "client".
  const addresses = ["client", ...resolved.job.flatMap((j) => Object.values(j.tasks))];
  const faults = installThreadFaults({ buffer: new SharedArrayBuffer(4 * addresses.length * addresses.length), addresses }, "client");

  const start = async (job: string, task: number): Promise<void> => {
    const key = `${job}/${task}`;
    const data: ThreadTaskData = { cluster: resolved, jobName: job, taskIndex: task, seed: taskSeed(seed, job, task), faults: faults.table.init };
    if (options.virtualGpus) data.virtualGpus = options.virtualGpus;
    const thread = await spawnThread(TASK_ENTRY, { workerData: { ...data } });
    threads.set(key, thread);
    void thread.exited.then((e) => trace(`/job:${job}/task:${task} (thread ${thread.threadId}) exited with code ${e.exitCode}${e.error ? `: ${e.error.message}` : ""}`));
    await awaitReady(thread, `/job:${job}/replica:0/task:${task}`, startTimeoutMs);
    trace(`/job:${job}/task:${task} serving in thread ${thread.threadId}`);
  };

  const kill = async (job: string, task: number): Promise<void> => {
    await threads.get(`${job}/${task}`)?.terminate();
  };

  /** Asks one task to stop, then terminates it if it has not exited within the grace period. */
  const stopOne = async (thread: SupervisedThread): Promise<void> => {
    if (!thread.alive) return;
    thread.post({ t: "stop", graceMs: Math.floor(stopGraceMs / 2) });
    let cancel = (): void => undefined;
    const graceOver = new Promise<void>((r) => (cancel = systemClock.setTimer(stopGraceMs, r)));
    await Promise.race([thread.exited, graceOver]);
    cancel();
    if (thread.alive) await thread.terminate();
  };

  const stop = async (): Promise<void> => {
    faults.table.heal();
    await Promise.all([...threads.values()].map(stopOne));
    faults.uninstall();
  };

  const all = resolved.job.flatMap((j) => Object.keys(j.tasks).map((i) => [j.name, Number(i)] as const));
  const started = await Promise.allSettled(all.map(([job, task]) => start(job, task)));
  const failure = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failure) {
    await stop();
    throw failure.reason;
  }

  return {
    cluster: resolved,
    kill,
    restart: async (job, task) => {
      await kill(job, task);
      await start(job, task);
    },
    stop,
    faults: faults.table,
    liveTasks: () => [...threads].filter(([, t]) => t.alive).map(([key]) => key),
  };
}
