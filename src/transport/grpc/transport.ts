/**
 * The "grpc" transport: one process per task, TensorFlow's service paths
 * (`/tensorflow.MasterService/<Rpc>`, `/tensorflow.WorkerService/<Rpc>`), TF's messages; RunStep,
 * RunGraph and RecvTensor also at `<Rpc>Stream`, for requests with big tensors (methods.ts).
 * The only module (with its siblings in this folder) that imports @grpc/grpc-js.
 * @example
 *   const handle = await grpcTransport.serve("127.0.0.1:0", { master, worker });
 *   const worker = grpcTransport.connectWorker(handle.address);
 *   await worker.getStatus({}, { timeoutMs: 5000 });
 */
import type { MasterService, Transport, WorkerService } from "../services.js";
import { ChannelCache } from "./channel-cache.js";
import { makeStub } from "./client-call.js";
import { resolveConfig, type GrpcConfig } from "./config.js";
import { MASTER_SERVICE, WORKER_SERVICE } from "./methods.js";
import { serveGrpc } from "./server.js";

export interface GrpcTransport extends Transport {
  readonly name: "grpc";
  readonly config: Readonly<GrpcConfig>;
  /** Connectivity state of each peer channel (IDLE, CONNECTING, READY, TRANSIENT_FAILURE, SHUTDOWN). */
  peerStates(): Record<string, string>;
  close(): Promise<void>;
}

/** A gRPC transport with its own channels and, optionally, its own limits. */
export function createGrpcTransport(overrides: Partial<GrpcConfig> = {}): GrpcTransport {
  const config = resolveConfig(overrides);
  const channels = new ChannelCache(config);
  return {
    name: "grpc",
    config,
    serve: (address, services, options) => serveGrpc(stripScheme(address), services, options, config),
    connectMaster: (address, options) => makeStub<MasterService>(MASTER_SERVICE, channels.peer(stripScheme(address), options)),
    connectWorker: (address, options) => makeStub<WorkerService>(WORKER_SERVICE, channels.peer(stripScheme(address), options)),
    peerStates: () => channels.states(),
    close: async () => channels.close(),
  };
}

/** Accepts "grpc://host:port" as well as "host:port". */
function stripScheme(address: string): string {
  return address.startsWith("grpc://") ? address.slice("grpc://".length) : address;
}

/** The process-wide gRPC transport (registered as "grpc"). */
export const grpcTransport: GrpcTransport = createGrpcTransport();
