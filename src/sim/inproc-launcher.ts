/** Starts every task of a cluster in this thread on the inproc network, seeded. */
import { EngineServer } from "../engine/server.js";
import { inprocTransport } from "../transport/inproc/inproc-transport.js";
import type { ClusterDef } from "../transport/messages.js";
import { SeededRandom } from "../util/env.js";
import { systemClock } from "../util/env.js";
import { taskSeed } from "./task-seed.js";
import type { LaunchedTasks, LaunchOptions } from "./types.js";

export async function launchInproc(cluster: ClusterDef, options: LaunchOptions): Promise<LaunchedTasks> {
  const seed = options.seed ?? 0;
  inprocTransport.scheduler.reseed(seed);
  const resolved: ClusterDef = {
    job: cluster.job.map((j) => ({
      name: j.name,
      tasks: Object.fromEntries(Object.entries(j.tasks).map(([i, a]) => [i, inprocTransport.allocateAddress(a)])),
    })),
  };
  const servers = new Map<string, EngineServer>();
  const start = async (job: string, task: number) => {
    const server = await EngineServer.start({
      cluster: resolved,
      jobName: job,
      taskIndex: task,
      transport: inprocTransport,
      env: { clock: systemClock, random: new SeededRandom(taskSeed(seed, job, task)) },
      ...(options.virtualGpus ? { virtualGpus: options.virtualGpus } : {}),
    });
    servers.set(`${job}/${task}`, server);
  };
  try {
    for (const j of resolved.job) for (const i of Object.keys(j.tasks)) await start(j.name, Number(i));
  } catch (err) {
    await Promise.allSettled([...servers.values()].map((s) => s.stop()));
    throw err;
  }
  return {
    cluster: resolved,
    kill: async (job, task) => {
      await servers.get(`${job}/${task}`)?.stop({ graceMs: 0 });
    },
    restart: async (job, task) => {
      await servers.get(`${job}/${task}`)?.stop({ graceMs: 0 });
      await start(job, task);
    },
    stop: async () => {
      await Promise.allSettled([...servers.values()].map((s) => s.stop()));
    },
  };
}
