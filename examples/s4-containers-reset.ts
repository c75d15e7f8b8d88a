/**
 * Scenario S4, containers: `tf.container("my_problem_1")` keeps a computation's state apart from
 * the default container; one client uses `x` from both at once; `Session.reset(target,
 * ["my_problem_1"])` frees only that container (and closes the sessions on that server), so its
 * `x` must be initialised again while the default container's `x` keeps its value.
 * Run: npx tsx examples/s4-containers-reset.ts [--transport inproc|thread|grpc]
 */
import * as tf from "../src/index.js";
import { fmt, opErrorOf, runExample } from "./run-example.js";

/** One graph holding x in the default container and x in my_problem_1. */
function buildGraph() {
  const graph = new tf.Graph();
  const ops = graph.asDefault(() => {
    const x = new tf.Variable(10.0, { name: "x" });
    const problem = tf.container("my_problem_1", () => {
      const x1 = new tf.Variable(0.0, { name: "x" });
      return { x1, increment1: x1.assignAdd(1.0) };
    });
    return { x, ...problem, both: tf.add(x, problem.x1), init: tf.globalVariablesInitializer() };
  });
  return { graph, ...ops };
}

await runExample("S4: resource containers and Session.reset", { ps: 1, worker: 1 }, async ({ cluster }) => {
  const target = cluster.target("worker", 0);
  const { graph, x, x1, increment1, both, init } = buildGraph();

  const sess = new tf.Session(target, { graph });
  await sess.run(init);
  await sess.run(increment1);
  await sess.run(increment1);
  console.log(`default x = ${fmt((await sess.run(x)).item())}, my_problem_1 x = ${fmt((await sess.run(x1)).item())}`);
  console.log(`x + my_problem_1/x = ${fmt((await sess.run(both)).item())}`);

  await tf.Session.reset(target, ["my_problem_1"]);
  const closed = await opErrorOf(() => sess.run(x));
  console.log(`after reset, the old session: ${closed?.name ?? "still open"}`);
  await sess.close().catch(() => {});

  const again = new tf.Session(target, { graph });
  try {
    console.log(`after reset, default x = ${fmt((await again.run(x)).item())}`);
    const gone = await opErrorOf(() => again.run(x1));
    console.log(`after reset, my_problem_1 x: ${gone?.name ?? "still there"}`);
    await again.run(x1.initializer);
    console.log(`initialised again, my_problem_1 x = ${fmt((await again.run(x1)).item())}`);
  } finally {
    await again.close();
  }
});
