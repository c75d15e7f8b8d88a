/**
 * TensorFlow's own messages, as .proto text: message names and field numbers are TF 1.x's
 * (types.proto, tensor.proto, tensor_shape.proto, resource_handle.proto, attr_value.proto,
 * node_def.proto, graph.proto, config.proto, step_stats.proto, device_attributes.proto,
 * tensorflow_server.proto, master.proto, worker.proto, named_tensor.proto). Fields we never
 * read are left out; leaving a field out is wire-compatible (a peer's value is skipped).
 */
export const TENSORFLOW_PROTO = `
syntax = "proto3";
package tensorflow;

enum DataType {
  DT_INVALID = 0; DT_FLOAT = 1; DT_DOUBLE = 2; DT_INT32 = 3; DT_UINT8 = 4; DT_INT16 = 5;
  DT_INT8 = 6; DT_STRING = 7; DT_COMPLEX64 = 8; DT_INT64 = 9; DT_BOOL = 10; DT_QINT8 = 11;
  DT_QUINT8 = 12; DT_QINT32 = 13; DT_BFLOAT16 = 14; DT_QINT16 = 15; DT_QUINT16 = 16;
  DT_UINT16 = 17; DT_COMPLEX128 = 18; DT_HALF = 19; DT_RESOURCE = 20; DT_VARIANT = 21;
  DT_UINT32 = 22; DT_UINT64 = 23;
}

message TensorShapeProto {
  message Dim { int64 size = 1; string name = 2; }
  repeated Dim dim = 2;
  bool unknown_rank = 3;
}

message ResourceHandleProto {
  string device = 1; string container = 2; string name = 3;
  uint64 hash_code = 4; string maybe_type_name = 5;
}

message TensorProto {
  DataType dtype = 1;
  TensorShapeProto tensor_shape = 2;
  int32 version_number = 3;
  bytes tensor_content = 4;
  repeated int32 half_val = 13 [packed = true];
  repeated float float_val = 5 [packed = true];
  repeated double double_val = 6 [packed = true];
  repeated int32 int_val = 7 [packed = true];
  repeated bytes string_val = 8;
  repeated float scomplex_val = 9 [packed = true];
  repeated int64 int64_val = 10 [packed = true];
  repeated bool bool_val = 11 [packed = true];
  repeated double dcomplex_val = 12 [packed = true];
  repeated ResourceHandleProto resource_handle_val = 14;
  repeated uint32 uint32_val = 16 [packed = true];
  repeated uint64 uint64_val = 17 [packed = true];
}

message AttrValue {
  message ListValue {
    repeated bytes s = 2;
    repeated int64 i = 3 [packed = true];
    repeated float f = 4 [packed = true];
    repeated bool b = 5 [packed = true];
    repeated DataType type = 6 [packed = true];
    repeated TensorShapeProto shape = 7;
    repeated TensorProto tensor = 8;
    repeated NameAttrList func = 9;
  }
  oneof value {
    bytes s = 2; int64 i = 3; float f = 4; bool b = 5; DataType type = 6;
    TensorShapeProto shape = 7; TensorProto tensor = 8; ListValue list = 1;
    NameAttrList func = 10; string placeholder = 9;
  }
}

message NameAttrList { string name = 1; map<string, AttrValue> attr = 2; }

message NodeDef {
  string name = 1; string op = 2; repeated string input = 3; string device = 4;
  map<string, AttrValue> attr = 5;
}

message VersionDef { int32 producer = 1; int32 min_consumer = 2; repeated int32 bad_consumers = 3; }

message GraphDef {
  repeated NodeDef node = 1;
  VersionDef versions = 4;
  int32 version = 3 [deprecated = true];
}

message JobDef { string name = 1; map<int32, string> tasks = 2; }
message ClusterDef { repeated JobDef job = 1; }

message ConfigProto {
  map<string, int32> device_count = 1;
  int32 intra_op_parallelism_threads = 2;
  int32 placement_period = 3;
  repeated string device_filters = 4;
  int32 inter_op_parallelism_threads = 5;
  bool allow_soft_placement = 7;
  bool log_device_placement = 8;
  bool use_per_session_threads = 9;
  int64 operation_timeout_in_ms = 11;
  ClusterDef cluster_def = 14;
  bool isolate_session_state = 15;
}

message ServerDef {
  ClusterDef cluster = 1; string job_name = 2; int32 task_index = 3;
  ConfigProto default_session_config = 4; string protocol = 5; int32 port = 6;
}

message RunOptions {
  enum TraceLevel { NO_TRACE = 0; SOFTWARE_TRACE = 1; HARDWARE_TRACE = 2; FULL_TRACE = 3; }
  TraceLevel trace_level = 1;
  int64 timeout_in_ms = 2;
  int32 inter_op_thread_pool = 3;
  bool output_partition_graphs = 5;
  bool report_tensor_allocations_upon_oom = 7;
}

message NodeExecStats {
  string node_name = 1;
  int64 all_start_micros = 2; int64 op_start_rel_micros = 3;
  int64 op_end_rel_micros = 4; int64 all_end_rel_micros = 5;
  string timeline_label = 8; int64 scheduled_micros = 9; uint32 thread_id = 10;
}
message DeviceStepStats { string device = 1; repeated NodeExecStats node_stats = 2; }
message StepStats { repeated DeviceStepStats dev_stats = 1; }
message RunMetadata { StepStats step_stats = 1; repeated GraphDef partition_graphs = 3; }

message CallableOptions {
  repeated string feed = 1; repeated string fetch = 2; repeated string target = 3;
  RunOptions run_options = 4;
  map<string, string> feed_devices = 6; map<string, string> fetch_devices = 7; bool fetch_skip_sync = 8;
}

message DeviceAttributes {
  string name = 1; string device_type = 2; int64 memory_limit = 4;
  fixed64 incarnation = 6; string physical_device_desc = 7;
}

message NamedTensorProto { string name = 1; TensorProto tensor = 2; }

// ---- master.proto (status_code fields carry error.Code; an int32 on the wire) ----
message CreateSessionRequest { GraphDef graph_def = 1; ConfigProto config = 2; string target = 3; }
message CreateSessionResponse { string session_handle = 1; int64 graph_version = 2; }
message ExtendSessionRequest {
  string session_handle = 1; GraphDef graph_def = 2; int64 current_graph_version = 3;
}
message ExtendSessionResponse { int64 new_graph_version = 4; }
message RunStepRequest {
  string session_handle = 1; repeated NamedTensorProto feed = 2; repeated string fetch = 3;
  repeated string target = 4; RunOptions options = 5; string partial_run_handle = 6;
  bool store_errors_in_response_body = 7; int64 request_id = 8;
}
message RunStepResponse {
  repeated NamedTensorProto tensor = 1; RunMetadata metadata = 2;
  int32 status_code = 3; string status_error_message = 4;
}
message CloseSessionRequest { string session_handle = 1; }
message CloseSessionResponse {}
message ListDevicesRequest { string session_handle = 1; }
message ListDevicesResponse {
  repeated DeviceAttributes local_device = 1; repeated DeviceAttributes remote_device = 2;
  // tfcluster's addition (TF clients skip it): the tasks that did not answer.
  repeated tfcluster.TaskStatusProto tfcluster_missing_task = 100;
}
message ResetRequest { repeated string container = 1; repeated string device_filters = 2; }
message ResetResponse {}
message MakeCallableRequest { string session_handle = 1; CallableOptions options = 2; int64 request_id = 3; }
message MakeCallableResponse { int64 handle = 1; }
message RunCallableRequest {
  string session_handle = 1; int64 handle = 2; repeated TensorProto feed = 3; int64 request_id = 4;
}
message RunCallableResponse { repeated TensorProto fetch = 1; RunMetadata metadata = 2; }
message ReleaseCallableRequest { string session_handle = 1; int64 handle = 2; }
message ReleaseCallableResponse {}

// ---- worker.proto ----
message GetStatusRequest {}
message GetStatusResponse { repeated DeviceAttributes device_attributes = 1; }
message CreateWorkerSessionRequest {
  string session_handle = 1; ServerDef server_def = 2; bool isolate_session_state = 3;
  string master_task = 5; int64 master_incarnation = 6;
}
message CreateWorkerSessionResponse {}
message DeleteWorkerSessionRequest { string session_handle = 1; }
message DeleteWorkerSessionResponse {}
message RegisterGraphRequest {
  string session_handle = 1; bool create_worker_session_called = 6; GraphDef graph_def = 2;
  bool has_control_flow = 3 [deprecated = true]; ConfigProto config_proto = 8;
}
message RegisterGraphResponse { string graph_handle = 1; }
message DeregisterGraphRequest {
  string session_handle = 2; bool create_worker_session_called = 3; string graph_handle = 1;
}
message DeregisterGraphResponse {}
message ExecutorOpts {
  bool record_costs = 1; bool record_timeline = 3; bool record_partition_graphs = 4;
  bool report_tensor_allocations_upon_oom = 5;
}
message RunGraphRequest {
  string session_handle = 8; bool create_worker_session_called = 10; string graph_handle = 1;
  int64 step_id = 2; ExecutorOpts exec_opts = 5; repeated NamedTensorProto send = 3;
  repeated string recv_key = 4; bool is_partial = 6; bool is_last_partial_run = 7;
  bool store_errors_in_response_body = 9; int64 request_id = 11;
}
message RunGraphResponse {
  repeated NamedTensorProto recv = 1; StepStats step_stats = 2;
  repeated GraphDef partition_graph = 4; int32 status_code = 5; string status_error_message = 6;
}
message CleanupGraphRequest { int64 step_id = 1; }
message CleanupGraphResponse {}
message CleanupAllRequest { repeated string container = 1; }
message CleanupAllResponse {}
message RecvTensorRequest {
  int64 step_id = 1; string rendezvous_key = 2; bool dma_ok = 3; int64 request_id = 7;
}
message RecvTensorResponse {
  TensorProto tensor = 1; bool is_dead = 2; int64 send_start_micros = 3;
}
`;
