import { afterAll, describe, expect, it } from "vitest";
import { NDArray } from "../../../../src/tensor/index.js";
import { createGrpcTransport } from "../../../../src/transport/grpc/index.js";
import type { RunGraphRequest } from "../../../../src/transport/messages.js";
import type { ServerHandle } from "../../../../src/transport/services.js";
import { FakeServices } from "./fake-services.js";

const MiB = 1024 * 1024;
const transport = createGrpcTransport();
let server: ServerHandle | undefined;
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
  await transport.close();
});

/** A float32 tensor of `bytes` bytes whose every element is distinct and checkable. */
function bigTensor(bytes: number): NDArray {
  const n = bytes / 4;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = i % 16_777_216;
  return new NDArray("float32", [n / 1024, 1024], data);
}

function sameData(a: NDArray, b: NDArray): boolean {
  const x = new Uint8Array((a.data as Float32Array).buffer, (a.data as Float32Array).byteOffset, (a.data as Float32Array).byteLength);
  const y = new Uint8Array((b.data as Float32Array).buffer, (b.data as Float32Array).byteOffset, (b.data as Float32Array).byteLength);
  return Buffer.compare(x, y) === 0;
}

describe("grpc transport: tensors larger than gRPC's 4 MiB default", () => {
  const tensor = bigTensor(64 * MiB);

  it("a 64 MiB tensor comes back through recvTensor", async () => {
    const services = new FakeServices();
    services.behaviour.set("recvTensor", async () => ({ tensor }));
    server = await transport.serve("127.0.0.1:0", services);
    const worker = transport.connectWorker(server.address);
    const t0 = performance.now();
    const res = await worker.recvTensor({ stepId: 1, rendezvousKey: "big" }, { timeoutMs: 60_000 });
    const ms = performance.now() - t0;
    expect(res.tensor.dtype).toBe("float32");
    expect(res.tensor.shape).toEqual(tensor.shape);
    expect(sameData(res.tensor, tensor)).toBe(true);
    console.log(`recvTensor 64 MiB: ${ms.toFixed(0)} ms, ${(64 / (ms / 1000)).toFixed(0)} MiB/s`);
    await server.stop({ graceMs: 100 });
    server = undefined;
  });

  it("64 MiB each way through runGraph, beside small and string tensors", async () => {
    server = await transport.serve("127.0.0.1:0", new FakeServices());
    const worker = transport.connectWorker(server.address);
    const small = new NDArray("int64", [3], BigInt64Array.of(1n, -2n, 3n));
    const words = new NDArray("string", [2], [new TextEncoder().encode("a"), new Uint8Array(5 * MiB).fill(65)]);
    const req: RunGraphRequest = {
      sessionHandle: "s",
      graphHandle: "g",
      stepId: 7,
      execOpts: { recordTimeline: false },
      send: [{ name: "small", tensor: small }, { name: "big", tensor }, { name: "words", tensor: words }],
      recvKey: ["small_out", "big_out", "words_out"],
    };
    const t0 = performance.now();
    const res = await worker.runGraph(req, { timeoutMs: 60_000 });
    const ms = performance.now() - t0;
    expect(res.recv.map((r) => r.name)).toEqual(["small_out", "big_out", "words_out"]);
    expect(res.recv[0]!.tensor).toEqual(small);
    expect(res.recv[1]!.tensor.shape).toEqual(tensor.shape);
    expect(sameData(res.recv[1]!.tensor, tensor)).toBe(true);
    expect(res.recv[2]!.tensor.bytes().map((b) => b.byteLength)).toEqual([1, 5 * MiB]);
    console.log(`runGraph 64 MiB up + 64 MiB down: ${ms.toFixed(0)} ms, ${(128 / (ms / 1000)).toFixed(0)} MiB/s`);
  });

  it("runStep carries large feeds and fetches too", async () => {
    const worker = transport.connectMaster(server!.address);
    const t = bigTensor(8 * MiB);
    const res = await worker.runStep({ sessionHandle: "s", feed: [{ name: "x:0", tensor: t }], fetch: ["y:0"], target: [], options: {} });
    expect(sameData(res.tensor[0]!.tensor, t)).toBe(true);
  });

  it("a tensor above maxTensorBytes fails ResourceExhausted naming it, before anything is sent", async () => {
    const strict = createGrpcTransport({ maxTensorBytes: 4 * MiB });
    const req: RunGraphRequest = {
      sessionHandle: "s", graphHandle: "g", stepId: 1, execOpts: { recordTimeline: false },
      send: [{ name: "too_big", tensor: bigTensor(8 * MiB) }], recvKey: [],
    };
    await expect(strict.connectWorker(server!.address).runGraph(req)).rejects.toMatchObject({
      name: "ResourceExhaustedError",
      message: expect.stringMatching(/too_big.*8388608 bytes.*4194304/),
    });
    await strict.close();
  });
});
