/**
 * tf.sim.launch: a whole ClusterSpec on this host — inproc (this thread, seeded, optionally on
 * virtual time), thread (a worker thread per task) or grpc (a child process per task) — with
 * faults: kill (a crash), restart (a new incarnation), partition/heal and delay.
 * @example const cluster = await tf.sim.launch({ps: ["localhost:0"], worker: ["localhost:0"]}, {transport: "inproc"});
 */
import { InvalidArgumentError, UnimplementedError } from "../errors/index.js";
import { DeviceSpec } from "../graph/device-spec.js";
import { Session } from "../client/session.js";
import type { SessionOptions } from "../client/session.js";
import { ClusterSpec } from "../train/cluster-spec.js";
import type { ClusterSpecLike } from "../train/cluster-spec.js";
import type { TransportName } from "../transport/services.js";
import { systemClock } from "../util/env.js";
import type { Clock } from "../util/env.js";
import { launchGrpc } from "./grpc-launcher.js";
import { launchInproc } from "./inproc-launcher.js";
import { launchThreadTasks } from "./thread-launcher.js";
import type { LaunchedTasks, LaunchOptions } from "./types.js";

export interface SimLaunchOptions extends LaunchOptions {
  transport?: TransportName;
}

/** Callers outside the cluster (this program's sessions), as a side of a partition or delay. */
export const CLIENT_TASK = "client";

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

  /** The cluster's clock: virtual on inproc with `virtualTime` (`.clock.nowMs()`), else the real one. */
  get clock(): Clock {
    return this.tasks.clock ?? systemClock;
  }

  /** Every event the scheduler ran ("ms label"), when launched with `trace: true` (inproc). */
  get trace(): readonly string[] {
    return this.tasks.trace?.() ?? [];
  }

  /** Adds a line to the trace (inproc with `trace`), such as a fault a workload injects. */
  note(label: string): void {
    this.tasks.note?.(label);
  }

  /**
   * inproc: resolves when the cluster has nothing left to run — no message, timer or I/O. Whoever
   * still waits on it then waits forever (a deadlock).
   */
  whenIdle(): Promise<void> {
    if (!this.tasks.whenIdle) throw new UnimplementedError(`whenIdle needs the inproc transport (this cluster runs on ${this.transport})`);
    return this.tasks.whenIdle();
  }

  /** The target of a task's server, such as grpc://127.0.0.1:40123. */
  target(job: string, index = 0): string {
    return `${this.transport}://${this.addressOf(job, index)}`;
  }

  private addressOf(job: string, index: number): string {
    const address = this.tasks.cluster.job.find((j) => j.name === job)?.tasks[index];
    if (address === undefined) throw new InvalidArgumentError(`No task ${index} in job '${job}' of this cluster`);
    return address;
  }

  /** "/job:ps/task:0" (or "client") → the endpoint's address. */
  private endpointOf(name: string): string {
    if (name === CLIENT_TASK) return name;
    const spec = DeviceSpec.fromString(name);
    if (spec.job === null) throw new InvalidArgumentError(`Name a task as "/job:ps/task:0" (or "client"), got '${name}'`);
    return this.addressOf(spec.job, spec.task ?? 0);
  }

  private get faults(): NonNullable<LaunchedTasks["faults"]> {
    if (!this.tasks.faults) throw new UnimplementedError(`Network faults are not available on the ${this.transport} transport yet`);
    return this.tasks.faults;
  }

  /** The task crashes: no goodbye to its peers, in-flight messages to and from it are lost, its state is gone. */
  kill(job: string, index: number): Promise<void> {
    return this.tasks.kill(job, index);
  }

  /** Starts a killed (or running: crashing it first) task again, a new incarnation with empty state, at the same address. */
  restart(job: string, index: number): Promise<void> {
    return this.tasks.restart(job, index);
  }

  /**
   * Messages between a task of `a` and a task of `b` are lost, as in a network partition: calls
   * wait for their deadline. @example cluster.partition(["/job:worker/task:0"], ["/job:ps/task:0"]);
   */
  partition(a: readonly string[], b: readonly string[]): void {
    this.faults.partition(a.map((n) => this.endpointOf(n)), b.map((n) => this.endpointOf(n)));
  }

  /** Ends every partition. */
  heal(): void {
    this.faults.heal();
  }

  /** Adds `ms` of latency to every message from `from` to `to` (0 removes it). */
  delay(from: string, to: string, ms: number): void {
    this.faults.delay(this.endpointOf(from), this.endpointOf(to), ms);
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
  if (options.virtualTime && transport !== "inproc") throw new InvalidArgumentError(`virtualTime needs the inproc transport (got '${transport}'): other transports run on real time`);
  const tasks = await launcher(new ClusterSpec(cluster), options);
  return new SimCluster(transport, tasks, options.token);
}
