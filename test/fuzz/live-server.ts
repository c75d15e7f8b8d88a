/**
 * A live gRPC server for the fuzz suites, a raw grpc-js client that sends it arbitrary bytes on
 * any method path, and the state probe: a variable and a queue whose values every case must leave
 * as they were (unless the case was a legitimate Reset/CleanupAll, after which the probe re-creates
 * them).
 */
import { Client, Metadata, credentials, type ServiceError } from "@grpc/grpc-js";
import * as tf from "../../src/index.js";
import { MASTER_SERVICE, WORKER_SERVICE, isChunked, methodPath, streamPath } from "../../src/transport/grpc/methods.js";
import { TOKEN_KEY } from "../../src/transport/grpc/security.js";
import { errorFromCall } from "../../src/transport/grpc/status.js";
import { messageType } from "../../src/transport/wire/schema.js";

export const TOKEN = "fuzz-token-4c1d";

export interface RawMethod {
  path: string;
  rpc: string;
  /** "unary": a plain unary call; "single": unary request, streamed answer; "bidi": frames each way. */
  shape: "unary" | "single" | "bidi";
  requestType: string;
}

const REQUEST_TYPE: Record<string, string> = {
  CreateSession: "CreateSessionRequest", ExtendSession: "ExtendSessionRequest", RunStep: "RunStepRequest",
  CloseSession: "CloseSessionRequest", ListDevices: "ListDevicesRequest", Reset: "ResetRequest", ResourceStatus: "GetStatusRequest",
  GetStatus: "GetStatusRequest", CreateWorkerSession: "CreateWorkerSessionRequest", DeleteWorkerSession: "DeleteWorkerSessionRequest",
  RegisterGraph: "RegisterGraphRequest", DeregisterGraph: "DeregisterGraphRequest", RunGraph: "RunGraphRequest",
  CleanupGraph: "CleanupGraphRequest", CleanupAll: "CleanupAllRequest", RecvTensor: "RecvTensorRequest",
};

/** Every method path the server serves (each chunked RPC twice: its own path and `<Rpc>Stream`). */
export function allMethods(): RawMethod[] {
  const out: RawMethod[] = [];
  for (const service of [MASTER_SERVICE, WORKER_SERVICE]) {
    for (const spec of service.methods) {
      const requestType = `tensorflow.${REQUEST_TYPE[spec.rpc] ?? "GetStatusRequest"}`;
      const chunked = isChunked(spec);
      out.push({ path: methodPath(service, spec), rpc: spec.rpc, shape: chunked ? "single" : "unary", requestType });
      if (chunked) out.push({ path: streamPath(service, spec), rpc: spec.rpc, shape: "bidi", requestType });
    }
  }
  return out;
}

const identity = (b: Buffer): Buffer => b;

export interface RawResult {
  error?: tf.errors.OpError;
  /** The answer's frames (one for a unary answer). */
  frames: Buffer[];
}

export class LiveServer {
  private constructor(
    readonly server: tf.train.Server,
    private readonly client: Client,
  ) {}

  static async start(): Promise<LiveServer> {
    const server = await tf.train.Server.create({ local: ["127.0.0.1:0"] }, { transport: "grpc", token: TOKEN });
    const client = new Client(server.address, credentials.createInsecure());
    return new LiveServer(server, client);
  }

  get security(): { token: string } {
    return { token: TOKEN };
  }

  /** Sends `frames` (one for unary shapes) to `method`; resolves with the answer or its error as an OpError. */
  call(method: RawMethod, frames: Uint8Array[], options: { token?: boolean; deadlineMs?: number } = {}): Promise<RawResult> {
    const md = new Metadata();
    if (options.token !== false) md.set(TOKEN_KEY, TOKEN);
    const deadline = Date.now() + (options.deadlineMs ?? 3000);
    const site = { rpc: method.rpc, address: this.server.address };
    const bufs = frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength));
    return new Promise((resolve) => {
      const got: Buffer[] = [];
      const fail = (err: ServiceError): void => resolve({ error: errorFromCall(err, site), frames: got });
      if (method.shape === "unary") {
        this.client.makeUnaryRequest(method.path, identity, identity, bufs[0] ?? Buffer.alloc(0), md, { deadline }, (err, res) =>
          err ? fail(err) : resolve({ frames: [res ?? Buffer.alloc(0)] }),
        );
        return;
      }
      const stream =
        method.shape === "single"
          ? this.client.makeServerStreamRequest(method.path, identity, identity, bufs[0] ?? Buffer.alloc(0), md, { deadline })
          : this.client.makeBidiStreamRequest(method.path, identity, identity, md, { deadline });
      stream.on("data", (b: Buffer) => got.push(b));
      stream.on("error", fail);
      stream.on("status", (s: { code: number }) => {
        if (s.code === 0) resolve({ frames: got });
      });
      if (method.shape === "bidi") {
        const bidi = stream as unknown as { write(b: Buffer): void; end(): void };
        for (const b of bufs) bidi.write(b);
        bidi.end();
      }
    });
  }

  async stop(): Promise<void> {
    this.client.close();
    await this.server.stop();
  }
}

/** Encodes a protobufjs plain object (snake_case fields) as message `type`. */
export function encodeWire(type: string, obj: object): Uint8Array {
  return messageType(type).encode(obj).finish();
}

/**
 * A variable (42) and a shared queue (3 elements) on the server, read after every case: a bad
 * input must leave both as they were.
 */
export class StateProbe {
  private sess: tf.Session | null = null;
  private readonly g = new tf.Graph();
  private readonly ops = this.g.asDefault(() => {
    const v = new tf.Variable(42, { name: "fuzz_probe_v" });
    const q = new tf.FIFOQueue({ capacity: 10, dtypes: ["int32"], sharedName: "fuzz_probe_q", name: "fuzz_probe_q" });
    return { value: v.value(), init: v.initializer, fill: q.enqueueMany([[1, 2, 3]]), size: q.size() };
  });

  constructor(private readonly live: LiveServer) {}

  /** (Re)creates the state, after a Reset or CleanupAll legitimately dropped it. */
  async init(): Promise<void> {
    await this.sess?.close().catch(() => {});
    await tf.Session.reset(this.live.server.target, [], {}, { security: this.live.security });
    this.sess = new tf.Session(this.live.server.target, { graph: this.g, security: this.live.security });
    await this.sess.run(this.ops.init);
    await this.sess.run(this.ops.fill);
  }

  /** The probe's values: [variable, queue size]. */
  async read(): Promise<[number, number]> {
    const [v, size] = await this.sess!.run([this.ops.value, this.ops.size]);
    return [Number(v!.item()), Number(size!.item())];
  }
}
