/**
 * Baselines for the thread transport, measured in the same run as the transport itself:
 *  - a bare Atomics ping-pong between two worker threads (the floor of one cross-thread call),
 *  - a bare SharedArrayBuffer SPSC ring streaming 16 MiB in 1 MiB pieces (the floor of tensor
 *    bandwidth between threads),
 * and the same two figures through the thread transport (echo server in a worker thread).
 * The bare threads are plain JS evaluated in fresh workers: nothing of tfcluster is in the way.
 */
import { Worker } from "node:worker_threads";
import { NDArray } from "../src/tensor/ndarray.js";
import { liveThreadCount } from "../src/transport/thread/supervisor.js";
import { createThreadTransport } from "../src/transport/thread/transport.js";
import { startEchoTask } from "../test/fixtures/thread/echo-cluster.js";
import { summarize } from "./stats.js";

/** Runs `code` (CommonJS, sees `workerData`) in a worker; resolves its first message. */
function runWorker<T>(code: string, workerData: unknown, timeoutMs = 60_000): { result: Promise<T>; worker: Worker } {
  const worker = new Worker(code, { eval: true, workerData });
  const result = new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`baseline worker timed out after ${timeoutMs} ms`)), timeoutMs);
    worker.once("message", (m: T) => (clearTimeout(timer), resolve(m)));
    worker.once("error", (e) => (clearTimeout(timer), reject(e)));
  });
  return { result, worker };
}

// Both loops come in two flavours: blocking Atomics.wait, or Atomics.waitAsync (what the thread
// transport uses, so that no event loop is ever blocked). WAIT(v) waits while t[0] === v.
// A pending waitAsync does not keep a thread alive (nodejs/node#44729): an interval does.
const waitFn = (mode: PingPongMode): string =>
  mode === "wait"
    ? "const WAIT = async (v) => { while (Atomics.load(t, 0) === v) Atomics.wait(t, 0, v, 1000); };"
    : "const WAIT = async (v) => { while (Atomics.load(t, 0) === v) { const r = Atomics.waitAsync(t, 0, v, 1000); if (r.async) await r.value; } };";

const ping = (mode: PingPongMode): string => `
const { workerData, parentPort } = require("node:worker_threads");
const t = new Int32Array(workerData.sab);
${waitFn(mode)}
const keepAlive = setInterval(() => {}, 1000);
(async () => {
  const samples = [];
  for (let i = 0; i < workerData.warmup + workerData.iterations; i++) {
    const t0 = performance.now();
    Atomics.store(t, 0, 1); Atomics.notify(t, 0);
    await WAIT(1);
    if (i >= workerData.warmup) samples.push((performance.now() - t0) * 1000);
  }
  Atomics.store(t, 0, 3); Atomics.notify(t, 0);
  parentPort.postMessage(samples);
  clearInterval(keepAlive);
})();
`;
const pong = (mode: PingPongMode): string => `
const { workerData, parentPort } = require("node:worker_threads");
const t = new Int32Array(workerData.sab);
${waitFn(mode)}
const keepAlive = setInterval(() => {}, 1000);
(async () => {
  for (;;) {
    let v = Atomics.load(t, 0);
    while (v !== 1 && v !== 3) { await WAIT(v); v = Atomics.load(t, 0); }
    if (v === 3) break;
    Atomics.store(t, 0, 2); Atomics.notify(t, 0);
  }
  parentPort.postMessage("done");
  clearInterval(keepAlive);
})();
`;

export type PingPongMode = "wait" | "waitAsync";

/** Median and p90 round trip (µs) of a bare Atomics ping-pong between two worker threads. */
export async function bareAtomicsPingPong(mode: PingPongMode = "wait", iterations = 5000, warmup = 500): Promise<{ medianUs: number; p90Us: number }> {
  const sab = new SharedArrayBuffer(8);
  const pongWorker = runWorker<string>(pong(mode), { sab });
  const pingWorker = runWorker<number[]>(ping(mode), { sab, iterations, warmup });
  const samples = await pingWorker.result;
  await pongWorker.result;
  await Promise.all([pingWorker.worker.terminate(), pongWorker.worker.terminate()]);
  const { medianUs, p90Us } = summarize(samples);
  return { medianUs, p90Us };
}

// Ring layout: Int32 [0] = bytes written, [16] = bytes read (own cache lines), data from byte 128.
const RING_WRITER = `
const { workerData, parentPort } = require("node:worker_threads");
const { sab, total, piece } = workerData;
const ctl = new Int32Array(sab, 0, 32), data = new Uint8Array(sab, 128), cap = data.length;
const src = new Uint8Array(piece).fill(7);
let w = 0;
for (let sent = 0; sent < total; ) {
  const n = Math.min(piece, total - sent);
  for (let off = 0; off < n; ) {
    const r = Atomics.load(ctl, 16);
    const free = cap - ((w - r) >>> 0);
    if (free === 0) { Atomics.wait(ctl, 16, r, 1000); continue; }
    const k = Math.min(free, n - off), at = w % cap, first = Math.min(k, cap - at);
    data.set(src.subarray(off, off + first), at);
    if (first < k) data.set(src.subarray(off + first, off + k), 0);
    w = (w + k) | 0; off += k;
    Atomics.store(ctl, 0, w); Atomics.notify(ctl, 0);
  }
  sent += n;
}
parentPort.postMessage("done");
`;
const RING_READER = `
const { workerData, parentPort } = require("node:worker_threads");
const { sab, total } = workerData;
const ctl = new Int32Array(sab, 0, 32), data = new Uint8Array(sab, 128), cap = data.length;
const dst = new Uint8Array(total);
if (workerData.touch) dst.fill(1); // touched first: the figure is the copy alone, not page faults
let t0 = 0;
let r = 0;
for (let got = 0; got < total; ) {
  const w = Atomics.load(ctl, 0);
  const avail = (w - r) >>> 0;
  if (avail === 0) { Atomics.wait(ctl, 0, w, 1000); continue; }
  if (t0 === 0) t0 = performance.now(); // the clock starts with the first byte
  const k = Math.min(avail, total - got), at = r % cap, first = Math.min(k, cap - at);
  dst.set(data.subarray(at, at + first), got);
  if (first < k) dst.set(data.subarray(0, k - first), got + first);
  r = (r + k) | 0; got += k;
  Atomics.store(ctl, 16, r); Atomics.notify(ctl, 16);
}
parentPort.postMessage({ ms: performance.now() - t0, ok: dst[total - 1] === 7 });
`;

/**
 * GB/s of a bare SAB ring (4 MiB) streaming `totalBytes` in 1 MiB pieces between two threads, into
 * a destination whose pages were touched first (`touched`), or into fresh memory as a received
 * tensor must be (page faults included, as in the transport).
 */
export async function bareRingCopy(totalBytes = 16 << 20, options: { ringBytes?: number; pieceBytes?: number; touched?: boolean } = {}): Promise<{ gbPerSec: number; ms: number }> {
  const { ringBytes = 4 << 20, pieceBytes = 1 << 20, touched = true } = options;
  const sab = new SharedArrayBuffer(128 + ringBytes);
  const reader = runWorker<{ ms: number; ok: boolean }>(RING_READER, { sab, total: totalBytes, touch: touched });
  await new Promise((r) => setTimeout(r, 50)); // let the reader pre-touch its buffer first
  const writer = runWorker<string>(RING_WRITER, { sab, total: totalBytes, piece: pieceBytes });
  const { ms, ok } = await reader.result;
  await writer.result;
  await Promise.all([reader.worker.terminate(), writer.worker.terminate()]);
  if (!ok) throw new Error("bare ring copy delivered wrong bytes");
  return { gbPerSec: totalBytes / 1e9 / (ms / 1000), ms };
}

/** The same two figures through the thread transport: a small call's RTT, and a 16 MiB tensor one way. */
export async function threadTransportFigures(iterations = 2000): Promise<{ rttMedianUs: number; rttP90Us: number; tensorGbPerSec: number }> {
  const task = await startEchoTask();
  const transport = createThreadTransport();
  let figures: { rttMedianUs: number; rttP90Us: number; tensorGbPerSec: number };
  try {
    const master = transport.connectMaster(task.address);
    const rtt: number[] = [];
    for (let i = 0; i < iterations + 200; i++) {
      const t0 = performance.now();
      await master.listDevices({});
      if (i >= 200) rtt.push((performance.now() - t0) * 1000);
    }
    const data = new Float32Array(4 << 20).fill(1); // 16 MiB
    const feed = [{ name: "x", tensor: new NDArray("float32", [data.length], data) }];
    // "drop": the server takes the tensor and replies with nothing, so this is one way.
    const send = (): Promise<unknown> => master.runStep({ sessionHandle: "", feed, fetch: ["drop"], target: [], options: {} });
    const echoMs: number[] = [];
    for (let i = 0; i < 8; i++) {
      const t0 = performance.now();
      await send();
      echoMs.push(performance.now() - t0);
    }
    const r = summarize(rtt);
    const tensorGbPerSec = (16 * 2 ** 20) / 1e9 / (summarize(echoMs).medianUs / 1000);
    figures = { rttMedianUs: r.medianUs, rttP90Us: r.p90Us, tensorGbPerSec };
  } finally {
    await transport.close();
    await task.stop();
  }
  if (liveThreadCount() !== 0) throw new Error("thread bench left threads running");
  return figures;
}
