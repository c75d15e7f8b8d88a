/** Importing this module makes "grpc://" targets resolve to the gRPC transport (loaded lazily). */
import { registerTransport } from "../registry.js";

registerTransport("grpc", async () => (await import("./transport.js")).grpcTransport);
