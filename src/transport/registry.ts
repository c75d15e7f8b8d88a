/** Transports by URL scheme, loaded lazily so a program pays only for the transport it uses. */
import { NotFoundError } from "../errors/index.js";
import type { Transport, TransportName } from "./services.js";

const transports = new Map<string, () => Promise<Transport>>([
  ["inproc", async () => (await import("./inproc/inproc-transport.js")).inprocTransport],
  ["thread", async () => (await import("./thread/transport.js")).threadTransport],
  ["grpc", async () => (await import("./grpc/transport.js")).grpcTransport],
]);

/** Adds or replaces a transport loader (the three built-in ones are registered above). */
export function registerTransport(name: TransportName, load: () => Promise<Transport>): void {
  transports.set(name, load);
}

export async function getTransport(name: string): Promise<Transport> {
  const load = transports.get(name);
  if (!load) {
    throw new NotFoundError(
      `No session factory registered for the given session options: transport '${name}' (known: ${[...transports.keys()].join(", ")})`,
    );
  }
  return load();
}

/** Splits "grpc://host:port" into transport name and address. */
export function parseTarget(target: string): { transport: string; address: string } {
  const m = /^([a-z]+):\/\/(.+)$/.exec(target);
  if (!m) {
    throw new NotFoundError(`No session factory registered for the given session options: target '${target}' is not of the form <transport>://host:port`);
  }
  return { transport: m[1]!, address: m[2]! };
}
