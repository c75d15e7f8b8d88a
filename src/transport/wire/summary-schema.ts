/**
 * TensorFlow's summary.proto and event.proto (tf-training.md §7.3), as .proto text with TF's
 * message names and field numbers, so the files we write are the event files TensorBoard reads.
 * They live in a root of their own (built on the whole transport schema) so that adding
 * them cannot collide with the transport schema.
 */
import protobuf from "protobufjs";
import { TFCLUSTER_PROTO } from "./schema.js";
import { TENSORFLOW_PROTO } from "./schema-tensorflow.js";

export const SUMMARY_PROTO = `
syntax = "proto3";
package tensorflow;

message HistogramProto {
  double min = 1; double max = 2; double num = 3; double sum = 4; double sum_squares = 5;
  repeated double bucket_limit = 6 [packed = true];
  repeated double bucket = 7 [packed = true];
}

message SummaryMetadata {
  message PluginData { string plugin_name = 1; bytes content = 2; }
  PluginData plugin_data = 1;
  string display_name = 2;
  string summary_description = 3;
}

message Summary {
  message Image { int32 height = 1; int32 width = 2; int32 colorspace = 3; bytes encoded_image_string = 4; }
  message Audio {
    float sample_rate = 1; int64 num_channels = 2; int64 length_frames = 3;
    bytes encoded_audio_string = 4; string content_type = 5;
  }
  message Value {
    string node_name = 7;
    string tag = 1;
    SummaryMetadata metadata = 9;
    oneof value {
      float simple_value = 2;
      bytes obsolete_old_style_histogram = 3;
      Image image = 4;
      HistogramProto histo = 5;
      Audio audio = 6;
      TensorProto tensor = 8;
    }
  }
  repeated Value value = 1;
}

message LogMessage {
  enum Level { UNKNOWN = 0; DEBUGGING = 10; INFO = 20; WARN = 30; ERROR = 40; FATAL = 50; }
  Level level = 1;
  string message = 2;
}

message SessionLog {
  enum SessionStatus { STATUS_UNSPECIFIED = 0; START = 1; STOP = 2; CHECKPOINT = 3; }
  SessionStatus status = 1;
  string checkpoint_path = 2;
  string msg = 3;
}

message TaggedRunMetadata { string tag = 1; bytes run_metadata = 2; }

message Event {
  double wall_time = 1;
  int64 step = 2;
  oneof what {
    string file_version = 3;
    bytes graph_def = 4;
    Summary summary = 5;
    LogMessage log_message = 6;
    SessionLog session_log = 7;
    TaggedRunMetadata tagged_run_metadata = 8;
    bytes meta_graph_def = 9;
  }
}
`;

function buildRoot(): protobuf.Root {
  const root = new protobuf.Root();
  protobuf.parse(TENSORFLOW_PROTO, root, { keepCase: true });
  // TF's messages carry tfcluster's extensions (fields >= 100), so both schemas resolve together.
  protobuf.parse(TFCLUSTER_PROTO, root, { keepCase: true });
  protobuf.parse(SUMMARY_PROTO, root, { keepCase: true });
  root.resolveAll();
  return root;
}

const summaryRoot = buildRoot();

/** A message type of the summary schema by full name, e.g. "tensorflow.Event". */
export function summaryMessageType(fullName: string): protobuf.Type {
  return summaryRoot.lookupType(fullName);
}
