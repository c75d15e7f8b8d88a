export { createGrpcTransport, grpcTransport, type GrpcTransport } from "./transport.js";
export { DEFAULT_GRPC_CONFIG, type GrpcConfig } from "./config.js";
export { parseHostPort } from "./server.js";
export { MASTER_SERVICE, WORKER_SERVICE, type MethodSpec, type ServiceSpec } from "./methods.js";
