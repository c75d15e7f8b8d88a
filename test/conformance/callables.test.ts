/**
 * TF's callables (MakeCallable / RunCallable / ReleaseCallable, what tf.keras in graph mode uses)
 * and RunOptions.output_partition_graphs, on every transport, through the master service itself.
 */
import { expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { getTransport, parseTarget } from "../../src/transport/registry.js";
import { describeOnTransports } from "../helpers/transports.js";

describeOnTransports("callables and partition graphs", { ps: 1, worker: 1 }, (ctx) => {
  async function masterOf(target: string) {
    const { transport, address } = parseTarget(target);
    return (await getTransport(transport)).connectMaster(address);
  }

  it("a callable runs its fixed signature by handle, across tasks; a released handle is refused", async () => {
    const g = new tf.Graph();
    g.asDefault(() => {
      const x = tf.placeholder("float32", [2], { name: "cx" });
      const w = tf.device("/job:ps/task:0", () => tf.constant([10, 20], { name: "cw" }));
      tf.mul(x, w, { name: "cy" });
      tf.add(x, 1, { name: "cz" });
    });
    const master = await masterOf(ctx.target("worker", 0));
    const { sessionHandle } = await master.createSession({ graphDef: g.toGraphDef(), config: {}, target: "" });
    const { handle } = await master.makeCallable({ sessionHandle, options: { feed: ["cx:0"], fetch: ["cy:0", "cz:0"], target: [], runOptions: {} } });
    for (const v of [[1, 2], [3, 4]]) {
      const res = await master.runCallable({ sessionHandle, handle, feed: [tf.ndarray(v)] });
      expect(res.fetch.map((t) => t.toArray())).toEqual([[v[0]! * 10, v[1]! * 20], [v[0]! + 1, v[1]! + 1]]);
    }
    await expect(master.runCallable({ sessionHandle, handle, feed: [] })).rejects.toThrow("Invalid number of feed values: expected 1 but got 0");
    await master.releaseCallable({ sessionHandle, handle });
    const err = await master.runCallable({ sessionHandle, handle, feed: [tf.ndarray([1, 2])] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(tf.errors.InvalidArgumentError);
    expect((err as Error).message).toBe(`No such callable handle: ${handle}`);
    await master.closeSession({ sessionHandle });
  });

  it("output_partition_graphs returns the GraphDef each task ran, with its sends and receives", async () => {
    const g = new tf.Graph();
    const y = g.asDefault(() => tf.add(tf.device("/job:ps/task:0", () => tf.constant(1, { name: "pa" })), 2, { name: "py" }));
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    const runMetadata: tf.RunMetadata = {};
    expect((await sess.run(y, { options: { outputPartitionGraphs: true }, runMetadata })).item()).toBe(3);
    const graphs = runMetadata.partitionGraphs ?? [];
    expect(graphs).toHaveLength(2);
    const ops = graphs.map((gd) => gd.node.map((n) => n.op).sort());
    expect(ops).toContainEqual(expect.arrayContaining(["Const", "_Send"]));
    expect(ops).toContainEqual(expect.arrayContaining(["AddV2", "_Recv", "_Send"]));
    await sess.close();
  });
});
