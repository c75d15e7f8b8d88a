/**
 * Scenario S4: state shared across sessions through resource containers.
 * Two clients, each with its own graph, connected to different servers of one cluster: the first
 * (machine A, "init") initialises x, increments it and prints 1.0; the second (machine B, no init)
 * increments the same x and prints 2.0. A local session, by contrast, keeps its x to itself.
 * Run: npx tsx examples/s4-shared-variable.ts [--transport inproc|thread|grpc]
 */
import * as tf from "../src/index.js";
import { fmt, opErrorOf, runExample } from "./run-example.js";

/** What each client builds: x = 0.0 and x += 1.0, in a graph of its own. */
function counterGraph() {
  const graph = new tf.Graph();
  const { x, increment } = graph.asDefault(() => {
    const x = new tf.Variable(0.0, { name: "x" });
    return { x, increment: x.assignAdd(1.0) };
  });
  return { graph, x, increment };
}

async function client(target: string | undefined, init: boolean): Promise<string> {
  const { graph, x, increment } = counterGraph();
  const sess = new tf.Session(target, { graph });
  try {
    if (init) await sess.run(x.initializer);
    return fmt((await sess.run(increment)).item());
  } finally {
    await sess.close();
  }
}

await runExample("S4: a variable shared by clients of different servers", { worker: 2 }, async ({ cluster }) => {
  console.log(`client on machine A (init): x = ${await client(cluster.target("worker", 0), true)}`);
  console.log(`client on machine B (no init): x = ${await client(cluster.target("worker", 1), false)}`);

  // Without a target the session is private: its x is gone with it, so a second one must init again.
  console.log(`local session (init): x = ${await client(undefined, true)}`);
  const err = await opErrorOf(() => client(undefined, false));
  console.log(`local session (no init): ${err?.name ?? "no error"}`);
});
