/**
 * One task's server: a master and a worker service, served over a transport at the task's
 * address. The master reaches its own worker directly and other tasks through the transport.
 */
import { FailedPreconditionError, InvalidArgumentError, InternalError } from "../errors/index.js";
import type { ClusterDef, ConfigProto } from "../transport/messages.js";
import type { SecurityOptions, ServeOptions, ServerHandle, Transport, WorkerService } from "../transport/services.js";
import { DEFAULT_MAX_TENSOR_BYTES } from "../tensor/budget.js";
import { FileAccess } from "./io/file-access.js";
import { makeEnv } from "../util/env.js";
import type { Env } from "../util/env.js";
import { initBackend } from "./compute/backend.js";
import type { BackendName } from "./compute/backend.js";
import { localDevices, taskKey } from "./devices.js";
import type { TaskId } from "./devices.js";
import { Master } from "./master/master-service.js";
import { namedPeer } from "./peer-worker.js";
import { Worker } from "./worker/worker-service.js";
import { drawIncarnation } from "./incarnation.js";
import "./kernels/all.js";

export interface EngineServerOptions {
  cluster: ClusterDef;
  jobName: string;
  taskIndex: number;
  transport: Transport;
  env?: Env;
  config?: ConfigProto;
  virtualGpus?: number;
  security?: SecurityOptions;
  backend?: BackendName;
  /** Warn (stderr) about steps still running after this many ms, naming what they wait on; 0: never. */
  stuckWarnMs?: number;
  /** Which files this task's kernels may touch (default: all; Server.create narrows it to the working directory). */
  files?: FileAccess;
  /** The largest tensor a peer or a kernel's attr/input may make this task allocate (default DEFAULT_MAX_TENSOR_BYTES). */
  maxTensorBytes?: number;
  /** Serve a non-loopback address with neither token nor client certificates. */
  insecure?: boolean;
}

/** Checks the task exists and its address has exactly one ":port" (TF's GrpcServer::Init). */
export function taskAddress(cluster: ClusterDef, job: string, task: number): string {
  const jobDef = cluster.job.find((j) => j.name === job);
  if (!jobDef) throw new InternalError(`Job "${job}" was not defined in cluster`);
  const address = jobDef.tasks[task];
  if (address === undefined) throw new InvalidArgumentError(`Task ${task} was not defined in job "${job}"`);
  if (!/^[^:]+:\d+$/.test(address) && !/^\[.*\]:\d+$/.test(address)) {
    throw new InvalidArgumentError(`Could not parse port for local server from "${address}"`);
  }
  return address;
}

export class EngineServer {
  private handle: ServerHandle | null = null;
  private state: "started" | "stopped" = "started";
  private readonly stoppedSignal: Promise<void>;
  private markStopped!: () => void;
  private readonly peers = new Map<string, WorkerService>();
  readonly master: Master;
  /** This start of the task (fresh at every start; in its devices' attributes). */
  readonly incarnation: bigint;
  readonly worker: Worker;
  private cluster: ClusterDef;

  private constructor(private readonly options: EngineServerOptions, readonly env: Env) {
    this.stoppedSignal = new Promise((r) => (this.markStopped = r));
    this.cluster = options.cluster;
    const task: TaskId = { job: options.jobName, task: options.taskIndex };
    this.incarnation = drawIncarnation(env);
    this.worker = new Worker({
      ...env,
      job: task.job,
      task: task.task,
      incarnation: this.incarnation,
      devices: localDevices(task.job, task.task, options.virtualGpus ?? 0, this.incarnation),
      peer: (job, index) => this.workerFor({ job, task: index }),
      policy: { files: options.files ?? FileAccess.unrestricted, maxTensorBytes: options.maxTensorBytes ?? DEFAULT_MAX_TENSOR_BYTES },
    });
    this.master = new Master({
      ...env,
      cluster: options.cluster,
      task,
      incarnation: this.incarnation,
      worker: (t) => this.workerFor(t),
      stuckWarnMs: options.stuckWarnMs ?? Number(process.env.TFCLUSTER_STUCK_WARN_MS ?? 10_000),
      defaultSessionConfig: options.config ?? {},
    });
  }

  /** Starts the task's server; the bound address replaces port 0 in the cluster. */
  static async start(options: EngineServerOptions): Promise<EngineServer> {
    const address = taskAddress(options.cluster, options.jobName, options.taskIndex);
    await initBackend(options.backend);
    const server = new EngineServer(options, options.env ?? makeEnv());
    const serve: ServeOptions = {
      ...options.security,
      ...(options.insecure ? { insecure: true } : {}),
      ...(options.maxTensorBytes !== undefined ? { maxTensorBytes: options.maxTensorBytes } : {}),
    };
    server.handle = await options.transport.serve(address, { master: server.master, worker: server.worker }, serve);
    if (server.handle.address !== address) {
      // port 0: tell our own view of the cluster the real address.
      server.cluster = {
        job: options.cluster.job.map((j) => (j.name === options.jobName ? { ...j, tasks: { ...j.tasks, [options.taskIndex]: server.handle!.address } } : j)),
      };
    }
    return server;
  }

  get address(): string {
    if (!this.handle) throw new FailedPreconditionError("Server is not serving");
    return this.handle.address;
  }

  get target(): string {
    return `${this.options.transport.name}://${this.address}`;
  }

  get clusterDef(): ClusterDef {
    return this.cluster;
  }

  private workerFor(t: TaskId): WorkerService {
    if (t.job === this.options.jobName && t.task === this.options.taskIndex) return this.worker;
    const key = taskKey(t);
    let w = this.peers.get(key);
    if (!w) {
      const address = this.cluster.job.find((j) => j.name === t.job)?.tasks[t.task];
      if (address === undefined) throw new InvalidArgumentError(`Task ${key} is not in the cluster`);
      w = namedPeer(t, address, this.options.transport.connectWorker(address, this.options.security));
      this.peers.set(key, w);
    }
    return w;
  }

  /** Resolves when the server has stopped. */
  join(): Promise<void> {
    return this.stoppedSignal;
  }

  /** Stops serving (bounded), cancels running steps, frees resources. Idempotent. */
  async stop(options: { graceMs?: number } = {}): Promise<void> {
    if (this.state === "stopped") return this.stoppedSignal;
    this.state = "stopped";
    // The master first: its running steps fail "server ... is stopping" before their partitions do.
    const masterStopped = this.master.stop();
    this.worker.stop();
    await masterStopped;
    await this.handle?.stop({ graceMs: options.graceMs ?? 2000 });
    this.markStopped();
  }
}
