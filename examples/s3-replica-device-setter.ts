/**
 * Scenario S3: variables spread over parameter servers. Under
 * `tf.device(replicaDeviceSetter({cluster}))` variables go round-robin to /job:ps/task:0, task:1,
 * task:0, ...; other ops go to /job:worker; inner tf.device blocks override only what they set.
 * One training-like step then runs across the cluster and every op reports where it ran.
 * Run: npx tsx examples/s3-replica-device-setter.ts [--transport inproc|thread|grpc]
 */
import * as tf from "../src/index.js";
import { runExample } from "./run-example.js";

await runExample(
  "S3: variables spread over parameter servers",
  { ps: 2, worker: 2 },
  async ({ cluster }) => {
    const g = new tf.Graph();
    const built = g.asDefault(() =>
      tf.device(tf.train.replicaDeviceSetter({ cluster: cluster.spec }), () => {
        const v1 = new tf.Variable(1.0, { name: "v1" });
        const v2 = new tf.Variable(2.0, { name: "v2" });
        const v3 = new tf.Variable(3.0, { name: "v3" });
        const s = tf.add(v1, tf.add(v2, v3), { name: "s" });
        const onGpu = tf.device("/gpu:1", () => {
          const p1 = tf.mul(s, 2, { name: "p1" });
          const p2 = tf.device("/task:1", () => tf.mul(p1, 2, { name: "p2" }));
          return { p1, p2 };
        });
        return { v1, v2, v3, s, ...onGpu, update: v1.assignAdd(onGpu.p2), init: tf.globalVariablesInitializer() };
      }),
    );
    for (const name of ["v1", "v2", "v3", "s", "p1", "p2"] as const) console.log(`${name} placed on ${built[name].device}`);

    await using sess = new tf.Session(cluster.target("worker", 0), { graph: g });
    await sess.run(built.init);
    console.log(`s = v1 + v2 + v3 = ${(await sess.run(built.s)).item()}`);
    console.log(`v1 after v1 += 4 * s: ${(await sess.run(built.update)).item()}`);
  },
  { virtualGpus: 2 },
);
