/**
 * Scenario S2: a session opened on one server, ops pinned anywhere.
 * `a = 1.0` on the ps task's CPU, `b = a + 2` on worker 0's second GPU, `c = a + b` unpinned; the
 * session runs on worker 1 ("machine B"), so `c` runs on worker 1's default device and equals 4.
 * Run: npx tsx examples/s2-pinning.ts [--transport inproc|thread|grpc]
 */
import * as tf from "../src/index.js";
import { runExample } from "./run-example.js";

/** Node name → the device it ran on, from a traced step. */
function devicesByNode(md: tf.RunMetadata): Map<string, string> {
  const out = new Map<string, string>();
  for (const dev of md.stepStats?.devStats ?? []) for (const n of dev.nodeStats) out.set(n.nodeName, dev.device);
  return out;
}

await runExample(
  "S2: a session on one server, ops pinned anywhere",
  { ps: 1, worker: 2 },
  async ({ cluster }) => {
    const g = new tf.Graph();
    const { c, d, e } = g.asDefault(() => {
      const a = tf.device("/job:ps/task:0/cpu:0", () => tf.constant(1.0, { name: "a" }));
      const b = tf.device("/job:worker/task:0/gpu:1", () => tf.add(a, 2, { name: "b" }));
      const c = tf.add(a, b, { name: "c" });
      // Omitted parts default: a job alone means its task 0; a device type alone, the master's task.
      const d = tf.device("/job:worker", () => tf.mul(c, 10, { name: "d" }));
      const e = tf.device("/cpu:0", () => tf.sub(d, c, { name: "e" }));
      return { c, d, e };
    });
    const sess = new tf.Session(cluster.target("worker", 1), { graph: g });
    try {
      const md: tf.RunMetadata = {};
      const [cValue, dValue, eValue] = await sess.run([c, d, e], { options: { traceLevel: "full" }, runMetadata: md });
      console.log(`c = ${cValue!.item()}`);
      console.log(`d = ${dValue!.item()}, e = ${eValue!.item()}`);
      const where = devicesByNode(md);
      for (const node of ["a", "b", "c", "d", "e"]) console.log(`${node} ran on ${where.get(node)}`);
    } finally {
      await sess.close();
    }
  },
  { virtualGpus: 2 },
);
