/**
 * Which path a tensor-carrying RPC takes (methods.ts): a unary request at /<Service>/<Rpc> unless
 * the request carries a big tensor, then the bidirectional stream at /<Service>/<Rpc>Stream; the
 * server answers a plain unary client with one plain TF message, ours with a chunked answer.
 */
import { Client, Metadata, credentials } from "@grpc/grpc-js";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { NDArray } from "../../../../src/tensor/index.js";
import { createGrpcTransport } from "../../../../src/transport/grpc/index.js";
import type { RunGraphRequest } from "../../../../src/transport/messages.js";
import type { ServerHandle } from "../../../../src/transport/services.js";
import * as wire from "../../../../src/transport/wire/index.js";
import { FakeServices } from "./fake-services.js";

const transport = createGrpcTransport();
const servers: ServerHandle[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((s) => s.stop({ graceMs: 100 })));
});
afterAll(() => transport.close());

async function start(services = new FakeServices()): Promise<{ services: FakeServices; address: string }> {
  const handle = await transport.serve("127.0.0.1:0", services);
  servers.push(handle);
  return { services, address: handle.address };
}

const runGraph = (send: RunGraphRequest["send"]): RunGraphRequest => ({ sessionHandle: "s", graphHandle: "g", stepId: 3, execOpts: { recordTimeline: false }, send, recvKey: send.map((s) => s.name) });
const f32 = (n: number): NDArray => new NDArray("float32", [n], Float32Array.from({ length: n }, (_, i) => i));
const identity = (b: Buffer): Buffer => b;

describe("grpc transport: call paths", () => {
  it("small requests go unary to /<Rpc>, big ones stream to /<Rpc>Stream; big answers stream either way", async () => {
    const { services, address } = await start();
    const big = f32(1 << 15); // 128 KiB: above outOfBandMinBytes
    services.behaviour.set("recvTensor", async () => ({ tensor: big }));
    const single = vi.spyOn(Client.prototype, "makeServerStreamRequest");
    const bidi = vi.spyOn(Client.prototype, "makeBidiStreamRequest");
    const worker = transport.connectWorker(address);
    expect(await worker.runGraph(runGraph([{ name: "x", tensor: f32(3) }]))).toEqual({ recv: [{ name: "x", tensor: f32(3) }] });
    const back = await worker.runGraph(runGraph([{ name: "y", tensor: big }]));
    expect(back.recv[0]!.tensor).toEqual(big);
    const recv = await worker.recvTensor({ stepId: 1, rendezvousKey: "k" });
    expect(recv.tensor).toEqual(big);
    await transport.connectMaster(address).runStep({ sessionHandle: "s", feed: [], fetch: ["y:0"], target: [], options: {} });
    const paths = (spy: typeof single | typeof bidi): unknown[] => spy.mock.calls.map((c) => c[0]);
    expect(paths(single)).toEqual(["/tensorflow.WorkerService/RunGraph", "/tensorflow.WorkerService/RecvTensor", "/tensorflow.MasterService/RunStep"]);
    expect(paths(bidi)).toEqual(["/tensorflow.WorkerService/RunGraphStream"]);
  });

  it("a plain unary client (TF's) gets one plain TF message at /tensorflow.WorkerService/RunGraph", async () => {
    const { services, address } = await start();
    const client = new Client(address, credentials.createInsecure());
    try {
      const req = runGraph([{ name: "x", tensor: f32(5) }]);
      const body = Buffer.from(wire.runGraphRequestCodec.encode(req));
      const res = await new Promise<Buffer>((resolve, reject) =>
        client.makeUnaryRequest("/tensorflow.WorkerService/RunGraph", identity, identity, body, new Metadata(), {}, (err, value) => (err ? reject(err) : resolve(value!))),
      );
      expect(wire.runGraphResponseCodec.decode(res)).toEqual({ recv: [{ name: "x", tensor: f32(5) }] });
      expect(services.last("runGraph").request).toEqual(req);
    } finally {
      client.close();
    }
  });
});
