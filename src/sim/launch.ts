/**
 * tf.sim.launch: a whole ClusterSpec on this host — inproc (this thread, seeded), thread (a worker
 * thread per task) or grpc (a child process per task).
 * @example const cluster = await tf.sim.launch({ps: ["localhost:0"], worker: ["localhost:0"]}, {transport: "inproc"});
 */
import { InvalidArgumentError } from "../errors/index.js";
import { Session } from "../client/session.js";
import type { SessionOptions } from "../client/session.js";
import { ClusterSpec } from "../train/cluster-spec.js";
import type { ClusterSpecLike } from "../train/cluster-spec.js";
import type { TransportName } from "../transport/services.js";
import { launchGrpc } from "./grpc-launcher.js";
import { launchInproc } from "./inproc-launcher.js";
import { launchThreadTasks } from "./thread-launcher.js";
import type { LaunchedTasks, LaunchOptions } from "./types.js";

export interface SimLaunchOptions extends LaunchOptions {
  transport?: TransportName;
}

export class SimCluster {
  private stopped = false;

  constructor(
    readonly transport: TransportName,
    private readonly tasks: LaunchedTasks,
    private readonly token?: string,
  ) {}

  /** What a client of this cluster must carry: its token, when it was launched with one. */
  get security(): { token?: string } {
    return this.token !== undefined ? { token: this.token } : {};
  }

  /**
   * A session on a task's master carrying the cluster's token.
   * @example const sess = cluster.session("worker", 0, {graph});
   */
  session(job: string, index = 0, options: Omit<SessionOptions, "security"> = {}): Session {
    return new Session(this.target(job, index), { ...options, security: this.security });
  }

  /** The ClusterSpec with the real addresses. */
  get spec(): ClusterSpec {
    return new ClusterSpec(this.tasks.cluster);
  }

  /** The target of a task's server, such as grpc://127.0.0.1:40123. */
  target(job: string, index = 0): string {
    const address = this.tasks.cluster.job.find((j) => j.name === job)?.tasks[index];
    if (address === undefined) throw new InvalidArgumentError(`No task ${index} in job '${job}' of this cluster`);
    return `${this.transport}://${address}`;
  }

  /** Ends a task abruptly: its pending calls fail with UnavailableError. */
  kill(job: string, index: number): Promise<void> {
    return this.tasks.kill(job, index);
  }

  /** Starts a killed (or running) task again, with empty state, at the same address. */
  restart(job: string, index: number): Promise<void> {
    return this.tasks.restart(job, index);
  }

  /** Stops every task; nothing is left running. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.tasks.stop();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

type Launcher = (cluster: ClusterSpec, options: LaunchOptions) => Promise<LaunchedTasks>;

const launchers: Record<TransportName, Launcher> = {
  inproc: (c, o) => launchInproc(c.asClusterDef(), o),
  thread: (c, o) => launchThreadTasks(c.asClusterDef(), o),
  grpc: (c, o) => launchGrpc(c.asClusterDef(), o),
};

export async function launch(cluster: ClusterSpecLike, options: SimLaunchOptions = {}): Promise<SimCluster> {
  const transport = options.transport ?? "thread";
  if (options.token !== undefined && options.token.trim() === "") throw new InvalidArgumentError("tf.sim.launch: `token` is empty; give a non-empty cluster token, or none");
  const launcher = launchers[transport];
  if (!launcher) throw new InvalidArgumentError(`Unknown transport '${String(transport)}': use inproc, thread or grpc`);
  const tasks = await launcher(new ClusterSpec(cluster), options);
  return new SimCluster(transport, tasks, options.token);
}
