/**
 * Baselines for the gRPC transport, measured in the same run as the transport itself:
 *  - a bare grpc-js unary ping (raw Buffers, no protobuf, nothing of tfcluster): the floor of one
 *    cross-process call,
 *  - a bare grpc-js server stream of 16 MiB in 1 MiB raw messages: the floor of tensor bandwidth,
 * and the same two figures through the grpc transport (ListDevices round trip; a 16 MiB tensor
 * by RecvTensor). Server and client share one process, as in physical-limits.md fig. 3; both
 * use the transport's flow-control window, so the comparison isolates the transport's own cost.
 */
import * as grpc from "@grpc/grpc-js";
import { NDArray } from "../src/tensor/ndarray.js";
import { DEFAULT_GRPC_CONFIG, createGrpcTransport } from "../src/transport/grpc/index.js";
import type * as m from "../src/transport/messages.js";
import type { MasterService, ServedServices, WorkerService } from "../src/transport/services.js";
import { summarize } from "./stats.js";

const MiB = 1024 * 1024;
const identity = (b: Buffer): Buffer => b;
const PING_PATH = "/bench.Bare/Ping";
const STREAM_PATH = "/bench.Bare/Stream";

const BARE_OPTIONS: grpc.ChannelOptions = {
  "grpc.max_receive_message_length": 64 * MiB,
  "grpc.max_send_message_length": 64 * MiB,
  "grpc-node.flow_control_window": DEFAULT_GRPC_CONFIG.flowControlWindowBytes,
};

async function bareServer(totalBytes: number, chunkBytes: number): Promise<{ server: grpc.Server; address: string }> {
  const server = new grpc.Server(BARE_OPTIONS);
  const payload = Buffer.alloc(totalBytes, 7);
  const def: grpc.ServiceDefinition = {
    Ping: { path: PING_PATH, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
    Stream: { path: STREAM_PATH, requestStream: false, responseStream: true, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
  };
  server.addService(def, {
    Ping: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, call.request),
    Stream: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
      let off = 0;
      const pump = (): void => {
        while (off < totalBytes) {
          const chunk = payload.subarray(off, Math.min(totalBytes, off + chunkBytes));
          off += chunk.length;
          if (!call.write(chunk)) return void call.once("drain", pump);
        }
        call.end();
      };
      pump();
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { server, address: `127.0.0.1:${port}` };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function ping(client: grpc.Client, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(PING_PATH, identity, identity, body, {}, (err) => (err ? reject(err) : resolve()));
  });
}

function download(client: grpc.Client): Promise<number> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    const call = client.makeServerStreamRequest(STREAM_PATH, identity, identity, Buffer.alloc(0));
    call.on("data", (b: Buffer) => (bytes += b.length));
    call.on("error", reject);
    call.on("end", () => resolve(bytes));
  });
}

export interface PingFigures {
  medianUs: number;
  p90Us: number;
  p99Us: number;
}

function percentiles(samplesUs: number[]): PingFigures {
  const s = [...samplesUs].sort((a, b) => a - b);
  return { ...summarize(samplesUs), p99Us: s[Math.floor(s.length * 0.99)] ?? 0 };
}

/** Round trip (µs) of a bare grpc-js unary call with an 8-byte raw body, sequential. */
export async function bareGrpcUnaryPing(iterations = 2000, warmup = 200): Promise<PingFigures> {
  const { server, address } = await bareServer(0, 1);
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), BARE_OPTIONS);
  try {
    const body = Buffer.alloc(8);
    const samples: number[] = [];
    for (let i = 0; i < warmup + iterations; i++) {
      const t0 = performance.now();
      await withTimeout(ping(client, body), 10_000, "bare ping");
      if (i >= warmup) samples.push((performance.now() - t0) * 1000);
    }
    return percentiles(samples);
  } finally {
    client.close();
    server.forceShutdown();
  }
}

/** MB/s (1e6 bytes/s, median of `repeats`) of a bare grpc-js server stream of `totalBytes` in `chunkBytes` messages. */
export async function bareGrpcServerStream(totalBytes = 16 * MiB, chunkBytes = 1 * MiB, repeats = 8): Promise<{ mbPerSec: number; ms: number }> {
  const { server, address } = await bareServer(totalBytes, chunkBytes);
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), BARE_OPTIONS);
  try {
    const ms: number[] = [];
    for (let i = 0; i < repeats + 1; i++) {
      const t0 = performance.now();
      const got = await withTimeout(download(client), 60_000, "bare stream");
      if (got !== totalBytes) throw new Error(`bare stream delivered ${got} of ${totalBytes} bytes`);
      if (i > 0) ms.push(performance.now() - t0); // the first run warms the connection up
    }
    const medianMs = summarize(ms).medianUs;
    return { mbPerSec: totalBytes / 1e6 / (medianMs / 1000), ms: medianMs };
  } finally {
    client.close();
    server.forceShutdown();
  }
}

/** Just enough of the services for the figures: ListDevices and RecvTensor of a fixed tensor. */
function benchServices(tensor: NDArray): ServedServices {
  const unused = (): Promise<never> => Promise.reject(new Error("not used by the benchmark"));
  const master = new Proxy({} as MasterService, { get: (_t, key) => (key === "listDevices" ? async (): Promise<m.ListDevicesResponse> => ({ localDevice: [], remoteDevice: [] }) : unused) });
  const worker = new Proxy({} as WorkerService, { get: (_t, key) => (key === "recvTensor" ? async (): Promise<m.RecvTensorResponse> => ({ tensor }) : unused) });
  return { master, worker };
}

/** The same figures through the grpc transport: a ListDevices round trip, and a 16 MiB tensor by RecvTensor. */
export async function grpcTransportFigures(iterations = 2000, repeats = 8): Promise<PingFigures & { tensorMbPerSec: number }> {
  const totalBytes = 16 * MiB;
  const tensor = new NDArray("float32", [totalBytes / 4], new Float32Array(totalBytes / 4).fill(7));
  const transport = createGrpcTransport();
  const handle = await transport.serve("127.0.0.1:0", benchServices(tensor));
  try {
    const master = transport.connectMaster(handle.address);
    const worker = transport.connectWorker(handle.address);
    const rtt: number[] = [];
    for (let i = 0; i < iterations + 200; i++) {
      const t0 = performance.now();
      await master.listDevices({}, { timeoutMs: 10_000 });
      if (i >= 200) rtt.push((performance.now() - t0) * 1000);
    }
    const ms: number[] = [];
    for (let i = 0; i < repeats + 1; i++) {
      const t0 = performance.now();
      const res = await worker.recvTensor({ stepId: i, rendezvousKey: "bench" }, { timeoutMs: 60_000 });
      if (res.tensor.size !== tensor.size) throw new Error("RecvTensor delivered the wrong tensor");
      if (i > 0) ms.push(performance.now() - t0);
    }
    const medianMs = summarize(ms).medianUs;
    return { ...percentiles(rtt), tensorMbPerSec: totalBytes / 1e6 / (medianMs / 1000) };
  } finally {
    await handle.stop({ graceMs: 1000 });
    await transport.close();
  }
}
