/**
 * The main demo (`npm start`): a small cluster job on an embedded local cluster — one ps task and
 * two workers — that pins ops across tasks, shares a variable between two clients of different
 * servers, and prints what ran where.
 * TFCLUSTER_DEMO_TRANSPORT=thread|grpc runs the same program on another transport.
 */
import * as tf from "../src/index.js";

const transport = (process.env.TFCLUSTER_DEMO_TRANSPORT ?? "inproc") as "inproc" | "thread" | "grpc";

async function main(): Promise<void> {
  const cluster = await tf.sim.launch({ ps: ["localhost:0"], worker: ["localhost:0", "localhost:0"] }, { transport, seed: 42 });
  try {
    console.log(`cluster on ${transport}: ${cluster.spec.toString()}`);

    // S2: ops pinned to the ps task and to worker 0, evaluated from a session on worker 1.
    const g = new tf.Graph();
    const { c, w, step, init } = g.asDefault(() => {
      const a = tf.device("/job:ps/task:0/cpu:0", () => tf.constant(1.0, { name: "a" }));
      const b = tf.device("/job:worker/task:0", () => tf.add(a, 2, { name: "b" }));
      const c = tf.add(a, b, { name: "c" });
      // S3: variables round-robin over the ps tasks, other ops on the workers.
      const { w, step } = tf.device(tf.train.replicaDeviceSetter({ cluster: cluster.spec }), () => {
        const w = new tf.Variable([[1, 2], [3, 4]], { name: "w" });
        const step = w.assignAdd(tf.matMul(w, tf.ones([2, 2])), { name: "train_step" });
        return { w, step };
      });
      return { c, w, step, init: tf.globalVariablesInitializer() };
    });

    const sess = new tf.Session(cluster.target("worker", 1), { graph: g });
    const md: tf.RunMetadata = {};
    const cValue = await sess.run(c, { options: { traceLevel: "full" }, runMetadata: md });
    console.log(`c = a + (a + 2) = ${cValue.item()}`);
    for (const dev of md.stepStats?.devStats ?? []) {
      console.log(`  ${dev.device}: ${dev.nodeStats.map((n) => n.nodeName).filter((n) => !n.startsWith("_")).join(", ")}`);
    }

    await sess.run(init);
    await sess.run(step);
    console.log(`w after one step (on ${w.device || "the resource home"}) = ${JSON.stringify((await sess.run(w)).toArray())}`);
    await sess.close();

    // S4: a second client on another server sees the same variable.
    const other = new tf.Session(cluster.target("worker", 0), { graph: g });
    console.log(`a client of worker 0 reads w = ${JSON.stringify((await other.run(w)).toArray())}`);
    await other.close();
  } finally {
    await cluster.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
