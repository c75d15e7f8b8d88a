/**
 * The protobuf schema, parsed once from embedded .proto text (no codegen step): TensorFlow's
 * messages (schema-tensorflow.ts) plus our own few in package `tfcluster`.
 * Field names are kept as written (snake_case) so the schema reads like TF's protos.
 */
import protobuf from "protobufjs";
import { TENSORFLOW_PROTO } from "./schema-tensorflow.js";

/** Messages TensorFlow does not have: the resource report and the chunked-stream header. */
export const TFCLUSTER_PROTO = `
syntax = "proto3";
package tfcluster;

message ResourceStatusRequest {}
message ResourceStatusProto {
  string device = 1; string container = 2; string kind = 3; string name = 4;
  // Free-form details (queue size, capacity, waiters), as JSON text.
  string details_json = 5;
}
message TaskStatusProto { string task = 1; string address = 2; bool reachable = 3; string error = 4; }
message ResourceStatusResponse { repeated ResourceStatusProto resource = 1; repeated TaskStatusProto task = 2; }

// A tensor whose bytes follow the stream head as raw chunks instead of inside it.
message OutOfBandTensor {
  uint32 slot = 1;
  tensorflow.DataType dtype = 2;
  repeated int64 dim = 3 [packed = true];
  uint64 byte_length = 4;
}
// First message of a chunked call: the request/response with out-of-band tensors left empty.
message TensorStreamHead {
  bytes message = 1;
  repeated OutOfBandTensor tensor = 2;
}
`;

function buildRoot(): protobuf.Root {
  const root = new protobuf.Root();
  protobuf.parse(TENSORFLOW_PROTO, root, { keepCase: true });
  protobuf.parse(TFCLUSTER_PROTO, root, { keepCase: true });
  root.resolveAll();
  return root;
}

export const root: protobuf.Root = buildRoot();

const types = new Map<string, protobuf.Type>();

/** A message type by full name, e.g. "tensorflow.TensorProto". */
export function messageType(fullName: string): protobuf.Type {
  let t = types.get(fullName);
  if (!t) {
    t = root.lookupType(fullName);
    types.set(fullName, t);
  }
  return t;
}
