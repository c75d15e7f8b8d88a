/**
 * WorkerService requests and responses ↔ TensorFlow's worker.proto, plus our ResourceStatus
 * messages (package tfcluster) and the empty message every "(empty)" response is.
 */
import type * as m from "../messages.js";
import {
  deviceFromWire,
  deviceToWire,
  namedTensorFromWire,
  namedTensorToWire,
  stepStatsFromWire,
  stepStatsToWire,
  type DeviceAttributesWire,
  type NamedTensorWire,
  type StepStatsWire,
} from "./common-codec.js";
import { graphFromWire, graphToWire, type GraphDefWire } from "./graph-codec.js";
import { codec, has, toBigInt, toNumber, type Int64Wire } from "./proto.js";
import { tensorFromWire, tensorToWire, type TensorProtoWire } from "./tensor-codec.js";
import { DataLossError } from "../../errors/index.js";

/** Any of the empty messages (CloseSessionResponse, GetStatusRequest, …): zero bytes on the wire. */
export const emptyCodec = codec<m.Empty, object>("tensorflow.GetStatusRequest", () => ({}), () => ({}));
export const encodeEmpty = emptyCodec.encode;
export const decodeEmpty = emptyCodec.decode;

export const getStatusResponseCodec = codec<m.GetStatusResponse, { device_attributes?: DeviceAttributesWire[] }>(
  "tensorflow.GetStatusResponse",
  (r) => ({ device_attributes: r.deviceAttributes.map(deviceToWire) }),
  (w) => ({ deviceAttributes: (w.device_attributes ?? []).map(deviceFromWire) }),
);

export const createWorkerSessionRequestCodec = codec<
  m.CreateWorkerSessionRequest,
  { session_handle?: string; isolate_session_state?: boolean; master_task?: string; master_incarnation?: Int64Wire }
>(
  "tensorflow.CreateWorkerSessionRequest",
  (r) => ({
    session_handle: r.sessionHandle,
    isolate_session_state: r.isolateSessionState,
    ...(r.masterTask ? { master_task: r.masterTask } : {}),
    ...(r.masterIncarnation !== undefined ? { master_incarnation: BigInt.asIntN(64, r.masterIncarnation).toString() } : {}),
  }),
  (w) => {
    const out: m.CreateWorkerSessionRequest = { sessionHandle: w.session_handle ?? "", isolateSessionState: w.isolate_session_state ?? false };
    if (has(w, "master_task") && w.master_task) out.masterTask = w.master_task;
    if (has(w, "master_incarnation")) out.masterIncarnation = BigInt.asUintN(64, toBigInt(w.master_incarnation));
    return out;
  },
);

export const deleteWorkerSessionRequestCodec = codec<m.DeleteWorkerSessionRequest, { session_handle?: string }>(
  "tensorflow.DeleteWorkerSessionRequest",
  (r) => ({ session_handle: r.sessionHandle }),
  (w) => ({ sessionHandle: w.session_handle ?? "" }),
);

export const registerGraphRequestCodec = codec<
  m.RegisterGraphRequest,
  { session_handle?: string; graph_def?: GraphDefWire | null }
>(
  "tensorflow.RegisterGraphRequest",
  (r) => ({ session_handle: r.sessionHandle, graph_def: graphToWire(r.graphDef) }),
  (w) => ({ sessionHandle: w.session_handle ?? "", graphDef: graphFromWire(w.graph_def ?? {}) }),
);

export const registerGraphResponseCodec = codec<m.RegisterGraphResponse, { graph_handle?: string }>(
  "tensorflow.RegisterGraphResponse",
  (r) => ({ graph_handle: r.graphHandle }),
  (w) => ({ graphHandle: w.graph_handle ?? "" }),
);

export const deregisterGraphRequestCodec = codec<
  m.DeregisterGraphRequest,
  { session_handle?: string; graph_handle?: string }
>(
  "tensorflow.DeregisterGraphRequest",
  (r) => ({ session_handle: r.sessionHandle, graph_handle: r.graphHandle }),
  (w) => ({ sessionHandle: w.session_handle ?? "", graphHandle: w.graph_handle ?? "" }),
);

interface RunGraphRequestWire {
  session_handle?: string;
  graph_handle?: string;
  step_id?: Int64Wire;
  exec_opts?: { record_timeline?: boolean } | null;
  send?: NamedTensorWire[];
  recv_key?: string[];
}
export const runGraphRequestCodec = codec<m.RunGraphRequest, RunGraphRequestWire>(
  "tensorflow.RunGraphRequest",
  (r) => ({
    session_handle: r.sessionHandle,
    graph_handle: r.graphHandle,
    step_id: r.stepId,
    exec_opts: { record_timeline: r.execOpts.recordTimeline },
    send: r.send.map(namedTensorToWire),
    recv_key: r.recvKey,
  }),
  (w) => ({
    sessionHandle: w.session_handle ?? "",
    graphHandle: w.graph_handle ?? "",
    stepId: toNumber(w.step_id),
    execOpts: { recordTimeline: w.exec_opts?.record_timeline ?? false },
    send: (w.send ?? []).map(namedTensorFromWire),
    recvKey: (w.recv_key ?? []).slice(),
  }),
);

export const runGraphResponseCodec = codec<m.RunGraphResponse, { recv?: NamedTensorWire[]; step_stats?: StepStatsWire | null }>(
  "tensorflow.RunGraphResponse",
  (r) => {
    const w: { recv: NamedTensorWire[]; step_stats?: StepStatsWire } = { recv: r.recv.map(namedTensorToWire) };
    if (r.stepStats) w.step_stats = stepStatsToWire(r.stepStats);
    return w;
  },
  (w) => {
    const r: m.RunGraphResponse = { recv: (w.recv ?? []).map(namedTensorFromWire) };
    if (has(w, "step_stats")) r.stepStats = stepStatsFromWire(w.step_stats!);
    return r;
  },
);

export const cleanupGraphRequestCodec = codec<m.CleanupGraphRequest, { step_id?: Int64Wire }>(
  "tensorflow.CleanupGraphRequest",
  (r) => ({ step_id: r.stepId }),
  (w) => ({ stepId: toNumber(w.step_id) }),
);

export const cleanupAllRequestCodec = codec<m.CleanupAllRequest, { container?: string[] }>(
  "tensorflow.CleanupAllRequest",
  (r) => ({ container: r.container }),
  (w) => ({ container: (w.container ?? []).slice() }),
);

export const recvTensorRequestCodec = codec<m.RecvTensorRequest, { step_id?: Int64Wire; rendezvous_key?: string }>(
  "tensorflow.RecvTensorRequest",
  (r) => ({ step_id: r.stepId, rendezvous_key: r.rendezvousKey }),
  (w) => ({ stepId: toNumber(w.step_id), rendezvousKey: w.rendezvous_key ?? "" }),
);

export const recvTensorResponseCodec = codec<m.RecvTensorResponse, { tensor?: TensorProtoWire | null }>(
  "tensorflow.RecvTensorResponse",
  (r) => ({ tensor: tensorToWire(r.tensor) }),
  (w) => {
    if (!w.tensor) throw new DataLossError("RecvTensorResponse carries no tensor");
    return { tensor: tensorFromWire(w.tensor) };
  },
);

interface ResourceStatusWire {
  device?: string;
  container?: string;
  kind?: string;
  name?: string;
  details_json?: string;
}
/** bigint details (int64 sizes) travel as decimal strings: JSON has no 64-bit integers. */
const jsonReplacer = (_key: string, v: unknown): unknown => (typeof v === "bigint" ? v.toString() : v);

interface TaskStatusWire {
  task?: string;
  address?: string;
  reachable?: boolean;
  error?: string;
}

function taskStatusFromWire(t: TaskStatusWire): m.TaskStatus {
  const out: m.TaskStatus = { task: t.task ?? "", address: t.address ?? "", reachable: t.reachable ?? false };
  if (t.error) out.error = t.error;
  return out;
}

export const resourceStatusResponseCodec = codec<m.ResourceStatusResponse, { resource?: ResourceStatusWire[]; task?: TaskStatusWire[] }>(
  "tfcluster.ResourceStatusResponse",
  (r) => ({
    ...(r.task ? { task: r.task.map((t) => ({ ...t })) } : {}),
    resource: r.resource.map((s) => ({
      device: s.device,
      container: s.container,
      kind: s.kind,
      name: s.name,
      details_json: JSON.stringify(s.details, jsonReplacer),
    })),
  }),
  (w) => ({
    resource: (w.resource ?? []).map((s) => ({
      device: s.device ?? "",
      container: s.container ?? "",
      kind: s.kind ?? "",
      name: s.name ?? "",
      details: s.details_json ? (JSON.parse(s.details_json) as Record<string, unknown>) : {},
    })),
    ...(w.task?.length ? { task: w.task.map(taskStatusFromWire) } : {}),
  }),
);

export const encodeGetStatusResponse = getStatusResponseCodec.encode;
export const decodeGetStatusResponse = getStatusResponseCodec.decode;
export const encodeCreateWorkerSessionRequest = createWorkerSessionRequestCodec.encode;
export const decodeCreateWorkerSessionRequest = createWorkerSessionRequestCodec.decode;
export const encodeDeleteWorkerSessionRequest = deleteWorkerSessionRequestCodec.encode;
export const decodeDeleteWorkerSessionRequest = deleteWorkerSessionRequestCodec.decode;
export const encodeRegisterGraphRequest = registerGraphRequestCodec.encode;
export const decodeRegisterGraphRequest = registerGraphRequestCodec.decode;
export const encodeRegisterGraphResponse = registerGraphResponseCodec.encode;
export const decodeRegisterGraphResponse = registerGraphResponseCodec.decode;
export const encodeDeregisterGraphRequest = deregisterGraphRequestCodec.encode;
export const decodeDeregisterGraphRequest = deregisterGraphRequestCodec.decode;
export const encodeRunGraphRequest = runGraphRequestCodec.encode;
export const decodeRunGraphRequest = runGraphRequestCodec.decode;
export const encodeRunGraphResponse = runGraphResponseCodec.encode;
export const decodeRunGraphResponse = runGraphResponseCodec.decode;
export const encodeCleanupGraphRequest = cleanupGraphRequestCodec.encode;
export const decodeCleanupGraphRequest = cleanupGraphRequestCodec.decode;
export const encodeCleanupAllRequest = cleanupAllRequestCodec.encode;
export const decodeCleanupAllRequest = cleanupAllRequestCodec.decode;
export const encodeRecvTensorRequest = recvTensorRequestCodec.encode;
export const decodeRecvTensorRequest = recvTensorRequestCodec.decode;
export const encodeRecvTensorResponse = recvTensorResponseCodec.encode;
export const decodeRecvTensorResponse = recvTensorResponseCodec.decode;
export const encodeResourceStatusResponse = resourceStatusResponseCodec.encode;
export const decodeResourceStatusResponse = resourceStatusResponseCodec.decode;
