/**
 * The thread transport between real worker threads (test/fixtures/thread/echo-task.ts serves
 * small echo services): round trips, error classes, big tensors, back-pressure, deadlines,
 * cancellation, dead threads, stop().
 */
import v8 from "node:v8";
import vm from "node:vm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import * as errors from "../../../../src/errors/index.js";
import type { RunStepRequest } from "../../../../src/transport/messages.js";
import type { MasterService } from "../../../../src/transport/services.js";
import { NDArray, ndarray } from "../../../../src/tensor/ndarray.js";
import { liveThreadCount } from "../../../../src/transport/thread/supervisor.js";
import { createThreadTransport, threadTransport } from "../../../../src/transport/thread/transport.js";
import { MASTER_METHOD_NAMES, WORKER_METHOD_NAMES } from "../../../../src/transport/thread/protocol.js";
import { startEchoTask } from "../../../fixtures/thread/echo-cluster.js";
import type { EchoTask } from "../../../fixtures/thread/echo-cluster.js";
import { echoServices } from "../../../fixtures/thread/echo-services.js";

const step = (behaviour: string[], feed: RunStepRequest["feed"] = []): RunStepRequest => ({ sessionHandle: "s", feed, fetch: behaviour, target: [], options: {} });

async function abortLog(master: MasterService): Promise<{ callName: string; reason: string }[]> {
  const status = await master.resourceStatus({});
  return status.resource[0]!.details.aborted as { callName: string; reason: string }[];
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 2000): Promise<void> {
  const t0 = performance.now();
  while (!(await check())) {
    if (performance.now() - t0 > timeoutMs) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("thread transport", () => {
  let a: EchoTask;
  let b: EchoTask;
  let master: MasterService;

  beforeAll(async () => {
    [a, b] = await Promise.all([startEchoTask({ name: "a" }), startEchoTask({ name: "b" })]);
    master = threadTransport.connectMaster(a.address);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await threadTransport.close();
  });

  test("port 0 resolves to distinct addresses", () => {
    expect(a.address).toMatch(/^localhost:\d+$/);
    expect(b.address).not.toBe(a.address);
  });

  test("every master and worker method round-trips", async () => {
    const stubs = { master: threadTransport.connectMaster(a.address), worker: threadTransport.connectWorker(a.address) } as unknown as Record<string, Record<string, (r: unknown) => Promise<unknown>>>;
    for (const [service, names] of [["master", MASTER_METHOD_NAMES], ["worker", WORKER_METHOD_NAMES]] as const) {
      for (const name of names) {
        if (name === "runStep" || name === "resourceStatus" || name === "recvTensor") continue;
        const req = { probe: `${service}.${name}`, nested: { list: [1, "two", null, { big: 2n ** 40n }] } };
        await expect(stubs[service]![name]!(req), `${service}.${name}`).resolves.toEqual({ echoOf: `${service}.${name}`, by: "a", request: req });
      }
    }
    const recv = await threadTransport.connectWorker(a.address).recvTensor({ stepId: 1, rendezvousKey: "k" });
    expect(recv.tensor.toArray()).toEqual(["a:k"]);
    const feeds = [{ name: "x", tensor: ndarray([[1, 2], [3, 4]], { dtype: "int32" }) }, { name: "s", tensor: ndarray(["q"]) }];
    const r = await master.runStep(step(["echo"], feeds));
    expect(r.tensor.map((t) => t.tensor.toArray())).toEqual([[[1, 2], [3, 4]], ["q"]]);
  });

  test("errors cross as the same OpError class, with message and node name", async () => {
    for (const cls of ["InvalidArgumentError", "NotFoundError", "OutOfRangeError", "FailedPreconditionError", "AbortedError", "ResourceExhaustedError"]) {
      const err = await master.runStep(step([`fail:${cls}`])).catch((e: unknown) => e);
      expect(err).toBeInstanceOf((errors as unknown as Record<string, new () => Error>)[cls]);
      expect(err).toMatchObject({ message: "a failed on purpose", nodeName: `node/${cls}` });
    }
  });

  test("a 64 MiB float32 tensor moves intact both ways", async () => {
    const n = 16 << 20;
    const data = new Float32Array(n);
    for (let i = 0; i < n; i += 1) data[i] = (i % 9973) * 0.25 - i;
    const t0 = performance.now();
    const r = await master.runStep(step(["echo"], [{ name: "big", tensor: new NDArray("float32", [4096, 4096], data) }]));
    const ms = performance.now() - t0;
    const back = r.tensor[0]!.tensor;
    expect(back.shape).toEqual([4096, 4096]);
    expect(Buffer.compare(Buffer.from((back.data as Float32Array).buffer), Buffer.from(data.buffer))).toBe(0);
    console.log(`64 MiB float32 echo (there and back): ${ms.toFixed(1)} ms, ${((2 * 64) / 1024 / (ms / 1000)).toFixed(2)} GB/s`);
  }, 60_000);

  test("a full ring applies back-pressure: the sender waits, the ring never grows", async () => {
    const small = createThreadTransport({ ringBytes: 64 << 10 });
    const m = small.connectMaster(a.address);
    const data = new Float32Array(2 << 20).map((_, i) => i);
    const r = await m.runStep(step(["echo"], [{ name: "x", tensor: ndarray(data) }]));
    expect((r.tensor[0]!.tensor.data as Float32Array)[12345]).toBe(12345);
    const stats = small.channelStats(a.address)!;
    expect(stats.requestBytes).toBeGreaterThan(8 << 20);
    expect(stats.requestWaits).toBeGreaterThan(0);
    await small.close();
  });

  test("many concurrent calls of mixed sizes from two clients arrive whole and unmixed", async () => {
    const other = createThreadTransport({ ringBytes: 1 << 16 });
    const clients = [master, other.connectMaster(a.address)];
    const calls = Array.from({ length: 120 }, (_, i) => {
      const n = (i * 7919) % 50_000;
      const data = new Int32Array(n).map((_, k) => k ^ i);
      const tensor = new NDArray("int32", [n], data);
      return clients[i % 2]!.runStep(step([i % 3 === 0 ? "sleep:5" : "echo"], [{ name: `t${i}`, tensor }])).then((r) => {
        const back = r.tensor[0]!;
        expect(back.name).toBe(`t${i}`);
        expect(Buffer.compare(Buffer.from((back.tensor.data as Int32Array).buffer), Buffer.from(data.buffer))).toBe(0);
      });
    });
    await Promise.all(calls);
    await other.close();
  });

  test("small calls do not queue behind a big message streaming on the same connection", async () => {
    const small = createThreadTransport({ ringBytes: 1 << 16 });
    const m = small.connectMaster(a.address);
    const big = ndarray(new Float32Array(8 << 20)); // 32 MiB each way through 64 KiB rings
    let bigDone = false;
    const streaming = m.runStep(step(["echo"], [{ name: "x", tensor: big }])).then(() => (bigDone = true));
    await new Promise((r) => setTimeout(r, 1));
    for (let i = 0; i < 10; i++) await m.listDevices({});
    expect(bigDone).toBe(false);
    await streaming;
    await small.close();
  });

  test("a call that times out while its big request is still streaming leaves the channel in sync", async () => {
    const small = createThreadTransport({ ringBytes: 1 << 16 });
    const m = small.connectMaster(a.address);
    const big = ndarray(new Float32Array(8 << 20));
    await expect(m.runStep(step(["echo"], [{ name: "x", tensor: big }]), { timeoutMs: 1 })).rejects.toBeInstanceOf(errors.DeadlineExceededError);
    const r = await m.runStep(step(["echo"], [{ name: "y", tensor: ndarray([1, 2, 3]) }]));
    expect(r.tensor[0]!.tensor.toArray()).toEqual([1, 2, 3]);
    await small.close();
  });

  test("soak: thousands of 64 KiB calls leave no memory behind", async () => {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    const m = threadTransport.connectMaster(b.address);
    const feed = [{ name: "x", tensor: ndarray(new Float32Array(16 << 10)) }]; // 64 KiB
    await m.runStep(step(["echo"], feed));
    gc();
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 3000; i++) await m.runStep(step(["echo"], feed));
    gc();
    const grownBytes = process.memoryUsage().arrayBuffers - before;
    // 3000 calls moved 187 MiB each way; anything kept per message (buffers, pending entries) would show.
    expect(grownBytes).toBeLessThan(8 << 20);
  }, 60_000);

  test("a deadline rejects with DeadlineExceededError and aborts the callee's signal", async () => {
    const t0 = performance.now();
    await expect(master.runStep(step(["block"]), { timeoutMs: 100 })).rejects.toBeInstanceOf(errors.DeadlineExceededError);
    expect(performance.now() - t0).toBeLessThan(1000);
    await eventually(async () => (await abortLog(master)).some((e) => e.callName === "block" && e.reason === "DeadlineExceededError"));
  });

  test("an AbortSignal rejects with CancelledError and aborts the callee's signal", async () => {
    const before = (await abortLog(master)).length;
    const ac = new AbortController();
    const pending = master.runStep(step(["block"]), { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await expect(pending).rejects.toBeInstanceOf(errors.CancelledError);
    await eventually(async () => (await abortLog(master)).slice(before).some((e) => e.reason === "CancelledError"));
    const pre = new AbortController();
    pre.abort();
    await expect(master.runStep(step(["echo"]), { signal: pre.signal })).rejects.toBeInstanceOf(errors.CancelledError);
  });

  test("any thread can call any other: a task relays to another task and to the main thread", async () => {
    const r = await master.runStep(step([`relay:${b.address}`, "echo"], [{ name: "x", tensor: ndarray([42]) }]));
    expect(r.tensor[0]!.tensor.toArray()).toEqual([42]);
    const err = await master.runStep(step([`relay:${b.address}`, "fail:NotFoundError"])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(errors.NotFoundError);
    expect(err).toMatchObject({ message: "b failed on purpose" });
    const local = await threadTransport.serve("localhost:0", echoServices(threadTransport, "main"));
    try {
      const viaMain = await master.runStep(step([`relay:${local.address}`, "fail:AbortedError"])).catch((e: unknown) => e);
      expect(viaMain).toMatchObject({ message: "main failed on purpose", nodeName: "node/AbortedError" });
    } finally {
      await local.stop();
    }
  });

  test("serving an address twice fails; connecting to nothing is UNAVAILABLE", async () => {
    await expect(threadTransport.serve(a.address, echoServices(threadTransport))).rejects.toBeInstanceOf(errors.UnknownError);
    const nobody = threadTransport.connectMaster("localhost:1");
    await expect(nobody.listDevices({})).rejects.toThrow(/nothing serves localhost:1/);
    await expect(nobody.listDevices({})).rejects.toBeInstanceOf(errors.UnavailableError);
  });

  test("a message over the limit is RESOURCE_EXHAUSTED, the channel stays usable", async () => {
    const t = createThreadTransport({ maxMessageBytes: 1 << 20 });
    const m = t.connectMaster(a.address);
    await expect(m.runStep(step(["echo"], [{ name: "x", tensor: ndarray(new Float32Array(1 << 19)) }]))).rejects.toBeInstanceOf(errors.ResourceExhaustedError);
    await expect(m.runStep(step(["echo"]))).resolves.toEqual({ tensor: [] });
    await t.close();
  });
});

describe("thread lifecycle", () => {
  test("a thread that exits fails the calls pending on it at once, naming the address", async () => {
    for (const how of ["exit", "throw"]) {
      const task = await startEchoTask();
      const m = threadTransport.connectMaster(task.address);
      const pending = m.runStep(step(["block"])).catch((e: unknown) => e);
      await m.runStep(step(["sleep:20"]));
      const t0 = performance.now();
      void m.runStep(step([how])).catch(() => undefined);
      const err = await pending;
      expect(err).toBeInstanceOf(errors.UnavailableError);
      expect(String((err as Error).message)).toContain(task.address);
      expect(performance.now() - t0).toBeLessThan(1000);
      await task.thread.exited;
    }
  });

  test("terminate() fails pending calls with UNAVAILABLE; a restart at the same address is reached again", async () => {
    const task = await startEchoTask();
    const m = threadTransport.connectMaster(task.address);
    const pending = m.runStep(step(["block"])).catch((e: unknown) => e);
    await m.runStep(step(["echo"]));
    const t0 = performance.now();
    await task.thread.terminate();
    expect(await pending).toBeInstanceOf(errors.UnavailableError);
    expect(performance.now() - t0).toBeLessThan(1000);
    await expect(m.runStep(step(["echo"]))).rejects.toBeInstanceOf(errors.UnavailableError);
    const again = await startEchoTask({ address: task.address });
    await expect(m.runStep(step(["echo"]))).resolves.toEqual({ tensor: [] });
    await again.stop();
  });

  test("server stop(): running calls get the grace period, then fail; the address is free again", async () => {
    const task = await startEchoTask();
    const m = threadTransport.connectMaster(task.address);
    const quick = m.runStep(step(["sleep:50"]));
    const stuck = m.runStep(step(["block"])).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    await task.stop(200);
    expect(performance.now() - t0).toBeLessThan(2000);
    await expect(quick).resolves.toEqual({ tensor: [] });
    const err = await stuck;
    expect(err).toBeInstanceOf(errors.OpError);
    expect(["CancelledError", "UnavailableError"]).toContain((err as Error).name);
    await expect(m.runStep(step(["echo"]))).rejects.toBeInstanceOf(errors.UnavailableError);
  });

  test("stop() leaves no threads behind", async () => {
    const tasks = await Promise.all([startEchoTask(), startEchoTask(), startEchoTask()]);
    expect(liveThreadCount()).toBeGreaterThanOrEqual(3);
    await Promise.all(tasks.map((t) => t.stop()));
    expect(liveThreadCount()).toBe(0);
  });
});
