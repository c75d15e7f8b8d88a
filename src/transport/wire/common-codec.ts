/**
 * Messages shared by the master and worker protocols: ConfigProto, RunOptions, RunMetadata and
 * StepStats, DeviceAttributes, NamedTensorProto, ClusterDef. Our optional fields map to field
 * presence: a field we leave undefined is not written, and is undefined again after decoding.
 */
import { InvalidArgumentError } from "../../errors/index.js";
import type * as m from "../messages.js";
import { codec, has, setIf, toBigInt, toNumber, type Int64Wire } from "./proto.js";
import { tensorFromWire, tensorToWire, type TensorProtoWire } from "./tensor-codec.js";
import { graphFromWire, graphToWire, type GraphDefWire } from "./graph-codec.js";

export interface ConfigProtoWire {
  allow_soft_placement?: boolean;
  log_device_placement?: boolean;
  operation_timeout_in_ms?: Int64Wire;
  device_filters?: string[];
  isolate_session_state?: boolean;
}

export function configToWire(c: m.ConfigProto): ConfigProtoWire {
  const w: ConfigProtoWire = {};
  setIf(w, "allow_soft_placement", c.allowSoftPlacement);
  setIf(w, "log_device_placement", c.logDevicePlacement);
  setIf(w, "operation_timeout_in_ms", c.operationTimeoutInMs);
  setIf(w, "device_filters", c.deviceFilters);
  setIf(w, "isolate_session_state", c.isolateSessionState);
  return w;
}

export function configFromWire(w: ConfigProtoWire | null | undefined): m.ConfigProto {
  const c: m.ConfigProto = {};
  if (!w) return c;
  if (has(w, "allow_soft_placement")) c.allowSoftPlacement = w.allow_soft_placement!;
  if (has(w, "log_device_placement")) c.logDevicePlacement = w.log_device_placement!;
  if (has(w, "operation_timeout_in_ms")) c.operationTimeoutInMs = toNumber(w.operation_timeout_in_ms);
  if (w.device_filters?.length) c.deviceFilters = w.device_filters.slice();
  if (has(w, "isolate_session_state")) c.isolateSessionState = w.isolate_session_state!;
  return c;
}

/** RunOptions.TraceLevel: NO_TRACE 0 … FULL_TRACE 3; any tracing level reads back as "full". */
export interface RunOptionsWire {
  trace_level?: number;
  timeout_in_ms?: Int64Wire;
  output_partition_graphs?: boolean;
}

export function runOptionsToWire(o: m.RunOptions): RunOptionsWire {
  const w: RunOptionsWire = {};
  setIf(w, "timeout_in_ms", o.timeoutInMs);
  if (o.traceLevel !== undefined) w.trace_level = o.traceLevel === "full" ? 3 : 0;
  if (o.outputPartitionGraphs) w.output_partition_graphs = true;
  return w;
}

export function runOptionsFromWire(w: RunOptionsWire | null | undefined): m.RunOptions {
  const o: m.RunOptions = {};
  if (!w) return o;
  if (has(w, "timeout_in_ms")) o.timeoutInMs = toNumber(w.timeout_in_ms);
  if (has(w, "trace_level")) o.traceLevel = w.trace_level === 0 ? "none" : "full";
  if (w.output_partition_graphs) o.outputPartitionGraphs = true;
  return o;
}

export interface NodeExecStatsWire {
  node_name?: string;
  all_start_micros?: Int64Wire;
  op_start_rel_micros?: Int64Wire;
  op_end_rel_micros?: Int64Wire;
  all_end_rel_micros?: Int64Wire;
  timeline_label?: string;
}

export interface StepStatsWire {
  dev_stats?: { device?: string; node_stats?: NodeExecStatsWire[] }[];
}

export function stepStatsToWire(s: m.StepStats): StepStatsWire {
  return {
    dev_stats: s.devStats.map((d) => ({
      device: d.device,
      node_stats: d.nodeStats.map((n) => ({
        node_name: n.nodeName,
        all_start_micros: n.allStartMicros,
        op_start_rel_micros: n.opStartRelMicros,
        op_end_rel_micros: n.opEndRelMicros,
        all_end_rel_micros: n.allEndRelMicros,
        timeline_label: n.timelineLabel,
      })),
    })),
  };
}

export function stepStatsFromWire(w: StepStatsWire): m.StepStats {
  return {
    devStats: (w.dev_stats ?? []).map((d) => ({
      device: d.device ?? "",
      nodeStats: (d.node_stats ?? []).map((n) => ({
        nodeName: n.node_name ?? "",
        allStartMicros: toNumber(n.all_start_micros),
        opStartRelMicros: toNumber(n.op_start_rel_micros),
        opEndRelMicros: toNumber(n.op_end_rel_micros),
        allEndRelMicros: toNumber(n.all_end_rel_micros),
        timelineLabel: n.timeline_label ?? "",
      })),
    })),
  };
}

export interface RunMetadataWire {
  step_stats?: StepStatsWire | null;
  partition_graphs?: GraphDefWire[];
}

export function runMetadataToWire(md: m.RunMetadata): RunMetadataWire {
  const w: RunMetadataWire = md.stepStats ? { step_stats: stepStatsToWire(md.stepStats) } : {};
  if (md.partitionGraphs) w.partition_graphs = md.partitionGraphs.map(graphToWire);
  return w;
}

export function runMetadataFromWire(w: RunMetadataWire): m.RunMetadata {
  const md: m.RunMetadata = has(w, "step_stats") ? { stepStats: stepStatsFromWire(w.step_stats!) } : {};
  if (w.partition_graphs?.length) md.partitionGraphs = w.partition_graphs.map(graphFromWire);
  return md;
}

export interface DeviceAttributesWire {
  name?: string;
  device_type?: string;
  memory_limit?: Int64Wire;
  incarnation?: Int64Wire;
}

export function deviceToWire(d: m.DeviceAttributes): DeviceAttributesWire {
  return { name: d.name, device_type: d.deviceType, memory_limit: d.memoryLimitBytes, incarnation: BigInt.asUintN(64, d.incarnation).toString() };
}

export function deviceFromWire(w: DeviceAttributesWire): m.DeviceAttributes {
  return {
    name: w.name ?? "",
    deviceType: w.device_type ?? "",
    memoryLimitBytes: toNumber(w.memory_limit),
    incarnation: BigInt.asUintN(64, toBigInt(w.incarnation)),
  };
}

export interface NamedTensorWire {
  name?: string;
  tensor?: TensorProtoWire | null;
}

export function namedTensorToWire(t: m.NamedTensor): NamedTensorWire {
  return { name: t.name, tensor: tensorToWire(t.tensor) };
}

export function namedTensorFromWire(w: NamedTensorWire): m.NamedTensor {
  if (!w.tensor) throw new InvalidArgumentError(`NamedTensorProto '${w.name ?? ""}' has no tensor`);
  return { name: w.name ?? "", tensor: tensorFromWire(w.tensor) };
}

export interface ClusterDefWire {
  job?: { name?: string; tasks?: Record<string, string> }[];
}

export function clusterToWire(c: m.ClusterDef): ClusterDefWire {
  return { job: c.job.map((j) => ({ name: j.name, tasks: { ...j.tasks } })) };
}

export function clusterFromWire(w: ClusterDefWire): m.ClusterDef {
  return {
    job: (w.job ?? []).map((j) => {
      const tasks: Record<number, string> = {};
      for (const [k, v] of Object.entries(j.tasks ?? {})) tasks[Number(k)] = v;
      return { name: j.name ?? "", tasks };
    }),
  };
}

export const configProtoCodec = codec("tensorflow.ConfigProto", configToWire, configFromWire);
export const runOptionsCodec = codec("tensorflow.RunOptions", runOptionsToWire, runOptionsFromWire);
export const runMetadataCodec = codec("tensorflow.RunMetadata", runMetadataToWire, runMetadataFromWire);
export const stepStatsCodec = codec("tensorflow.StepStats", stepStatsToWire, stepStatsFromWire);
export const deviceAttributesCodec = codec("tensorflow.DeviceAttributes", deviceToWire, deviceFromWire);
export const namedTensorCodec = codec("tensorflow.NamedTensorProto", namedTensorToWire, namedTensorFromWire);
export const clusterDefCodec = codec("tensorflow.ClusterDef", clusterToWire, clusterFromWire);

export const encodeConfigProto = configProtoCodec.encode;
export const decodeConfigProto = configProtoCodec.decode;
export const encodeRunOptions = runOptionsCodec.encode;
export const decodeRunOptions = runOptionsCodec.decode;
export const encodeRunMetadata = runMetadataCodec.encode;
export const decodeRunMetadata = runMetadataCodec.decode;
export const encodeStepStats = stepStatsCodec.encode;
export const decodeStepStats = stepStatsCodec.decode;
export const encodeDeviceAttributes = deviceAttributesCodec.encode;
export const decodeDeviceAttributes = deviceAttributesCodec.decode;
export const encodeNamedTensor = namedTensorCodec.encode;
export const decodeNamedTensor = namedTensorCodec.decode;
export const encodeClusterDef = clusterDefCodec.encode;
export const decodeClusterDef = clusterDefCodec.decode;

