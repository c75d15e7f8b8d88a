/**
 * Starts every task of a cluster in this thread on its own inproc network: one scheduler, one
 * clock (virtual with `virtualTime`) and one random source per cluster, so two clusters in one
 * process do not disturb each other and a run replays from its seed. Each task (and each of its
 * incarnations) draws its randomness from the seed; kill() is a crash.
 */
import { EngineServer } from "../engine/server.js";
import { CLIENT, InprocNetwork } from "../transport/inproc/inproc-transport.js";
import { ScopedClock, SimScheduler } from "../transport/inproc/scheduler.js";
import type { ClusterDef } from "../transport/messages.js";
import { SeededRandom } from "../util/env.js";
import { taskSeed } from "./task-seed.js";
import type { LaunchedTasks, LaunchOptions } from "./types.js";

const STOP_GRACE_MS = 5_000;

export interface InprocTasks extends LaunchedTasks {
  network: InprocNetwork;
}

export async function launchInproc(cluster: ClusterDef, options: LaunchOptions): Promise<InprocTasks> {
  const seed = options.seed ?? 0;
  const scheduler = new SimScheduler({ seed, virtualTime: options.virtualTime ?? false, trace: options.trace ?? false });
  const network = new InprocNetwork({ scheduler, register: true, jitterMs: options.jitterMs ?? 0 });
  const resolved: ClusterDef = {
    job: cluster.job.map((j) => ({
      name: j.name,
      tasks: Object.fromEntries(Object.entries(j.tasks).map(([i, a]) => [i, network.allocateAddress(a)])),
    })),
  };
  for (const j of resolved.job) for (const [i, a] of Object.entries(j.tasks)) network.setLabel(a, `/job:${j.name}/task:${i}`);
  network.setLabel(CLIENT, CLIENT);
  const addressOf = (job: string, task: number) => resolved.job.find((j) => j.name === job)?.tasks[task];
  const tasks = new Map<string, { server: EngineServer; clock: ScopedClock }>();
  const incarnations = new Map<string, number>();

  const start = async (job: string, task: number) => {
    const key = `${job}/${task}`;
    const incarnation = incarnations.get(key) ?? 0;
    incarnations.set(key, incarnation + 1);
    const address = addressOf(job, task)!;
    const clock = new ScopedClock(scheduler.clock);
    const server = await EngineServer.start({
      cluster: resolved,
      jobName: job,
      taskIndex: task,
      transport: network.from(address),
      env: { clock, random: new SeededRandom(taskSeed(seed, job, task, incarnation)), io: scheduler.io },
      ...(options.virtualGpus ? { virtualGpus: options.virtualGpus } : {}),
      ...(options.stuckWarnMs !== undefined ? { stuckWarnMs: options.stuckWarnMs } : {}),
    });
    tasks.set(key, { server, clock });
  };

  /** A crash: no goodbyes; its timers die with it; its state is gone with its objects. */
  const crash = (job: string, task: number) => {
    const key = `${job}/${task}`;
    const t = tasks.get(key);
    if (!t) return;
    tasks.delete(key);
    t.clock.kill();
    network.crash(addressOf(job, task)!);
    // What the OS reclaims from a dead process: its files and memory. Local only; it tells no one.
    t.server.worker.stop();
  };

  try {
    for (const j of resolved.job) for (const i of Object.keys(j.tasks)) await start(j.name, Number(i));
  } catch (err) {
    await Promise.allSettled([...tasks.values()].map((t) => t.server.stop()));
    network.release();
    throw err;
  }
  return {
    cluster: resolved,
    network,
    faults: network.faults,
    clock: scheduler.clock,
    trace: () => scheduler.trace ?? [],
    note: (label) => scheduler.note(label),
    whenIdle: () => scheduler.whenIdle(),
    kill: async (job, task) => crash(job, task),
    restart: async (job, task) => {
      crash(job, task);
      await start(job, task);
    },
    stop: async () => {
      // Partitions end with the cluster, so that its goodbyes (closing sessions) are answered;
      // tasks that still wait on each other after STOP_GRACE_MS of the cluster's clock crash.
      network.faults.heal();
      const stopped = Promise.allSettled([...tasks.values()].map((t) => t.server.stop({ graceMs: 0 })));
      let cancel = (): void => undefined;
      const grace = new Promise<void>((resolve) => (cancel = scheduler.clock.setTimer(STOP_GRACE_MS, resolve)));
      await Promise.race([stopped, grace]);
      cancel();
      for (const key of [...tasks.keys()]) {
        const [job, task] = key.split("/");
        crash(job!, Number(task));
      }
      network.release();
    },
  };
}
