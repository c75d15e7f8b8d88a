import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  AbortedError,
  CancelledError,
  DeadlineExceededError,
  FailedPreconditionError,
  InvalidArgumentError,
  OutOfRangeError,
  UnavailableError,
  UnknownError,
} from "../../../../src/errors/index.js";
import type { GraphDef } from "../../../../src/graph/graph-def.js";
import { NDArray } from "../../../../src/tensor/index.js";
import { createGrpcTransport } from "../../../../src/transport/grpc/index.js";
import { getTransport } from "../../../../src/transport/registry.js";
import type { ServerHandle } from "../../../../src/transport/services.js";
import { FakeServices, device, untilAborted } from "./fake-services.js";

const transport = createGrpcTransport();
const servers: ServerHandle[] = [];

async function start(services = new FakeServices()): Promise<{ services: FakeServices; address: string }> {
  const handle = await transport.serve("127.0.0.1:0", services);
  servers.push(handle);
  return { services, address: handle.address };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop({ graceMs: 100 })));
});
afterAll(() => transport.close());

const graph: GraphDef = {
  node: [
    { name: "x", op: "Const", input: [], device: "/job:worker/task:0", attr: { dtype: { type: "float32" }, value: { tensor: new NDArray("float32", [2], Float32Array.of(1, 2)) } } },
    { name: "y", op: "Identity", input: ["x", "^x"], device: "", attr: { T: { type: "float32" } } },
  ],
  versions: { producer: 27, minConsumer: 0 },
};
const f32 = (...v: number[]): NDArray => new NDArray("float32", [v.length], Float32Array.from(v));

describe("grpc transport: every RPC round-trips", () => {
  it("MasterService", async () => {
    const { services, address } = await start();
    const master = transport.connectMaster(address);
    const create = { graphDef: graph, config: { operationTimeoutInMs: 1000, allowSoftPlacement: true }, target: "grpc://x" };
    expect(await master.createSession(create)).toEqual({ sessionHandle: "s-2-grpc://x", graphVersion: 1 });
    expect(services.last("createSession").request).toEqual(create);
    expect(await master.extendSession({ sessionHandle: "s", graphDef: graph, currentGraphVersion: 4 })).toEqual({ newGraphVersion: 5 });
    const run = { sessionHandle: "s", feed: [{ name: "x:0", tensor: f32(3, 4) }], fetch: ["y:0", "z:0"], target: ["init"], options: { timeoutInMs: 500 } };
    const ran = await master.runStep(run);
    expect(ran.tensor).toEqual([{ name: "y:0", tensor: f32(3, 4) }, { name: "z:0", tensor: new NDArray("int32", [], Int32Array.of(1)) }]);
    expect(ran.metadata).toEqual({});
    expect(services.last("runStep").request).toEqual(run);
    expect(await master.closeSession({ sessionHandle: "s" })).toEqual({});
    expect(await master.listDevices({ sessionHandle: "s" })).toEqual({ localDevice: [device(0)], remoteDevice: [device(1)] });
    expect(await master.listDevices({})).toEqual({ localDevice: [device(0)], remoteDevice: [] });
    expect(await master.reset({ container: ["ps"], deviceFilters: [] })).toEqual({});
    expect(services.last("reset").request).toEqual({ container: ["ps"], deviceFilters: [] });
    expect((await master.resourceStatus({})).resource[0]).toMatchObject({ kind: "FIFOQueue", details: { size: 2, capacity: 5 } });
  });

  it("WorkerService", async () => {
    const { services, address } = await start();
    const worker = transport.connectWorker(address);
    expect(await worker.getStatus({})).toEqual({ deviceAttributes: [device(0), device(1)] });
    expect(await worker.createWorkerSession({ sessionHandle: "s", isolateSessionState: true })).toEqual({});
    expect(services.last("createWorkerSession").request).toEqual({ sessionHandle: "s", isolateSessionState: true });
    expect(await worker.registerGraph({ sessionHandle: "s", graphDef: graph })).toEqual({ graphHandle: "g-s-2" });
    expect(services.last("registerGraph").request).toEqual({ sessionHandle: "s", graphDef: graph });
    const rg = { sessionHandle: "s", graphHandle: "g", stepId: 2 ** 40, execOpts: { recordTimeline: false }, send: [{ name: "a", tensor: f32(7) }], recvKey: ["b"] };
    expect(await worker.runGraph(rg)).toEqual({ recv: [{ name: "b", tensor: f32(7) }] });
    expect(services.last("runGraph").request).toEqual(rg);
    expect(await worker.recvTensor({ stepId: 99, rendezvousKey: "k" })).toEqual({ tensor: new NDArray("int64", [1], BigInt64Array.of(99n)) });
    expect(await worker.cleanupGraph({ stepId: 2 ** 40 })).toEqual({});
    expect(services.last("cleanupGraph").request).toEqual({ stepId: 2 ** 40 });
    expect(await worker.cleanupAll({ container: ["a", "b"] })).toEqual({});
    expect(await worker.deregisterGraph({ sessionHandle: "s", graphHandle: "g" })).toEqual({});
    expect(await worker.deleteWorkerSession({ sessionHandle: "s" })).toEqual({});
    expect(await worker.resourceStatus({})).toEqual({ resource: [] });
    expect(services.calls.map((c) => c.method)).toEqual([
      "getStatus", "createWorkerSession", "registerGraph", "runGraph", "recvTensor", "cleanupGraph", "cleanupAll", "deregisterGraph", "deleteWorkerSession", "resourceStatus",
    ]);
  });

  it("is registered as 'grpc', accepts grpc:// addresses and shares one channel per peer", async () => {
    expect((await getTransport("grpc")).name).toBe("grpc");
    const { address } = await start();
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(address).not.toBe("127.0.0.1:0");
    const t = createGrpcTransport();
    await t.connectMaster(`grpc://${address}`).listDevices({});
    await t.connectWorker(address).getStatus({});
    expect(Object.keys(t.peerStates())).toEqual([address]);
    await t.close();
    expect(t.peerStates()).toEqual({});
    // a stub outlives close(): its next call opens a fresh channel
    const again = t.connectWorker(address);
    await again.getStatus({});
    expect(t.peerStates()[address]).toBe("READY");
    await t.close();
  });
});

describe("grpc transport: errors", () => {
  it("an OpError subclass, its message and nodeName survive, unary and streamed", async () => {
    const { services, address } = await start();
    services.behaviour.set("extendSession", () => Promise.reject(new AbortedError("Current version is 3 but caller expected 2.")));
    services.behaviour.set("runGraph", () => Promise.reject(new OutOfRangeError("FIFOQueue '_0_q' is closed and has insufficient elements (requested 1, current size 0)", { nodeName: "q_Dequeue" })));
    services.behaviour.set("runStep", () => Promise.reject(new FailedPreconditionError("Attempting to use uninitialized value v", { nodeName: "scope/v/read ünï" })));
    services.behaviour.set("getStatus", () => Promise.reject(new TypeError("boom")));
    const master = transport.connectMaster(address);
    const worker = transport.connectWorker(address);
    const e1 = await master.extendSession({ sessionHandle: "s", graphDef: { node: [] }, currentGraphVersion: 2 }).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(AbortedError);
    expect(e1).toMatchObject({ message: "Current version is 3 but caller expected 2.", nodeName: undefined });
    const e2 = await worker.runGraph({ sessionHandle: "s", graphHandle: "g", stepId: 1, execOpts: { recordTimeline: false }, send: [], recvKey: [] }).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(OutOfRangeError);
    expect(e2).toMatchObject({ nodeName: "q_Dequeue", message: expect.stringContaining("insufficient elements (requested 1, current size 0)") });
    const e3 = await master.runStep({ sessionHandle: "s", feed: [], fetch: [], target: [], options: {} }).catch((e: unknown) => e);
    expect(e3).toBeInstanceOf(FailedPreconditionError);
    expect(e3).toMatchObject({ nodeName: "scope/v/read ünï" });
    const e4 = await worker.getStatus({}).catch((e: unknown) => e);
    expect(e4).toBeInstanceOf(UnknownError);
    expect((e4 as Error).message).toBe("TypeError: boom");
  });

  it("a peer that cannot be reached is UnavailableError naming the address", async () => {
    const { address } = await start();
    await servers.pop()!.stop({ graceMs: 0 });
    const err = await transport.connectWorker(address).cleanupAll({ container: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toContain(address);
    const err2 = await transport.connectWorker(address).runGraph({ sessionHandle: "", graphHandle: "g", stepId: 1, execOpts: { recordTimeline: false }, send: [], recvKey: [] }).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(UnavailableError);
    expect((err2 as Error).message).toContain(address);
  });

  it("CreateSession with a deadline waits for an absent peer, then DeadlineExceeded (TF's GrpcSession rule)", async () => {
    const { address } = await start();
    await servers.pop()!.stop({ graceMs: 0 });
    const t0 = performance.now();
    const err = await transport.connectMaster(address).createSession({ graphDef: { node: [] }, config: {}, target: "" }, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlineExceededError);
    expect((err as Error).message).toContain(address);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(250);
  });

  it("bind failures are UnknownError 'Could not start gRPC server'; bad addresses InvalidArgument", async () => {
    const { address } = await start();
    await expect(transport.serve(address, new FakeServices())).rejects.toThrow(UnknownError);
    await expect(transport.serve(address, new FakeServices())).rejects.toThrow(/Could not start gRPC server at 127\.0\.0\.1:\d+: .+/);
    await expect(transport.serve("127.0.0.1", new FakeServices())).rejects.toThrow(InvalidArgumentError);
    await expect(transport.serve("127.0.0.1:99999", new FakeServices())).rejects.toThrow(InvalidArgumentError);
  });
});

describe("grpc transport: deadlines and cancellation", () => {
  for (const method of ["cleanupAll", "runGraph"] as const) {
    it(`timeoutMs becomes the deadline (${method}); the service sees it and its signal aborts`, async () => {
      const { services, address } = await start();
      services.behaviour.set(method, (_r, opts) => untilAborted(opts));
      const worker = transport.connectWorker(address);
      const t0 = performance.now();
      const call = method === "cleanupAll"
        ? worker.cleanupAll({ container: [] }, { timeoutMs: 300 })
        : worker.runGraph({ sessionHandle: "", graphHandle: "g", stepId: 1, execOpts: { recordTimeline: false }, send: [], recvKey: [] }, { timeoutMs: 300 });
      const err = await call.catch((e: unknown) => e);
      const elapsed = performance.now() - t0;
      expect(err).toBeInstanceOf(DeadlineExceededError);
      expect((err as Error).message).toContain(address);
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(elapsed).toBeLessThan(3000);
      const seen = services.last(method).opts!;
      expect(seen.timeoutMs).toBeGreaterThan(100);
      expect(seen.timeoutMs).toBeLessThanOrEqual(300);
      await expect.poll(() => seen.signal!.aborted, { timeout: 2000 }).toBe(true);
    });

    it(`an AbortSignal cancels the call (${method}) on both ends`, async () => {
      const { services, address } = await start();
      services.behaviour.set(method, (_r, opts) => untilAborted(opts));
      const worker = transport.connectWorker(address);
      const ac = new AbortController();
      const call = method === "cleanupAll"
        ? worker.cleanupAll({ container: [] }, { signal: ac.signal })
        : worker.runGraph({ sessionHandle: "", graphHandle: "g", stepId: 1, execOpts: { recordTimeline: false }, send: [], recvKey: [] }, { signal: ac.signal });
      await expect.poll(() => services.calls.length, { timeout: 2000 }).toBe(1);
      ac.abort();
      const err = await call.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CancelledError);
      await expect.poll(() => services.last(method).opts!.signal!.aborted, { timeout: 2000 }).toBe(true);
      // the channel stays usable
      await expect(worker.getStatus({})).resolves.toBeDefined();
    });
  }

  it("an already-aborted signal fails at once without calling", async () => {
    const { services, address } = await start();
    const err = await transport.connectMaster(address).closeSession({ sessionHandle: "s" }, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
    expect(services.calls).toEqual([]);
  });
});

describe("grpc transport: stop", () => {
  it("stop() is bounded even with a call in flight that ignores cancellation", async () => {
    const { services, address } = await start();
    services.behaviour.set("cleanupAll", () => new Promise(() => {}));
    services.behaviour.set("runGraph", (_r, opts) => untilAborted(opts));
    const worker = transport.connectWorker(address);
    const hung = worker.cleanupAll({ container: [] }).catch((e: unknown) => e);
    const blocked = worker.runGraph({ sessionHandle: "", graphHandle: "g", stepId: 1, execOpts: { recordTimeline: false }, send: [], recvKey: [] }).catch((e: unknown) => e);
    await expect.poll(() => services.calls.length, { timeout: 2000 }).toBe(2);
    const t0 = performance.now();
    await servers.pop()!.stop({ graceMs: 200 });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(services.last("runGraph").opts!.signal!.aborted).toBe(true);
    const [e1, e2] = await Promise.all([hung, blocked]);
    expect(e1).toBeInstanceOf(UnavailableError);
    expect(e2).toBeInstanceOf(UnavailableError);
  });

  it("stop() without calls in flight is quick and idempotent", async () => {
    const { address } = await start();
    await transport.connectWorker(address).getStatus({});
    const handle = servers.pop()!;
    const t0 = performance.now();
    await Promise.all([handle.stop(), handle.stop()]);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it("leaves no socket open after stop() and close()", async () => {
    const sockets = (): number => process.getActiveResourcesInfo().filter((r) => r.startsWith("TCP")).length;
    const before = sockets();
    const t = createGrpcTransport();
    const handle = await t.serve("127.0.0.1:0", new FakeServices());
    await t.connectWorker(handle.address).getStatus({});
    await t.connectMaster(handle.address).listDevices({});
    expect(sockets()).toBeGreaterThan(before);
    await handle.stop({ graceMs: 500 });
    await t.close();
    await expect.poll(sockets, { timeout: 3000 }).toBe(before);
  });
});
