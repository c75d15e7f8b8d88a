export { ClusterSpec } from "./cluster-spec.js";
export type { ClusterSpecLike, ClusterDict } from "./cluster-spec.js";
export { parseTfConfig } from "./tf-config.js";
export type { TfConfig } from "./tf-config.js";
export { replicaDeviceSetter, RoundRobinStrategy, STANDARD_PS_OPS } from "./device-setter.js";
export type { ReplicaDeviceSetterOptions } from "./device-setter.js";
export { Server } from "./server.js";
export type { ServerOptions, ServerDef } from "./server.js";
