/**
 * A gRPC server for one task: both services on exactly the given "host:port" (port 0 → a free
 * port, reported in `address`). stop() is a bounded tryShutdown, then forceShutdown (B16).
 */
import { Server } from "@grpc/grpc-js";
import { InvalidArgumentError, UnavailableError, UnknownError } from "../../errors/index.js";
import { log, tracer } from "../../util/logger.js";
import type { ServeOptions, ServedServices, ServerHandle } from "../services.js";
import { serverOptions, type GrpcConfig } from "./config.js";
import { MASTER_SERVICE, WORKER_SERVICE } from "./methods.js";
import { checkServeSecurity, serverCredentials, tokenChecker } from "./security.js";
import { serviceDefinition, serviceHandlers, type HandlerContext } from "./server-handlers.js";

const trace = tracer("grpc");

/** Splits "host:port" or "[v6]:port"; TF answers a bad port with InvalidArgument. */
export function parseHostPort(address: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.%a-zA-Z]+\]|[^:\s[\]]+):(\d{1,5})$/.exec(address);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) {
    throw new InvalidArgumentError(`Could not parse host and port from address '${address}' (expected "host:port")`);
  }
  return { host: m[1]!, port };
}

function bind(server: Server, address: string, options: ServeOptions | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, serverCredentials(options), (err, port) => (err ? reject(err) : resolve(port)));
  });
}

export async function serveGrpc(
  address: string,
  services: ServedServices,
  options: ServeOptions | undefined,
  cfg: GrpcConfig,
): Promise<ServerHandle> {
  const { host } = parseHostPort(address);
  for (const w of checkServeSecurity(address, host, options)) log.warn(w);
  if (options?.maxTensorBytes !== undefined) cfg = { ...cfg, maxTensorBytes: options.maxTensorBytes };
  const server = new Server(serverOptions(cfg));
  const ctx: HandlerContext = { cfg, checkToken: tokenChecker(options?.token), inFlight: new Set() };
  server.addService(serviceDefinition(MASTER_SERVICE), serviceHandlers(MASTER_SERVICE, services.master, ctx));
  server.addService(serviceDefinition(WORKER_SERVICE), serviceHandlers(WORKER_SERVICE, services.worker, ctx));
  let port: number;
  try {
    port = await bind(server, address, options);
  } catch (err) {
    server.forceShutdown();
    if (err instanceof InvalidArgumentError) throw err;
    throw new UnknownError(`Could not start gRPC server at ${address}: ${(err as Error).message ?? String(err)}`);
  }
  const handle = new GrpcServerHandle(server, `${host}:${port}`, ctx, cfg);
  trace(`serving on ${handle.address}${options?.tls ? " (TLS)" : ""}${options?.token !== undefined ? " (token)" : ""}`);
  return handle;
}

class GrpcServerHandle implements ServerHandle {
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly server: Server,
    readonly address: string,
    private readonly ctx: HandlerContext,
    private readonly cfg: GrpcConfig,
  ) {}

  stop(options: { graceMs?: number } = {}): Promise<void> {
    this.stopping ??= this.shutdown(options.graceMs ?? this.cfg.stopGraceMs);
    return this.stopping;
  }

  private async shutdown(graceMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    // tryShutdown may never call back (grpc-node#1458, #1664): the grace timer bounds it.
    const graceful = new Promise<boolean>((resolve) => this.server.tryShutdown(() => resolve(true)));
    const expired = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, graceMs));
    });
    const clean = await Promise.race([graceful, expired]);
    clearTimeout(timer);
    if (clean) {
      trace(`stopped ${this.address}`);
      return;
    }
    trace(`stop of ${this.address}: ${this.ctx.inFlight.size} call(s) still running after ${graceMs} ms, forcing`);
    for (const c of this.ctx.inFlight) c.abort(new UnavailableError(`Server ${this.address} is shutting down`));
    this.server.forceShutdown();
  }
}
