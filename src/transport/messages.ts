/**
 * Protocol messages of the master and worker services, shaped like TensorFlow's master.proto /
 * worker.proto (field numbers are in the wire schema). Every transport carries exactly these.
 */
import type { GraphDef } from "../graph/graph-def.js";
import type { NDArray } from "../tensor/ndarray.js";

export interface ConfigProto {
  allowSoftPlacement?: boolean;
  logDevicePlacement?: boolean;
  operationTimeoutInMs?: number;
  deviceFilters?: string[];
  isolateSessionState?: boolean;
}

export interface RunOptions {
  timeoutInMs?: number;
  traceLevel?: "none" | "full";
  /** Return the partitions this step ran in RunMetadata.partitionGraphs (TF's output_partition_graphs). */
  outputPartitionGraphs?: boolean;
}

export interface NodeExecStats {
  nodeName: string;
  allStartMicros: number;
  opStartRelMicros: number;
  opEndRelMicros: number;
  allEndRelMicros: number;
  timelineLabel: string;
}

export interface DeviceStepStats {
  device: string;
  nodeStats: NodeExecStats[];
}

export interface StepStats {
  devStats: DeviceStepStats[];
}

export interface RunMetadata {
  stepStats?: StepStats;
  /** The GraphDef of each partition the step ran, when RunOptions.outputPartitionGraphs asked. */
  partitionGraphs?: GraphDef[];
}

export interface NamedTensor {
  name: string;
  tensor: NDArray;
}

export interface DeviceAttributes {
  /** Full device name: /job:ps/replica:0/task:0/device:CPU:0 */
  name: string;
  deviceType: string;
  memoryLimitBytes: number;
  /** 64-bit, fresh at every start of the task. */
  incarnation: bigint;
}

// ---- MasterService ----
export interface CreateSessionRequest {
  graphDef: GraphDef;
  config: ConfigProto;
  target: string;
}
export interface CreateSessionResponse {
  sessionHandle: string;
  graphVersion: number;
}
export interface ExtendSessionRequest {
  sessionHandle: string;
  graphDef: GraphDef;
  currentGraphVersion: number;
}
export interface ExtendSessionResponse {
  newGraphVersion: number;
}
export interface RunStepRequest {
  sessionHandle: string;
  feed: NamedTensor[];
  fetch: string[];
  target: string[];
  options: RunOptions;
}
export interface RunStepResponse {
  tensor: NamedTensor[];
  metadata?: RunMetadata;
}
export interface CloseSessionRequest {
  sessionHandle: string;
}
export interface ListDevicesRequest {
  sessionHandle?: string;
}
export interface ListDevicesResponse {
  localDevice: DeviceAttributes[];
  remoteDevice: DeviceAttributes[];
  /** Tasks of the cluster that did not answer (tfcluster's field 100). */
  missingTask?: TaskStatus[];
}
export interface ResetRequest {
  container: string[];
  deviceFilters: string[];
}
export type Empty = Record<string, never>;

/** TF's CallableOptions: a step signature fixed once, run many times by handle (MakeCallable). */
export interface CallableOptions {
  feed: string[];
  fetch: string[];
  target: string[];
  runOptions: RunOptions;
}
export interface MakeCallableRequest {
  sessionHandle: string;
  options: CallableOptions;
}
export interface MakeCallableResponse {
  handle: number;
}
export interface RunCallableRequest {
  sessionHandle: string;
  handle: number;
  /** One value per CallableOptions.feed, in that order. */
  feed: NDArray[];
}
export interface RunCallableResponse {
  /** One value per CallableOptions.fetch, in that order. */
  fetch: NDArray[];
  metadata?: RunMetadata;
}
export interface ReleaseCallableRequest {
  sessionHandle: string;
  handle: number;
}

// ---- WorkerService ----
export interface GetStatusResponse {
  deviceAttributes: DeviceAttributes[];
}
export interface CreateWorkerSessionRequest {
  sessionHandle: string;
  isolateSessionState: boolean;
  /** The master's task ("/job:worker/replica:0/task:0") and incarnation (TF 2.x fields 5, 6): a
   *  worker drops the sessions of an older incarnation of that master (it restarted). */
  masterTask?: string;
  masterIncarnation?: bigint;
}
export interface DeleteWorkerSessionRequest {
  sessionHandle: string;
}
export interface RegisterGraphRequest {
  sessionHandle: string;
  graphDef: GraphDef;
}
export interface RegisterGraphResponse {
  graphHandle: string;
}
export interface DeregisterGraphRequest {
  sessionHandle: string;
  graphHandle: string;
}
export interface RunGraphRequest {
  sessionHandle: string;
  graphHandle: string;
  stepId: number;
  execOpts: { recordTimeline: boolean };
  /** Values for the partition's client-terminated _Recv nodes (feeds), by tensor name. */
  send: NamedTensor[];
  /** Names of the client-terminated _Send nodes (fetches) to return. */
  recvKey: string[];
}
export interface RunGraphResponse {
  recv: NamedTensor[];
  stepStats?: StepStats;
}
export interface CleanupGraphRequest {
  stepId: number;
}
export interface CleanupAllRequest {
  container: string[];
}
export interface RecvTensorRequest {
  stepId: number;
  rendezvousKey: string;
}
export interface RecvTensorResponse {
  tensor: NDArray;
}

/** One resource for the status report (tfcluster status): queues and what waits on them. */
export interface ResourceStatus {
  device: string;
  container: string;
  kind: string;
  name: string;
  details: Record<string, unknown>;
}
/** Whether one task of the cluster answered a status request (the master's view). */
export interface TaskStatus {
  /** "/job:ps/replica:0/task:0" */
  task: string;
  address: string;
  reachable: boolean;
  /** Why it did not answer (reachable false). */
  error?: string;
}
export interface ResourceStatusResponse {
  resource: ResourceStatus[];
  /** Every task of the cluster, as MasterService.resourceStatus saw it (absent from a worker). */
  task?: TaskStatus[];
}

/** TF's ClusterDef / JobDef: job name → task index → "host:port". */
export interface JobDef {
  name: string;
  tasks: Record<number, string>;
}
export interface ClusterDef {
  job: JobDef[];
}
