import { describe, expect, it } from "vitest";
import type { GraphDef } from "../../../../src/graph/graph-def.js";
import { NDArray } from "../../../../src/tensor/index.js";
import type * as m from "../../../../src/transport/messages.js";
import * as wire from "../../../../src/transport/wire/index.js";
import type { MessageCodec } from "../../../../src/transport/wire/index.js";

const t = (name: string, data: number[]): m.NamedTensor => ({ name, tensor: new NDArray("float32", [data.length], Float32Array.from(data)) });
const graph: GraphDef = {
  node: [{ name: "a", op: "Placeholder", input: [], device: "/job:worker/task:0", attr: { dtype: { type: "float32" }, shape: { shape: [null, 3] } } }],
  versions: { producer: 1, minConsumer: 0 },
};
const device = (name: string): m.DeviceAttributes => ({ name, deviceType: "CPU", memoryLimitBytes: 2 ** 34, incarnation: 2n ** 63n + 7n });
const stepStats: m.StepStats = {
  devStats: [
    {
      device: "/job:worker/replica:0/task:0/device:CPU:0",
      nodeStats: [{ nodeName: "a", allStartMicros: 1_700_000_000_000_000, opStartRelMicros: 1, opEndRelMicros: 5, allEndRelMicros: 6, timelineLabel: "a = Placeholder()" }],
    },
  ],
};

/** [codec, a full message, a minimal message] for every request and response of both services. */
const CASES: [string, MessageCodec<unknown>, unknown[]][] = [
  ["CreateSessionRequest", wire.createSessionRequestCodec, [
    { graphDef: graph, config: { allowSoftPlacement: true, logDevicePlacement: false, operationTimeoutInMs: 5000, deviceFilters: ["/job:ps", "/job:worker/task:1"], isolateSessionState: true }, target: "grpc://localhost:2222" },
    { graphDef: { node: [] }, config: {}, target: "" },
  ]],
  ["CreateSessionResponse", wire.createSessionResponseCodec, [{ sessionHandle: "s-1a2b", graphVersion: 3 }, { sessionHandle: "", graphVersion: 0 }]],
  ["ExtendSessionRequest", wire.extendSessionRequestCodec, [{ sessionHandle: "s", graphDef: graph, currentGraphVersion: 4 }]],
  ["ExtendSessionResponse", wire.extendSessionResponseCodec, [{ newGraphVersion: 5 }]],
  ["RunStepRequest", wire.runStepRequestCodec, [
    { sessionHandle: "s", feed: [t("a:0", [1, 2, 3])], fetch: ["b:0", "c:1"], target: ["init"], options: { timeoutInMs: 250, traceLevel: "full" } },
    { sessionHandle: "s", feed: [], fetch: [], target: [], options: { traceLevel: "none" } },
    { sessionHandle: "s", feed: [], fetch: [], target: [], options: {} },
  ]],
  ["RunStepResponse", wire.runStepResponseCodec, [
    { tensor: [t("b:0", [4]), t("c:1", [])], metadata: { stepStats } },
    { tensor: [], metadata: {} },
    { tensor: [] },
  ]],
  ["CloseSessionRequest", wire.closeSessionRequestCodec, [{ sessionHandle: "s" }]],
  ["ListDevicesRequest", wire.listDevicesRequestCodec, [{ sessionHandle: "s" }, { sessionHandle: "" }, {}]],
  ["ListDevicesResponse", wire.listDevicesResponseCodec, [
    { localDevice: [device("/job:w/replica:0/task:0/device:CPU:0")], remoteDevice: [device("/job:ps/replica:0/task:0/device:CPU:0"), device("/job:ps/replica:0/task:0/device:GPU:0")] },
    { localDevice: [], remoteDevice: [] },
  ]],
  ["ResetRequest", wire.resetRequestCodec, [{ container: ["ps", "experiment"], deviceFilters: ["/job:ps"] }, { container: [], deviceFilters: [] }]],
  ["Empty", wire.emptyCodec, [{}]],
  ["GetStatusResponse", wire.getStatusResponseCodec, [{ deviceAttributes: [device("/job:w/replica:0/task:3/device:CPU:0")] }]],
  ["CreateWorkerSessionRequest", wire.createWorkerSessionRequestCodec, [{ sessionHandle: "s", isolateSessionState: true }, { sessionHandle: "s", isolateSessionState: false }, { sessionHandle: "s", isolateSessionState: false, masterTask: "/job:w/replica:0/task:0", masterIncarnation: 2n ** 64n - 3n }]],
  ["DeleteWorkerSessionRequest", wire.deleteWorkerSessionRequestCodec, [{ sessionHandle: "s" }]],
  ["RegisterGraphRequest", wire.registerGraphRequestCodec, [{ sessionHandle: "s", graphDef: graph }]],
  ["RegisterGraphResponse", wire.registerGraphResponseCodec, [{ graphHandle: "g-17" }]],
  ["DeregisterGraphRequest", wire.deregisterGraphRequestCodec, [{ sessionHandle: "s", graphHandle: "g-17" }]],
  ["RunGraphRequest", wire.runGraphRequestCodec, [
    { sessionHandle: "s", graphHandle: "g", stepId: 2 ** 50 + 1, execOpts: { recordTimeline: true }, send: [t("feed/_0", [1, 2])], recvKey: ["fetch/_1"] },
    { sessionHandle: "", graphHandle: "g", stepId: 0, execOpts: { recordTimeline: false }, send: [], recvKey: [] },
  ]],
  ["RunGraphResponse", wire.runGraphResponseCodec, [{ recv: [t("fetch/_1", [9])], stepStats }, { recv: [], stepStats: { devStats: [] } }, { recv: [] }]],
  ["CleanupGraphRequest", wire.cleanupGraphRequestCodec, [{ stepId: 123456789012 }]],
  ["CleanupAllRequest", wire.cleanupAllRequestCodec, [{ container: ["ps"] }, { container: [] }]],
  ["RecvTensorRequest", wire.recvTensorRequestCodec, [{ stepId: 77, rendezvousKey: "/job:ps/replica:0/task:0/device:CPU:0;1;/job:worker/replica:0/task:0/device:CPU:0;edge_1_x;0:0" }]],
  ["RecvTensorResponse", wire.recvTensorResponseCodec, [{ tensor: new NDArray("int64", [2], BigInt64Array.of(-1n, 2n ** 62n)) }]],
  ["ResourceStatusResponse", wire.resourceStatusResponseCodec, [
    { resource: [{ device: "/job:ps/replica:0/task:0/device:CPU:0", container: "ps", kind: "FIFOQueue", name: "q", details: { size: 3, capacity: 10, closed: false, waiters: [{ op: "dequeue", waitedMs: 1500 }] } }] },
    { resource: [] },
  ]],
  ["ClusterDef", wire.clusterDefCodec, [{ job: [{ name: "ps", tasks: { 0: "localhost:2222" } }, { name: "worker", tasks: { 0: "w0:2222", 3: "w3:2222" } }] }]],
  ["ConfigProto", wire.configProtoCodec, [{ operationTimeoutInMs: 0, allowSoftPlacement: false }, {}]],
  ["RunMetadata", wire.runMetadataCodec, [{ stepStats }, {}]],
];

describe("master and worker messages", () => {
  for (const [name, c, messages] of CASES) {
    messages.forEach((msg, i) => {
      it(`round-trips ${name} #${i}`, () => {
        expect(c.decode(c.encode(msg))).toEqual(msg);
      });
    });
  }

  it("writes bigint resource details as decimal strings", () => {
    const c = wire.resourceStatusResponseCodec;
    const back = c.decode(c.encode({ resource: [{ device: "d", container: "c", kind: "k", name: "n", details: { bytes: 2n ** 64n } }] }));
    expect(back.resource[0]!.details).toEqual({ bytes: "18446744073709551616" });
  });
});

/** Field numbers from TF's master.proto / worker.proto (reference §5). */
const FIELD_NUMBERS: Record<string, Record<string, number>> = {
  CreateSessionRequest: { graph_def: 1, config: 2, target: 3 },
  CreateSessionResponse: { session_handle: 1, graph_version: 2 },
  ExtendSessionRequest: { session_handle: 1, graph_def: 2, current_graph_version: 3 },
  ExtendSessionResponse: { new_graph_version: 4 },
  RunStepRequest: { session_handle: 1, feed: 2, fetch: 3, target: 4, options: 5, partial_run_handle: 6, store_errors_in_response_body: 7, request_id: 8 },
  RunStepResponse: { tensor: 1, metadata: 2, status_code: 3, status_error_message: 4 },
  CloseSessionRequest: { session_handle: 1 },
  ListDevicesRequest: { session_handle: 1 },
  ListDevicesResponse: { local_device: 1, remote_device: 2 },
  ResetRequest: { container: 1, device_filters: 2 },
  GetStatusResponse: { device_attributes: 1 },
  CreateWorkerSessionRequest: { session_handle: 1, server_def: 2, isolate_session_state: 3, master_task: 5, master_incarnation: 6 },
  DeleteWorkerSessionRequest: { session_handle: 1 },
  RegisterGraphRequest: { session_handle: 1, create_worker_session_called: 6, graph_def: 2, config_proto: 8 },
  RegisterGraphResponse: { graph_handle: 1 },
  DeregisterGraphRequest: { session_handle: 2, create_worker_session_called: 3, graph_handle: 1 },
  RunGraphRequest: { session_handle: 8, create_worker_session_called: 10, graph_handle: 1, step_id: 2, exec_opts: 5, send: 3, recv_key: 4, is_partial: 6, is_last_partial_run: 7, store_errors_in_response_body: 9, request_id: 11 },
  ExecutorOpts: { record_costs: 1, record_timeline: 3, record_partition_graphs: 4, report_tensor_allocations_upon_oom: 5 },
  RunGraphResponse: { recv: 1, step_stats: 2, partition_graph: 4, status_code: 5, status_error_message: 6 },
  CleanupGraphRequest: { step_id: 1 },
  CleanupAllRequest: { container: 1 },
  RecvTensorRequest: { step_id: 1, rendezvous_key: 2, dma_ok: 3, request_id: 7 },
  RecvTensorResponse: { tensor: 1, is_dead: 2, send_start_micros: 3 },
  NamedTensorProto: { name: 1, tensor: 2 },
  RunOptions: { trace_level: 1, timeout_in_ms: 2, inter_op_thread_pool: 3, output_partition_graphs: 5, report_tensor_allocations_upon_oom: 7 },
  ConfigProto: { device_count: 1, intra_op_parallelism_threads: 2, placement_period: 3, device_filters: 4, inter_op_parallelism_threads: 5, allow_soft_placement: 7, log_device_placement: 8, use_per_session_threads: 9, operation_timeout_in_ms: 11, cluster_def: 14, isolate_session_state: 15 },
  ServerDef: { cluster: 1, job_name: 2, task_index: 3, default_session_config: 4, protocol: 5 },
  JobDef: { name: 1, tasks: 2 },
  ClusterDef: { job: 1 },
  TensorProto: { dtype: 1, tensor_shape: 2, version_number: 3, tensor_content: 4, float_val: 5, double_val: 6, int_val: 7, string_val: 8, int64_val: 10, bool_val: 11, resource_handle_val: 14 },
  ResourceHandleProto: { device: 1, container: 2, name: 3, hash_code: 4, maybe_type_name: 5 },
  TensorShapeProto: { dim: 2, unknown_rank: 3 },
  "TensorShapeProto.Dim": { size: 1, name: 2 },
  AttrValue: { list: 1, s: 2, i: 3, f: 4, b: 5, type: 6, shape: 7, tensor: 8, placeholder: 9, func: 10 },
  "AttrValue.ListValue": { s: 2, i: 3, f: 4, b: 5, type: 6, shape: 7, tensor: 8 },
  VersionDef: { producer: 1, min_consumer: 2 },
  DeviceAttributes: { name: 1, device_type: 2, memory_limit: 4, incarnation: 6 },
  StepStats: { dev_stats: 1 },
  RunMetadata: { step_stats: 1, partition_graphs: 3 },
};

describe("schema field numbers", () => {
  for (const [type, fields] of Object.entries(FIELD_NUMBERS)) {
    it(`tensorflow.${type}`, () => {
      const T = wire.messageType(`tensorflow.${type}`);
      const actual = Object.fromEntries(Object.keys(fields).map((f) => [f, T.fields[f]?.id]));
      expect(actual).toEqual(fields);
    });
  }
});
