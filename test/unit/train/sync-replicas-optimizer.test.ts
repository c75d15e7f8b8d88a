/**
 * What SyncReplicasOptimizer builds, and its build-time errors. Model: tf-training.md §1.2
 * (placement table, names, errors) and §1.4–1.5 (init tokens, the hook's begin).
 */
import { describe, expect, it } from "vitest";
import * as tf from "../../../src/index.js";
import { getOrCreateGlobalStep } from "../../../src/train/global-step.js";

function model(options: { aggregate: number; total?: number; minimize?: boolean }) {
  const g = new tf.Graph();
  return g.asDefault(() =>
    tf.device(tf.train.replicaDeviceSetter({ psTasks: 2, workerDevice: "/job:worker/task:1" }), () => {
      const step = getOrCreateGlobalStep();
      const v0 = new tf.Variable([0, 0], { name: "v0" });
      const v1 = new tf.Variable(1, { name: "v1" });
      const loss = tf.add(tf.reduceSum(tf.square(v0)), v1);
      const opt = new tf.train.SyncReplicasOptimizer(new tf.train.GradientDescentOptimizer(0.5), {
        replicasToAggregate: options.aggregate,
        ...(options.total !== undefined ? { totalNumReplicas: options.total } : {}),
      });
      const train = options.minimize ? opt.minimize(loss, { globalStep: step }) : null;
      return { g, step, v0, v1, loss, opt, train: train! };
    }),
  );
}

describe("SyncReplicasOptimizer", () => {
  it("places accumulators with their variable, queues and the sync op with the global step, the local step on the worker", () => {
    const { g, v0, v1, opt, step, train } = model({ aggregate: 2, total: 3, minimize: true });
    expect(opt.tokensPerStep).toBe(3);
    expect([step.device, v0.device, v1.device]).toEqual(["/job:ps/task:0", "/job:ps/task:1", "/job:ps/task:0"]);
    const accs = g.getOperations().filter((o) => o.type === "ResourceConditionalAccumulator");
    expect(accs.map((o) => [o.name, o.device, (o.attrs.shared_name as { s: string }).s])).toEqual([
      ["sync_replicas/conditional_accumulator", "/job:ps/task:1", "v0:0/grad_accum"],
      ["sync_replicas/conditional_accumulator_1", "/job:ps/task:0", "v1:0/grad_accum"],
    ]);
    expect(accs[0]!.attrs.shape).toEqual({ shape: [2] });
    for (const name of ["sync_token_q", "dummy_queue"]) expect(g.getOperationByName(name).device).toBe("/job:ps/task:0");
    expect(g.getOperationByName("sync_token_q").attrs.capacity).toEqual({ i: -1 });
    expect(opt.localStep.device).toBe("/job:worker/task:1");
    expect(g.getCollection(tf.GraphKeys.LOCAL_VARIABLES)).toEqual([opt.localStep]);
    expect(tf.globalVariables().includes(opt.localStep)).toBe(false);
    expect([train.type, train.device]).toEqual(["AssignVariableOp", "/job:worker/task:1"]);
    // The token dequeue waits for every gradient push.
    const dequeue = train.inputs[1]!.op;
    expect(dequeue.type).toBe("QueueDequeueV2");
    expect(dequeue.controlInputs.map((o) => o.type)).toEqual(["ResourceAccumulatorApplyGradient", "ResourceAccumulatorApplyGradient"]);
    // The chief's loop runs the sync op on the dummy queue; it is not in QUEUE_RUNNERS.
    const qr = opt.getChiefQueueRunner();
    expect(qr.queue.name).toBe("dummy_queue");
    expect(qr.enqueueOps.map((o) => (o instanceof tf.Operation ? o.type : o.op.type))).toEqual(["QueueEnqueueManyV2"]);
    expect(g.getCollection(tf.GraphKeys.QUEUE_RUNNERS)).toEqual([]);
    // The wrapped optimizer's update is built at the root scope.
    expect(g.hasOperation("GradientDescent")).toBe(true);
    expect(opt.chiefInitOp.type).toBe("NoOp");
  });

  it("init tokens: -1 means replicasToAggregate, 0 a no-op, too few for the first step fails", () => {
    const { g, loss, opt, step } = model({ aggregate: 3, total: 1 });
    expect(() => opt.getInitTokensOp()).toThrow("get_init_tokens_op() should be called after apply_gradients().");
    expect(() => opt.getChiefQueueRunner()).toThrow("Should be called after apply_gradients().");
    g.asDefault(() => opt.minimize(loss, { globalStep: step }));
    const fillOf = (op: tf.Operation) => op.inputs[1]!.op.inputs[0]!.op.attrs.value;
    expect(fillOf(opt.getInitTokensOp())).toMatchObject({ tensor: { shape: [1] } });
    expect(() => opt.getInitTokensOp(1)).toThrow("Too few tokens to finish the first step: 1 (given) vs 2 (needed)");
    expect(opt.getInitTokensOp(2).type).toBe("QueueEnqueueManyV2");
    expect(() => opt.getInitTokensOp(0)).toThrow(RangeError);
    // With total ≥ replicasToAggregate no tokens are needed: workers push before they wait.
    expect(model({ aggregate: 2, minimize: true }).opt.getInitTokensOp(0).name).toBe("no_init_tokens");
  });

  it("errors: no variables, no global step; the hook can be made before minimize but begin needs it", () => {
    const { g, loss, opt } = model({ aggregate: 2 });
    const hook = opt.makeSessionRunHook(true);
    expect(() => hook.begin()).toThrow("SyncReplicasOptimizer.apply_gradient should be called before using the hook.");
    expect(() => opt.applyGradients([], { globalStep: getOrCreateGlobalStep(g) })).toThrow("Must supply at least one variable");
    expect(() => g.asDefault(() => opt.minimize(loss))).toThrow("Global step is required to check staleness");
    expect(() => new tf.train.SyncReplicasOptimizer(new tf.train.GradientDescentOptimizer(1), { replicasToAggregate: 0 })).toThrow(RangeError);
  });

  it("the hook refuses a session whose global variables the chief has not initialised", async () => {
    const g = new tf.Graph();
    const { hook, init } = g.asDefault(() => {
      const step = getOrCreateGlobalStep();
      const v = new tf.Variable(1, { name: "v" });
      const opt = new tf.train.SyncReplicasOptimizer(new tf.train.GradientDescentOptimizer(0.5), { replicasToAggregate: 1 });
      opt.minimize(tf.mul(v, 2), { globalStep: step });
      const hook = opt.makeSessionRunHook(false);
      hook.begin();
      return { hook, init: tf.globalVariablesInitializer() };
    });
    const sess = new tf.Session(undefined, { graph: g });
    const coord = new tf.train.Coordinator();
    await expect(hook.afterCreateSession(sess, coord)).rejects.toThrow(
      /^Init operations did not make model ready for SyncReplicasOptimizer local_init\. Init op: Assign, error: Model is not ready for SyncReplicasOptimizer local init\. Variables not initialized: global_step, v$/,
    );
    await sess.run(init);
    await hook.afterCreateSession(sess, coord); // a worker: local step = global step, nothing else
    await sess.close();
  });
});
