/**
 * A TF master can drive a tfcluster worker: RunGraph's client-terminated sends and receives named
 * by TF's rendezvous keys (`src;incarnation;dst;tensor;frame:iter`, the incarnation as 16 hex
 * digits), and RecvTensor asked with such a key, on every transport.
 */
import { expect, it } from "vitest";
import * as tf from "../../src/index.js";
import type { NodeDef } from "../../src/graph/graph-def.js";
import { getTransport, parseTarget } from "../../src/transport/registry.js";
import { describeOnTransports } from "../helpers/transports.js";

function tfKey(src: string, incarnation: number, dst: string, tensor: string): string {
  return `${src};${BigInt.asUintN(64, BigInt(incarnation)).toString(16).padStart(16, "0")};${dst};${tensor};0:0`;
}

describeOnTransports("TF rendezvous keys at the worker service", { worker: 1 }, (ctx) => {
  it("RunGraph feeds and fetches by TF key; RecvTensor answers a TF key", async () => {
    const { transport, address } = parseTarget(ctx.target("worker", 0));
    const worker = (await getTransport(transport)).connectWorker(address);
    const dev = (await worker.getStatus({})).deviceAttributes.find((d) => d.name.endsWith("CPU:0"))!;
    // Incarnation 0 ("any"): the keys' format is under test here, not the restart check.
    const comm = (tensor: string, dst: string, client: boolean) => ({
      tensor_name: { s: tensor }, send_device: { s: dev.name }, recv_device: { s: dst },
      send_device_incarnation: { i: 0 }, client_terminated: { b: client },
    });
    const peer = "/job:elsewhere/replica:0/task:0/device:CPU:0";
    const nodes: NodeDef[] = [
      { name: "_recv_x", op: "_Recv", input: [], device: dev.name, attr: { ...comm("x:0", dev.name, true), tensor_type: { type: "float32" } } },
      { name: "y", op: "Neg", input: ["_recv_x"], device: dev.name, attr: { T: { type: "float32" } } },
      { name: "_send_y", op: "_Send", input: ["y"], device: dev.name, attr: comm("y:0", dev.name, true) },
      { name: "_send_y_far", op: "_Send", input: ["y"], device: dev.name, attr: comm("y:0", peer, false) },
    ];
    const sessionHandle = `tf-master-${ctx.transport}`;
    await worker.createWorkerSession({ sessionHandle, isolateSessionState: false });
    const { graphHandle } = await worker.registerGraph({ sessionHandle, graphDef: { node: nodes } });
    const stepId = 77;
    const [feedKey, fetchKey] = [tfKey(dev.name, 0, dev.name, "x:0"), tfKey(dev.name, 0, dev.name, "y:0")];
    const res = await worker.runGraph({
      sessionHandle, graphHandle, stepId, execOpts: { recordTimeline: false },
      send: [{ name: feedKey, tensor: tf.ndarray([1, -2]) }], recvKey: [fetchKey],
    });
    expect(res.recv.map((t) => [t.name, t.tensor.toArray()])).toEqual([[fetchKey, [-1, 2]]]);
    const pulled = await worker.recvTensor({ stepId, rendezvousKey: tfKey(dev.name, 0, peer, "y:0") });
    expect(pulled.tensor.toArray()).toEqual([-1, 2]);
    await worker.deleteWorkerSession({ sessionHandle });
  });
});
