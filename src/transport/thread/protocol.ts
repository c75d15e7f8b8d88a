/**
 * Every message shape of the thread transport, in one place: the RPC method table, the frame
 * header written into the rings, the control messages on a connection's MessagePort, and the
 * broker requests/replies on a thread's broker port.
 */
import type { MessagePort } from "node:worker_threads";
import type { Status } from "../../errors/index.js";
import type { MasterService, WorkerService } from "../services.js";

export type ServiceName = "master" | "worker";

// Exhaustive by construction: the compiler rejects a missing or unknown method name.
const MASTER_METHODS: Record<keyof MasterService, true> = {
  createSession: true,
  extendSession: true,
  runStep: true,
  closeSession: true,
  listDevices: true,
  reset: true,
  makeCallable: true,
  runCallable: true,
  releaseCallable: true,
  resourceStatus: true,
};
const WORKER_METHODS: Record<keyof WorkerService, true> = {
  getStatus: true,
  createWorkerSession: true,
  deleteWorkerSession: true,
  registerGraph: true,
  deregisterGraph: true,
  runGraph: true,
  cleanupGraph: true,
  cleanupAll: true,
  recvTensor: true,
  resourceStatus: true,
};

export const MASTER_METHOD_NAMES = Object.keys(MASTER_METHODS) as (keyof MasterService)[];
export const WORKER_METHOD_NAMES = Object.keys(WORKER_METHODS) as (keyof WorkerService)[];

export interface MethodInfo {
  service: ServiceName;
  name: string;
}

/** Method id (one byte in the frame header) → service and method name. */
export const METHODS: readonly MethodInfo[] = [
  ...MASTER_METHOD_NAMES.map((name) => ({ service: "master" as const, name })),
  ...WORKER_METHOD_NAMES.map((name) => ({ service: "worker" as const, name })),
];

const methodIds = new Map(METHODS.map((m, i) => [`${m.service}.${m.name}`, i]));

export function methodId(service: ServiceName, name: string): number {
  const id = methodIds.get(`${service}.${name}`);
  if (id === undefined) throw new RangeError(`thread transport: unknown method ${service}.${name}`);
  return id;
}

export function methodLabel(id: number): string {
  const m = METHODS[id];
  return m ? `${m.service}.${m.name}` : `method#${id}`;
}

// ---- frames in the rings ----

export const FrameKind = { REQUEST: 1, REPLY_OK: 2, REPLY_ERROR: 3 } as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/**
 * Fixed 24-byte frame header, little-endian:
 *   0 u32 magic | 4 u32 body bytes (everything after the header, padding included) | 8 u32 call id
 *  12 u32 envelope bytes | 16 u32 deadline ms (requests; 0 = none) | 20 u8 kind | 21 u8 method
 *  22 u8 envelope padding bytes | 23 u8 reserved (0)
 * The body is the envelope, `envelope padding` bytes, then for each tensor descriptor in the
 * envelope its `padBytes` and its payload, then filler up to `body bytes` (less than ALIGN_BYTES).
 *
 * Why padding: V8 copies between a SharedArrayBuffer and ordinary memory word by word only when
 * both sides sit at the same offset modulo 8, byte by byte otherwise (~6x slower). A writer pads
 * so that every payload lands in the ring at its source's offset modulo 8 (0 for a fresh typed
 * array) and every frame starts 8-aligned; a reader needs no rule of its own: it skips the counts
 * the frame states and gives each destination the ring offset modulo 8 of its payload.
 */
export const FRAME_HEADER_BYTES = 24;
export const FRAME_MAGIC = 0x68_54_66_74; // "tfTh"
/** Payloads and frames are aligned to this many bytes (V8's word copy between SAB and memory). */
export const ALIGN_BYTES = 8;
/** Counters wrap to negative int32s: offsets modulo ALIGN_BYTES are taken with this mask, not %. */
export const ALIGN_MASK = ALIGN_BYTES - 1;

export interface FrameHeader {
  kind: FrameKind;
  method: number;
  callId: number;
  envelopeBytes: number;
  /** Zero bytes between the envelope and the first payload. */
  envelopePadBytes: number;
  bodyBytes: number;
  timeoutMs: number;
}

// ---- control messages on a connection's MessagePort ----

export type ControlMessage =
  /** server → client: the connection is attached; `label` names the task behind the address. */
  | { t: "ready"; label: string }
  /** server or broker → client: no connection (no server there, server stopping). */
  | { t: "reject"; status: Status }
  /** client → server: the caller gave up on this call, at its deadline or by its AbortSignal. */
  | { t: "cancel"; callId: number; why: "deadline" | "cancelled" }
  /** either side: the connection is being closed on purpose. */
  | { t: "close"; reason: string };

/** What a client hands the broker to reach `address`; the broker forwards it to the owner. */
export interface ConnectOffer {
  address: string;
  /** client → server frames, one ring per lane (lanes.ts). */
  requestRings: SharedArrayBuffer[];
  /** server → client frames, one ring per lane. */
  replyRings: SharedArrayBuffer[];
  /** The server's end of the connection's MessageChannel (transferred). */
  port: MessagePort;
  /** Filled in by the broker: the task label registered for the address. */
  label?: string;
}

// ---- broker port ----

export type BrokerRequest =
  | { t: "bind"; id: number; address: string }
  | { t: "unbind"; id: number; address: string }
  | { t: "connect"; offer: ConnectOffer }
  /** A fresh broker port, for a worker this thread is about to spawn. */
  | { t: "port"; id: number };

export type BrokerReply =
  | { t: "ok"; id: number; address?: string; port?: MessagePort }
  | { t: "error"; id: number; status: Status }
  | { t: "accept"; offer: ConnectOffer };

/** The key under which a spawned thread finds its broker port in `workerData`. */
export const BROKER_PORT_KEY = "tfclusterThreadBrokerPort";

export function isTagged(x: unknown): x is { t: string } & Record<string, unknown> {
  return typeof x === "object" && x !== null && typeof (x as { t?: unknown }).t === "string";
}
