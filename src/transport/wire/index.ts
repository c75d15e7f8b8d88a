/**
 * The wire codec: our protocol messages ↔ protobuf bytes with TensorFlow's message names and
 * field numbers (`encodeX(msg): Uint8Array`, `decodeX(bytes): msg`, and `xCodec` objects).
 */
export * from "./proto.js";
export { root, messageType } from "./schema.js";
export * from "./tensor-codec.js";
export * from "./graph-codec.js";
export * from "./common-codec.js";
export * from "./master-codec.js";
export * from "./worker-codec.js";
export * from "./callable-codec.js";
