/**
 * tf.train.Server: a server (master + worker service) for one task of a cluster.
 * @example
 * const server = await tf.train.Server.create({ps: ["localhost:2221"], worker: ["localhost:2222"]},
 *   {jobName: "worker", taskIndex: 0, transport: "grpc"});
 * await server.join();
 */
import { EngineServer } from "../engine/server.js";
import type { EngineServerOptions } from "../engine/server.js";
import { FileAccess } from "../engine/io/file-access.js";
import { InvalidArgumentError } from "../errors/index.js";
import type { BackendName } from "../engine/compute/backend.js";
import type { ConfigProto } from "../transport/messages.js";
import { getTransport } from "../transport/registry.js";
import type { SecurityOptions, TlsOptions, TransportName } from "../transport/services.js";
import { makeEnv } from "../util/env.js";
import { ClusterSpec } from "./cluster-spec.js";
import type { ClusterSpecLike } from "./cluster-spec.js";

export interface ServerOptions {
  jobName?: string;
  taskIndex?: number;
  /** "grpc" (default, as TF's protocol), "thread" or "inproc". */
  transport?: TransportName;
  config?: ConfigProto;
  tls?: TlsOptions;
  /** Shared cluster token required on every call. */
  token?: string;
  virtualGpus?: number;
  backend?: BackendName;
  seed?: number;
  /** Warn about steps still running after this many ms, naming what they wait on (default 10 s; 0: never). */
  stuckWarnMs?: number;
  /** Directories graph kernels may read (readers, readFile, matchingFiles, restore); default: the working directory. */
  allowRead?: string[];
  /** Directories graph kernels may write (the Saver); default: the working directory. */
  allowWrite?: string[];
  /** Serve a non-loopback address with neither a token nor TLS client certificates (refused without it). */
  insecure?: boolean;
  /** The largest tensor a peer may make this task allocate, in bytes (default 256 MiB). */
  maxTensorBytes?: number;
}

export interface ServerDef {
  cluster: ClusterSpec;
  jobName: string;
  taskIndex: number;
  protocol: TransportName;
  defaultSessionConfig: ConfigProto;
}

/** The token and TLS of `options`; an empty or blank token is an error, never "no auth". */
function securityOf(options: ServerOptions): SecurityOptions {
  if (options.token !== undefined && (typeof options.token !== "string" || options.token.trim() === "")) {
    throw new InvalidArgumentError("Server.create: `token` is empty; give a non-empty cluster token, or none");
  }
  return {
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.token !== undefined ? { token: options.token } : {}),
  };
}

/** File roots (the working directory unless told otherwise), the tensor budget, `insecure`. */
async function limitsOf(options: ServerOptions): Promise<Pick<EngineServerOptions, "files" | "maxTensorBytes" | "insecure">> {
  const max = options.maxTensorBytes;
  if (max !== undefined && !(Number.isInteger(max) && max > 0)) {
    throw new InvalidArgumentError(`Server.create: maxTensorBytes must be a positive integer, got ${String(max)}`);
  }
  return {
    files: await FileAccess.create({
      ...(options.allowRead ? { allowRead: options.allowRead } : {}),
      ...(options.allowWrite ? { allowWrite: options.allowWrite } : {}),
    }),
    ...(max !== undefined ? { maxTensorBytes: max } : {}),
    ...(options.insecure ? { insecure: true } : {}),
  };
}

export class Server {
  private constructor(
    private readonly engine: EngineServer,
    readonly serverDef: ServerDef,
  ) {}

  /** Starts a server for task (jobName, taskIndex) of `cluster`. */
  static async create(cluster: ClusterSpecLike, options: ServerOptions = {}): Promise<Server> {
    let spec: ClusterSpec;
    try {
      spec = new ClusterSpec(cluster);
    } catch {
      throw new TypeError("Could not convert `server_or_cluster_def` to a `tf.train.ServerDef` or `tf.train.ClusterSpec`.");
    }
    let jobName = options.jobName;
    if (jobName === undefined) {
      if (spec.jobs.length !== 1) throw new TypeError("Must specify an explicit `job_name`.");
      jobName = spec.jobs[0]!;
    }
    let taskIndex = options.taskIndex;
    if (taskIndex === undefined) {
      const indices = spec.jobs.includes(jobName) ? spec.taskIndices(jobName) : [];
      if (indices.length !== 1) throw new TypeError("Must specify an explicit `task_index`.");
      taskIndex = indices[0]!;
    }
    const protocol = options.transport ?? "grpc";
    const transport = await getTransport(protocol);
    const security = securityOf(options);
    const limits = await limitsOf(options);
    const engine = await EngineServer.start({
      cluster: spec.asClusterDef(),
      jobName,
      taskIndex,
      transport,
      env: makeEnv(options.seed),
      ...(options.config ? { config: options.config } : {}),
      ...(options.virtualGpus ? { virtualGpus: options.virtualGpus } : {}),
      ...(options.backend ? { backend: options.backend } : {}),
      ...(options.stuckWarnMs !== undefined ? { stuckWarnMs: options.stuckWarnMs } : {}),
      security,
      ...limits,
    });
    const def: ServerDef = {
      cluster: new ClusterSpec(engine.clusterDef),
      jobName,
      taskIndex,
      protocol,
      defaultSessionConfig: options.config ?? {},
    };
    return new Server(engine, def);
  }

  /** A single-task server on a free port: job "local" (TF 1.x's create_local_server). */
  static createLocalServer(options: Omit<ServerOptions, "jobName" | "taskIndex"> = {}): Promise<Server> {
    return Server.create({ local: ["localhost:0"] }, { ...options, jobName: "local", taskIndex: 0 });
  }

  /** "grpc://localhost:port" (or thread:// / inproc://). */
  get target(): string {
    return this.engine.target;
  }

  get address(): string {
    return this.engine.address;
  }

  /** Resolves when the server has stopped. */
  join(): Promise<void> {
    return this.engine.join();
  }

  /** Stops the server: bounded graceful shutdown, then forced; running steps are cancelled. */
  stop(): Promise<void> {
    return this.engine.stop();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
