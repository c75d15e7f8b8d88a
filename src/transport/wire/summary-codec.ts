/**
 * Summary and Event messages (summary.proto, event.proto) ↔ protobuf bytes. The summary ops'
 * kernels produce serialized Summary bytes; FileWriter writes serialized Events.
 */
import { InvalidArgumentError } from "../../errors/index.js";
import type { NDArray } from "../../tensor/ndarray.js";
import { has, plainBytes, toNumber } from "./proto.js";
import type { Int64Wire } from "./proto.js";
import { summaryMessageType } from "./summary-schema.js";
import { tensorFromWire, tensorToWire } from "./tensor-codec.js";
import type { TensorProtoWire } from "./tensor-codec.js";

export interface HistogramValue {
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  bucketLimit: number[];
  bucket: number[];
}

export interface SummaryMetadata {
  pluginData?: { pluginName: string; content?: Uint8Array };
  displayName?: string;
  summaryDescription?: string;
}

/** One Summary.Value: a tag and one kind of value (image and audio pass through merges untouched). */
export interface SummaryValue {
  tag: string;
  nodeName?: string;
  metadata?: SummaryMetadata;
  simpleValue?: number;
  histo?: HistogramValue;
  tensor?: NDArray;
}

export interface SummaryProto {
  value: SummaryValue[];
}

/** SessionLog.SessionStatus. */
export const SessionStatus = { STATUS_UNSPECIFIED: 0, START: 1, STOP: 2, CHECKPOINT: 3 } as const;

export interface SessionLogProto {
  status: number;
  checkpointPath?: string;
  msg?: string;
}

export interface EventProto {
  /** Seconds since the epoch. */
  wallTime: number;
  step?: number;
  fileVersion?: string;
  /** A serialized GraphDef. */
  graphDef?: Uint8Array;
  summary?: SummaryProto;
  logMessage?: { level: number; message: string };
  sessionLog?: SessionLogProto;
  taggedRunMetadata?: { tag: string; runMetadata: Uint8Array };
  metaGraphDef?: Uint8Array;
}

interface MetadataWire {
  plugin_data?: { plugin_name?: string; content?: Uint8Array };
  display_name?: string;
  summary_description?: string;
}

interface HistoWire {
  min?: number;
  max?: number;
  num?: number;
  sum?: number;
  sum_squares?: number;
  bucket_limit?: number[];
  bucket?: number[];
}

/** A Summary.Value as protobufjs holds it (fields we do not map stay as they are). */
export interface SummaryValueWire {
  tag?: string;
  node_name?: string;
  metadata?: MetadataWire;
  simple_value?: number;
  histo?: HistoWire;
  tensor?: TensorProtoWire;
  [other: string]: unknown;
}

const summaryType = summaryMessageType("tensorflow.Summary");
const eventType = summaryMessageType("tensorflow.Event");
const metadataType = summaryMessageType("tensorflow.SummaryMetadata");

function metadataToWire(m: SummaryMetadata): MetadataWire {
  const w: MetadataWire = {};
  if (m.pluginData) w.plugin_data = { plugin_name: m.pluginData.pluginName, ...(m.pluginData.content ? { content: m.pluginData.content } : {}) };
  if (m.displayName !== undefined) w.display_name = m.displayName;
  if (m.summaryDescription !== undefined) w.summary_description = m.summaryDescription;
  return w;
}

function metadataFromWire(w: MetadataWire): SummaryMetadata {
  const m: SummaryMetadata = {};
  if (w.plugin_data) m.pluginData = { pluginName: w.plugin_data.plugin_name ?? "", content: plainBytes(w.plugin_data.content ?? new Uint8Array(0)) };
  if (w.display_name) m.displayName = w.display_name;
  if (w.summary_description) m.summaryDescription = w.summary_description;
  return m;
}

export function encodeSummaryMetadata(m: SummaryMetadata): Uint8Array {
  return metadataType.encode(metadataToWire(m)).finish();
}

export function decodeSummaryMetadata(bytes: Uint8Array): SummaryMetadata {
  return metadataFromWire(metadataType.decode(bytes) as unknown as MetadataWire);
}

export function summaryValueToWire(v: SummaryValue): SummaryValueWire {
  const w: SummaryValueWire = { tag: v.tag };
  if (v.nodeName !== undefined) w.node_name = v.nodeName;
  if (v.metadata) w.metadata = metadataToWire(v.metadata);
  if (v.simpleValue !== undefined) w.simple_value = v.simpleValue;
  if (v.histo) {
    const h = v.histo;
    w.histo = { min: h.min, max: h.max, num: h.num, sum: h.sum, sum_squares: h.sumSquares, bucket_limit: h.bucketLimit, bucket: h.bucket };
  }
  if (v.tensor) w.tensor = tensorToWire(v.tensor);
  return w;
}

export function summaryValueFromWire(w: SummaryValueWire): SummaryValue {
  const v: SummaryValue = { tag: w.tag ?? "" };
  if (w.node_name) v.nodeName = w.node_name;
  if (w.metadata) v.metadata = metadataFromWire(w.metadata);
  if (has(w, "simple_value")) v.simpleValue = w.simple_value!;
  if (w.histo) {
    const h = w.histo;
    v.histo = {
      min: h.min ?? 0,
      max: h.max ?? 0,
      num: h.num ?? 0,
      sum: h.sum ?? 0,
      sumSquares: h.sum_squares ?? 0,
      bucketLimit: [...(h.bucket_limit ?? [])],
      bucket: [...(h.bucket ?? [])],
    };
  }
  if (w.tensor) v.tensor = tensorFromWire(w.tensor);
  return v;
}

export function encodeSummary(s: SummaryProto): Uint8Array {
  return encodeSummaryValues(s.value.map(summaryValueToWire));
}

export function decodeSummary(bytes: Uint8Array): SummaryProto {
  return { value: decodeSummaryValues(bytes).map(summaryValueFromWire) };
}

/** A serialized Summary's values as protobufjs objects; InvalidArgument when the bytes are no Summary. */
export function decodeSummaryValues(bytes: Uint8Array): SummaryValueWire[] {
  try {
    return ((summaryType.decode(bytes) as unknown as { value?: SummaryValueWire[] }).value ?? []);
  } catch {
    throw new InvalidArgumentError("Could not parse one of the summary inputs");
  }
}

export function encodeSummaryValues(values: SummaryValueWire[]): Uint8Array {
  return summaryType.encode({ value: values }).finish();
}

interface EventWire {
  wall_time?: number;
  step?: Int64Wire;
  file_version?: string;
  graph_def?: Uint8Array;
  summary?: { value?: SummaryValueWire[] };
  log_message?: { level?: number; message?: string };
  session_log?: { status?: number; checkpoint_path?: string; msg?: string };
  tagged_run_metadata?: { tag?: string; run_metadata?: Uint8Array };
  meta_graph_def?: Uint8Array;
}

function eventToWire(e: EventProto): EventWire {
  const w: EventWire = { wall_time: e.wallTime };
  if (e.step !== undefined) w.step = e.step;
  if (e.fileVersion !== undefined) w.file_version = e.fileVersion;
  else if (e.graphDef) w.graph_def = e.graphDef;
  else if (e.summary) w.summary = { value: e.summary.value.map(summaryValueToWire) };
  else if (e.logMessage) w.log_message = { level: e.logMessage.level, message: e.logMessage.message };
  else if (e.sessionLog) {
    const s = e.sessionLog;
    w.session_log = { status: s.status, ...(s.checkpointPath ? { checkpoint_path: s.checkpointPath } : {}), ...(s.msg ? { msg: s.msg } : {}) };
  } else if (e.taggedRunMetadata) w.tagged_run_metadata = { tag: e.taggedRunMetadata.tag, run_metadata: e.taggedRunMetadata.runMetadata };
  else if (e.metaGraphDef) w.meta_graph_def = e.metaGraphDef;
  return w;
}

function eventFromWire(w: EventWire): EventProto {
  const e: EventProto = { wallTime: w.wall_time ?? 0 };
  if (has(w, "step")) e.step = toNumber(w.step);
  if (has(w, "file_version")) e.fileVersion = w.file_version!;
  // Bytes fields have a (truthy) empty default on the decoded prototype: test presence instead.
  if (has(w, "graph_def")) e.graphDef = plainBytes(w.graph_def!);
  if (has(w, "summary")) e.summary = { value: (w.summary!.value ?? []).map(summaryValueFromWire) };
  if (w.log_message) e.logMessage = { level: w.log_message.level ?? 0, message: w.log_message.message ?? "" };
  if (w.session_log) {
    const s = w.session_log;
    e.sessionLog = { status: s.status ?? 0, ...(s.checkpoint_path ? { checkpointPath: s.checkpoint_path } : {}), ...(s.msg ? { msg: s.msg } : {}) };
  }
  if (w.tagged_run_metadata) e.taggedRunMetadata = { tag: w.tagged_run_metadata.tag ?? "", runMetadata: plainBytes(w.tagged_run_metadata.run_metadata ?? new Uint8Array(0)) };
  if (has(w, "meta_graph_def")) e.metaGraphDef = plainBytes(w.meta_graph_def!);
  return e;
}

export function encodeEvent(e: EventProto): Uint8Array {
  return eventType.encode(eventToWire(e)).finish();
}

export function decodeEvent(bytes: Uint8Array): EventProto {
  return eventFromWire(eventType.decode(bytes) as unknown as EventWire);
}
