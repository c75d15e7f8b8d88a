/** MasterService requests and responses ↔ TensorFlow's master.proto (field numbers in the schema). */
import type * as m from "../messages.js";
import {
  configFromWire,
  configToWire,
  deviceFromWire,
  deviceToWire,
  namedTensorFromWire,
  namedTensorToWire,
  runMetadataFromWire,
  runMetadataToWire,
  runOptionsFromWire,
  runOptionsToWire,
  type ConfigProtoWire,
  type DeviceAttributesWire,
  type NamedTensorWire,
  type RunMetadataWire,
  type RunOptionsWire,
} from "./common-codec.js";
import { graphFromWire, graphToWire, type GraphDefWire } from "./graph-codec.js";
import { codec, has, toNumber, type Int64Wire } from "./proto.js";

interface CreateSessionRequestWire {
  graph_def?: GraphDefWire | null;
  config?: ConfigProtoWire | null;
  target?: string;
}
export const createSessionRequestCodec = codec<m.CreateSessionRequest, CreateSessionRequestWire>(
  "tensorflow.CreateSessionRequest",
  (r) => ({ graph_def: graphToWire(r.graphDef), config: configToWire(r.config), target: r.target }),
  (w) => ({ graphDef: graphFromWire(w.graph_def ?? {}), config: configFromWire(w.config), target: w.target ?? "" }),
);

interface CreateSessionResponseWire {
  session_handle?: string;
  graph_version?: Int64Wire;
}
export const createSessionResponseCodec = codec<m.CreateSessionResponse, CreateSessionResponseWire>(
  "tensorflow.CreateSessionResponse",
  (r) => ({ session_handle: r.sessionHandle, graph_version: r.graphVersion }),
  (w) => ({ sessionHandle: w.session_handle ?? "", graphVersion: toNumber(w.graph_version) }),
);

interface ExtendSessionRequestWire {
  session_handle?: string;
  graph_def?: GraphDefWire | null;
  current_graph_version?: Int64Wire;
}
export const extendSessionRequestCodec = codec<m.ExtendSessionRequest, ExtendSessionRequestWire>(
  "tensorflow.ExtendSessionRequest",
  (r) => ({ session_handle: r.sessionHandle, graph_def: graphToWire(r.graphDef), current_graph_version: r.currentGraphVersion }),
  (w) => ({
    sessionHandle: w.session_handle ?? "",
    graphDef: graphFromWire(w.graph_def ?? {}),
    currentGraphVersion: toNumber(w.current_graph_version),
  }),
);

export const extendSessionResponseCodec = codec<m.ExtendSessionResponse, { new_graph_version?: Int64Wire }>(
  "tensorflow.ExtendSessionResponse",
  (r) => ({ new_graph_version: r.newGraphVersion }),
  (w) => ({ newGraphVersion: toNumber(w.new_graph_version) }),
);

interface RunStepRequestWire {
  session_handle?: string;
  feed?: NamedTensorWire[];
  fetch?: string[];
  target?: string[];
  options?: RunOptionsWire | null;
}
export const runStepRequestCodec = codec<m.RunStepRequest, RunStepRequestWire>(
  "tensorflow.RunStepRequest",
  (r) => ({
    session_handle: r.sessionHandle,
    feed: r.feed.map(namedTensorToWire),
    fetch: r.fetch,
    target: r.target,
    options: runOptionsToWire(r.options),
  }),
  (w) => ({
    sessionHandle: w.session_handle ?? "",
    feed: (w.feed ?? []).map(namedTensorFromWire),
    fetch: (w.fetch ?? []).slice(),
    target: (w.target ?? []).slice(),
    options: runOptionsFromWire(w.options),
  }),
);

interface RunStepResponseWire {
  tensor?: NamedTensorWire[];
  metadata?: RunMetadataWire | null;
}
export const runStepResponseCodec = codec<m.RunStepResponse, RunStepResponseWire>(
  "tensorflow.RunStepResponse",
  (r) => {
    const w: RunStepResponseWire = { tensor: r.tensor.map(namedTensorToWire) };
    if (r.metadata) w.metadata = runMetadataToWire(r.metadata);
    return w;
  },
  (w) => {
    const r: m.RunStepResponse = { tensor: (w.tensor ?? []).map(namedTensorFromWire) };
    if (has(w, "metadata")) r.metadata = runMetadataFromWire(w.metadata!);
    return r;
  },
);

export const closeSessionRequestCodec = codec<m.CloseSessionRequest, { session_handle?: string }>(
  "tensorflow.CloseSessionRequest",
  (r) => ({ session_handle: r.sessionHandle }),
  (w) => ({ sessionHandle: w.session_handle ?? "" }),
);

export const listDevicesRequestCodec = codec<m.ListDevicesRequest, { session_handle?: string }>(
  "tensorflow.ListDevicesRequest",
  (r) => (r.sessionHandle === undefined ? {} : { session_handle: r.sessionHandle }),
  (w) => (has(w, "session_handle") ? { sessionHandle: w.session_handle! } : {}),
);

interface ListDevicesResponseWire {
  local_device?: DeviceAttributesWire[];
  remote_device?: DeviceAttributesWire[];
  tfcluster_missing_task?: { task?: string; address?: string; reachable?: boolean; error?: string }[];
}
export const listDevicesResponseCodec = codec<m.ListDevicesResponse, ListDevicesResponseWire>(
  "tensorflow.ListDevicesResponse",
  (r) => ({
    local_device: r.localDevice.map(deviceToWire),
    remote_device: r.remoteDevice.map(deviceToWire),
    ...(r.missingTask?.length ? { tfcluster_missing_task: r.missingTask.map((t) => ({ ...t })) } : {}),
  }),
  (w) => ({
    localDevice: (w.local_device ?? []).map(deviceFromWire),
    remoteDevice: (w.remote_device ?? []).map(deviceFromWire),
    ...(w.tfcluster_missing_task?.length
      ? {
          missingTask: w.tfcluster_missing_task.map((t) => ({
            task: t.task ?? "",
            address: t.address ?? "",
            reachable: false,
            ...(t.error ? { error: t.error } : {}),
          })),
        }
      : {}),
  }),
);

export const resetRequestCodec = codec<m.ResetRequest, { container?: string[]; device_filters?: string[] }>(
  "tensorflow.ResetRequest",
  (r) => ({ container: r.container, device_filters: r.deviceFilters }),
  (w) => ({ container: (w.container ?? []).slice(), deviceFilters: (w.device_filters ?? []).slice() }),
);

export const encodeCreateSessionRequest = createSessionRequestCodec.encode;
export const decodeCreateSessionRequest = createSessionRequestCodec.decode;
export const encodeCreateSessionResponse = createSessionResponseCodec.encode;
export const decodeCreateSessionResponse = createSessionResponseCodec.decode;
export const encodeExtendSessionRequest = extendSessionRequestCodec.encode;
export const decodeExtendSessionRequest = extendSessionRequestCodec.decode;
export const encodeExtendSessionResponse = extendSessionResponseCodec.encode;
export const decodeExtendSessionResponse = extendSessionResponseCodec.decode;
export const encodeRunStepRequest = runStepRequestCodec.encode;
export const decodeRunStepRequest = runStepRequestCodec.decode;
export const encodeRunStepResponse = runStepResponseCodec.encode;
export const decodeRunStepResponse = runStepResponseCodec.decode;
export const encodeCloseSessionRequest = closeSessionRequestCodec.encode;
export const decodeCloseSessionRequest = closeSessionRequestCodec.decode;
export const encodeListDevicesRequest = listDevicesRequestCodec.encode;
export const decodeListDevicesRequest = listDevicesRequestCodec.decode;
export const encodeListDevicesResponse = listDevicesResponseCodec.encode;
export const decodeListDevicesResponse = listDevicesResponseCodec.decode;
export const encodeResetRequest = resetRequestCodec.encode;
export const decodeResetRequest = resetRequestCodec.decode;
