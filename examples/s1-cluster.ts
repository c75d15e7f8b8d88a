/**
 * Scenario S1: a cluster of two jobs, `ps` (one task) and `worker` (two tasks), a server per task.
 * On real machines each task is its own process (`tfcluster server --cluster cluster.json --job
 * worker --task 0`, or `tf.train.Server.create(cluster, {jobName, taskIndex})` then
 * `await server.join()`); here tf.sim.launch starts all three on this host. The example lists the
 * cluster's devices and runs, from a session on each server, a step with one op on every task:
 * every task may talk to every other. (The ps task is usually started with no GPU visible,
 * `CUDA_VISIBLE_DEVICES=""`; here no task has one: `--virtual-gpus` adds them.)
 * Run: npx tsx examples/s1-cluster.ts [--transport inproc|thread|grpc]
 */
import * as tf from "../src/index.js";
import { runExample } from "./run-example.js";

const TASKS: [string, number][] = [
  ["ps", 0],
  ["worker", 0],
  ["worker", 1],
];

await runExample(
  "S1: a cluster of two jobs",
  { ps: 1, worker: 2 },
  async ({ cluster }) => {
    console.log(`jobs: ${cluster.spec.jobs.join(", ")}; tasks: ${TASKS.map(([job, i]) => `/job:${job}/task:${i}`).join(", ")}`);

    // One constant on each task; their sum is computed wherever the session's master puts it.
    const g = new tf.Graph();
    const total = g.asDefault(() => {
      const [a, b, c] = TASKS.map(([job, i], k) => tf.device(`/job:${job}/task:${i}/cpu:0`, () => tf.constant(k + 1)));
      return tf.add(tf.add(a!, b!), c!);
    });
    for (const [job, i] of TASKS) {
      await using sess = new tf.Session(cluster.target(job, i), { graph: g });
      if (job === "ps") {
        const devices = (await sess.listDevices()).map((d) => d.name.replace("/replica:0", ""));
        console.log(`devices: ${devices.join(", ")}`);
      }
      console.log(`a session on /job:${job}/task:${i}: 1 (ps) + 2 (worker 0) + 3 (worker 1) = ${(await sess.run(total)).item()}`);
    }
  },
);
