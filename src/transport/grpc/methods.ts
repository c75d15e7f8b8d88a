/**
 * The RPCs of both services: path, codecs, and — for the calls that carry tensors (RunStep,
 * RunGraph, RecvTensor) — where the tensors sit, so that big ones travel chunked (no 4 MiB
 * limit, no whole-message copies of big tensors).
 *
 * A tensor-carrying RPC is served at two paths; the client picks one per call, before sending,
 * from its request alone:
 *  - `/tensorflow.WorkerService/RunGraph` (likewise RunStep, RecvTensor): the request is one
 *    plain TF message, sent with its end of stream — a unary request. A plain client (TF's own)
 *    gets one plain TF response message: a unary call. Our client adds the call metadata
 *    `tfcluster-chunked-response: 1` and reads the answer as a server stream: a TensorStreamHead
 *    (one message, the whole answer when it is small) and then, only if the response holds big
 *    tensors, their chunks. Used whenever the request has no tensor of `outOfBandMinBytes`: no
 *    stream round for scalars (a bidirectional call cost ≈1.4x a unary one), and a 16 MiB
 *    RecvTensor answer still streams (as one unary message it moved at ≈0.4x).
 *  - `/tensorflow.WorkerService/RunGraphStream`: a bidirectional stream of frames both ways
 *    (tensor-stream.ts), for requests that carry big tensors.
 */
import { InternalError } from "../../errors/index.js";
import type { NDArray } from "../../tensor/ndarray.js";
import type * as m from "../messages.js";
import * as wire from "../wire/index.js";
import type { MessageCodec } from "../wire/index.js";
import type { MasterService, WorkerService } from "../services.js";
import type { TensorSlots } from "./tensor-stream.js";

export interface MethodSpec {
  /** TF's RPC name, e.g. "RunGraph"; the path is `/tensorflow.<Service>/<rpc>`. */
  rpc: string;
  /** The service interface's method, e.g. "runGraph". */
  key: string;
  request: MessageCodec<unknown>;
  response: MessageCodec<unknown>;
  /** Present on chunked (streaming) methods. */
  requestSlots?: TensorSlots<unknown>;
  responseSlots?: TensorSlots<unknown>;
  /** With a deadline, wait for the peer to come up rather than failing fast (CreateSession, Reset, GetStatus). */
  waitForReady?: boolean;
}

export interface ServiceSpec {
  /** "tensorflow.MasterService" */
  name: string;
  methods: MethodSpec[];
}

function namedSlots<M>(get: (msg: M) => m.NamedTensor[], with_: (msg: M, list: m.NamedTensor[]) => M): TensorSlots<unknown> {
  const slots: TensorSlots<M> = {
    get: (msg) => get(msg),
    set: (msg, tensors: NDArray[]) => with_(msg, get(msg).map((t, i) => ({ name: t.name, tensor: tensors[i]! }))),
  };
  return slots as TensorSlots<unknown>;
}

const runStepFeeds = namedSlots<m.RunStepRequest>((r) => r.feed, (r, feed) => ({ ...r, feed }));
const runStepFetches = namedSlots<m.RunStepResponse>((r) => r.tensor, (r, tensor) => ({ ...r, tensor }));
const runGraphSends = namedSlots<m.RunGraphRequest>((r) => r.send, (r, send) => ({ ...r, send }));
const runGraphRecvs = namedSlots<m.RunGraphResponse>((r) => r.recv, (r, recv) => ({ ...r, recv }));
/** Slots of an unnamed tensor list (RunCallable's feed and fetch). */
function listSlots<M>(get: (msg: M) => NDArray[], with_: (msg: M, list: NDArray[]) => M): TensorSlots<unknown> {
  const slots: TensorSlots<M> = {
    get: (msg) => get(msg).map((tensor, i) => ({ name: `#${i}`, tensor })),
    set: (msg, tensors: NDArray[]) => with_(msg, tensors),
  };
  return slots as TensorSlots<unknown>;
}
const runCallableFeeds = listSlots<m.RunCallableRequest>((r) => r.feed, (r, feed) => ({ ...r, feed }));
const runCallableFetches = listSlots<m.RunCallableResponse>((r) => r.fetch, (r, fetch) => ({ ...r, fetch }));
const recvTensorValue: TensorSlots<unknown> = {
  get: (r) => [{ name: "RecvTensorResponse.tensor", tensor: (r as m.RecvTensorResponse).tensor }],
  set: (r, tensors) => ({ ...(r as m.RecvTensorResponse), tensor: tensors[0]! }),
};

function method<Req, Res>(
  rpc: string,
  key: string,
  request: MessageCodec<Req>,
  response: MessageCodec<Res>,
  extra: Partial<MethodSpec> = {},
): MethodSpec {
  return { rpc, key, request: request as MessageCodec<unknown>, response: response as MessageCodec<unknown>, ...extra };
}

/** Keys every MasterService / WorkerService implementation must have: the tables below cover them all. */
type MethodKeys<S> = { [K in keyof S]: S[K] extends (...args: never[]) => unknown ? K : never }[keyof S];
const masterKeys: Record<MethodKeys<MasterService>, true> = {
  createSession: true, extendSession: true, runStep: true, closeSession: true, listDevices: true, reset: true, resourceStatus: true,
  makeCallable: true, runCallable: true, releaseCallable: true,
};
const workerKeys: Record<MethodKeys<WorkerService>, true> = {
  getStatus: true, createWorkerSession: true, deleteWorkerSession: true, registerGraph: true, deregisterGraph: true,
  runGraph: true, cleanupGraph: true, cleanupAll: true, recvTensor: true, resourceStatus: true,
};

export const MASTER_SERVICE: ServiceSpec = {
  name: "tensorflow.MasterService",
  methods: [
    method("CreateSession", "createSession", wire.createSessionRequestCodec, wire.createSessionResponseCodec, { waitForReady: true }),
    method("ExtendSession", "extendSession", wire.extendSessionRequestCodec, wire.extendSessionResponseCodec),
    method("RunStep", "runStep", wire.runStepRequestCodec, wire.runStepResponseCodec, {
      requestSlots: runStepFeeds,
      responseSlots: runStepFetches,
    }),
    method("CloseSession", "closeSession", wire.closeSessionRequestCodec, wire.emptyCodec),
    method("ListDevices", "listDevices", wire.listDevicesRequestCodec, wire.listDevicesResponseCodec),
    method("Reset", "reset", wire.resetRequestCodec, wire.emptyCodec, { waitForReady: true }),
    method("MakeCallable", "makeCallable", wire.makeCallableRequestCodec, wire.makeCallableResponseCodec),
    method("RunCallable", "runCallable", wire.runCallableRequestCodec, wire.runCallableResponseCodec, {
      requestSlots: runCallableFeeds,
      responseSlots: runCallableFetches,
    }),
    method("ReleaseCallable", "releaseCallable", wire.releaseCallableRequestCodec, wire.emptyCodec),
    method("ResourceStatus", "resourceStatus", wire.emptyCodec, wire.resourceStatusResponseCodec),
  ],
};

export const WORKER_SERVICE: ServiceSpec = {
  name: "tensorflow.WorkerService",
  methods: [
    method("GetStatus", "getStatus", wire.emptyCodec, wire.getStatusResponseCodec, { waitForReady: true }),
    method("CreateWorkerSession", "createWorkerSession", wire.createWorkerSessionRequestCodec, wire.emptyCodec),
    method("DeleteWorkerSession", "deleteWorkerSession", wire.deleteWorkerSessionRequestCodec, wire.emptyCodec),
    method("RegisterGraph", "registerGraph", wire.registerGraphRequestCodec, wire.registerGraphResponseCodec),
    method("DeregisterGraph", "deregisterGraph", wire.deregisterGraphRequestCodec, wire.emptyCodec),
    method("RunGraph", "runGraph", wire.runGraphRequestCodec, wire.runGraphResponseCodec, {
      requestSlots: runGraphSends,
      responseSlots: runGraphRecvs,
    }),
    method("CleanupGraph", "cleanupGraph", wire.cleanupGraphRequestCodec, wire.emptyCodec),
    method("CleanupAll", "cleanupAll", wire.cleanupAllRequestCodec, wire.emptyCodec),
    method("RecvTensor", "recvTensor", wire.recvTensorRequestCodec, wire.recvTensorResponseCodec, {
      requestSlots: { get: () => [], set: (r) => r },
      responseSlots: recvTensorValue,
    }),
    method("ResourceStatus", "resourceStatus", wire.emptyCodec, wire.resourceStatusResponseCodec),
  ],
};

export function isChunked(spec: MethodSpec): boolean {
  return spec.requestSlots !== undefined || spec.responseSlots !== undefined;
}

export function methodPath(service: ServiceSpec, spec: MethodSpec): string {
  return `/${service.name}/${spec.rpc}`;
}

/** The RPC name of a chunked method's bidirectional form, e.g. "RunGraphStream". */
export function streamRpc(spec: MethodSpec): string {
  return `${spec.rpc}Stream`;
}

export function streamPath(service: ServiceSpec, spec: MethodSpec): string {
  return `/${service.name}/${streamRpc(spec)}`;
}

/** Call metadata by which a client asks for a chunked answer (a TensorStreamHead first) on the unary path. */
export const CHUNKED_RESPONSE_KEY = "tfcluster-chunked-response";

/** The records above fail to compile when an interface gains a method; this fails when a table misses one. */
function checkCovers(service: ServiceSpec, keys: Record<string, true>): void {
  const have = new Set(service.methods.map((s) => s.key));
  const missing = Object.keys(keys).filter((k) => !have.has(k));
  if (missing.length) throw new InternalError(`${service.name} has no RPC for ${missing.join(", ")}`);
}
checkCovers(MASTER_SERVICE, masterKeys);
checkCovers(WORKER_SERVICE, workerKeys);
