/**
 * One configuration for both ends of every gRPC connection: message and tensor limits, chunking,
 * keepalive and reconnect backoff. Client channel options and server options are both derived
 * from it, so the two ends can never disagree (B14: a limit raised on one side only; B15: a
 * client pinging more eagerly than its server allows).
 */
import type { ChannelOptions } from "@grpc/grpc-js";
import { DEFAULT_MAX_TENSOR_BYTES } from "../../tensor/budget.js";

export interface GrpcConfig {
  /** Size of each raw chunk a large tensor is streamed in. */
  chunkBytes: number;
  /** Fixed-size tensors of at least this many bytes travel out of band, as raw chunks. */
  outOfBandMinBytes: number;
  /** Largest single gRPC message either end sends or accepts (a unary call, a stream head). */
  maxMessageBytes: number;
  /** Largest single tensor either end sends or accepts; bigger ones fail ResourceExhausted. */
  maxTensorBytes: number;
  /** HTTP/2 keepalive ping interval, the same on both ends. */
  keepaliveTimeMs: number;
  /** How long a keepalive ping may go unanswered before the connection counts as dead. */
  keepaliveTimeoutMs: number;
  /** Ping idle connections too, so a dead peer is noticed before the next call. */
  keepalivePermitWithoutCalls: boolean;
  /** HTTP/2 flow-control window of client connections (the download direction). */
  flowControlWindowBytes: number;
  /** Reconnect backoff of client channels after a failed connection. */
  reconnectBackoffMs: { initial: number; max: number };
  /** Default grace period of ServerHandle.stop() before in-flight calls are cut. */
  stopGraceMs: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_GRPC_CONFIG: Readonly<GrpcConfig> = Object.freeze({
  chunkBytes: 1 * MiB,
  outOfBandMinBytes: 64 * 1024,
  // TF's gRPC servers and channels take messages up to INT32_MAX bytes (2 GiB - 1); so do ours, so a
  // TF client's big unary RunStep fits. Between tfcluster tasks big tensors still stream in chunks.
  maxMessageBytes: 2 ** 31 - 1,
  // What a peer may make us allocate per tensor; servers lower or raise it with maxTensorBytes.
  maxTensorBytes: DEFAULT_MAX_TENSOR_BYTES,
  keepaliveTimeMs: 30_000,
  keepaliveTimeoutMs: 10_000,
  keepalivePermitWithoutCalls: true,
  // 16 MiB doubles loopback HTTP/2 throughput over the 64 KiB default (physical-limits.md, fig. 3b).
  flowControlWindowBytes: 16 * MiB,
  reconnectBackoffMs: { initial: 100, max: 5_000 },
  stopGraceMs: 2_000,
});

export function resolveConfig(overrides: Partial<GrpcConfig> = {}): GrpcConfig {
  const cfg: GrpcConfig = { ...DEFAULT_GRPC_CONFIG, ...overrides };
  if (cfg.chunkBytes <= 0 || cfg.chunkBytes > cfg.maxMessageBytes) {
    throw new RangeError(`chunkBytes must be in (0, maxMessageBytes], got ${cfg.chunkBytes}`);
  }
  return cfg;
}

/** Options shared by both ends. */
function commonOptions(cfg: GrpcConfig): ChannelOptions {
  return {
    "grpc.keepalive_time_ms": cfg.keepaliveTimeMs,
    "grpc.keepalive_timeout_ms": cfg.keepaliveTimeoutMs,
    "grpc.keepalive_permit_without_calls": cfg.keepalivePermitWithoutCalls ? 1 : 0,
    "grpc.max_receive_message_length": cfg.maxMessageBytes,
    "grpc.max_send_message_length": cfg.maxMessageBytes,
  };
}

export function channelOptions(cfg: GrpcConfig): ChannelOptions {
  return {
    ...commonOptions(cfg),
    "grpc-node.flow_control_window": cfg.flowControlWindowBytes,
    // channelz bookkeeping costs on every call and nothing here reads it. Not on servers: there,
    // grpc-js 1.14 only tracks sessions for forceShutdown() when channelz is on.
    "grpc.enable_channelz": 0,
    "grpc.initial_reconnect_backoff_ms": cfg.reconnectBackoffMs.initial,
    "grpc.max_reconnect_backoff_ms": cfg.reconnectBackoffMs.max,
    // each transport owns its connections, so close() really closes them
    "grpc.use_local_subchannel_pool": 1,
  };
}

export function serverOptions(cfg: GrpcConfig): ChannelOptions {
  return commonOptions(cfg);
}
