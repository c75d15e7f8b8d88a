/**
 * The master service of one task: creates sessions (discovering the cluster's devices), runs
 * steps through MasterSession, lists devices, resets containers on every task.
 */
import { AbortedError, InvalidArgumentError, UnavailableError, asOpError } from "../../errors/index.js";
import { DeviceSpec } from "../../graph/device-spec.js";
import type * as m from "../../transport/messages.js";
import type { CallOptions, MasterService, WorkerService } from "../../transport/services.js";
import type { Env } from "../../util/env.js";
import { log, tracer } from "../../util/logger.js";
import { parseDevice, taskKey } from "../devices.js";
import type { TaskId } from "../devices.js";
import { CallableTable } from "./callables.js";
import { MasterSession } from "./master-session.js";
import { askEveryTask, discoverDevices, taskStatuses, unreachableWarning } from "./cluster-health.js";
import { incarnationHex } from "../incarnation.js";
import { appendAll } from "../../util/arrays.js";

const trace = tracer("master");

export interface MasterEnv extends Env {
  cluster: m.ClusterDef;
  task: TaskId;
  /** This master's task incarnation: in its session handles and its CreateWorkerSession calls. */
  incarnation?: bigint;
  worker(task: TaskId): WorkerService;
  /** How long device discovery waits for a task before counting it unreachable. */
  discoveryTimeoutMs?: number;
  /** Warn about steps still running after this long (0: never). */
  stuckWarnMs?: number;
  /** Defaults for every session's ConfigProto; a client's own fields win. */
  defaultSessionConfig?: m.ConfigProto;
}

/** The fields a proto3 MergeFrom would copy: set and not the default (false, 0, empty). */
function definedFields(config: m.ConfigProto): m.ConfigProto {
  const isDefault = (v: unknown) => v === undefined || v === false || v === 0 || (Array.isArray(v) && v.length === 0);
  return Object.fromEntries(Object.entries(config).filter(([, v]) => !isDefault(v))) as m.ConfigProto;
}

/** Every task of the cluster, jobs in name order, tasks by index. */
export function clusterTasks(cluster: m.ClusterDef): TaskId[] {
  const out: TaskId[] = [];
  for (const job of [...cluster.job].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    for (const idx of Object.keys(job.tasks).map(Number).sort((a, b) => a - b)) out.push({ job: job.name, task: idx });
  }
  return out;
}

/** What a step running on a server that stops fails with. */
export function serverStoppingError(task: TaskId): UnavailableError {
  return new UnavailableError(`server /job:${task.job}/replica:0/task:${task.task} is stopping`);
}

function firstTaskOfEachJob(cluster: m.ClusterDef): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of clusterTasks(cluster)) if (!out.has(t.job)) out.set(t.job, t.task);
  return out;
}

function matchesFilters(task: TaskId, filters: string[] | undefined): boolean {
  if (!filters || filters.length === 0) return true;
  return filters.some((f) => {
    const s = parseDevice(f);
    return (s.job === null || s.job === task.job) && (s.task === null || s.task === task.task);
  });
}

export class Master implements MasterService {
  private readonly sessions = new Map<string, MasterSession>();
  /** Tasks already warned about as unreachable (once each, until they answer again). */
  private readonly warnedUnreachable = new Set<string>();
  /** Callables by session; they go with their session. */
  private readonly callables = new WeakMap<MasterSession, CallableTable>();
  private nextHandle = 1;
  private readonly masterTag: number;
  private stepCounter: number;

  constructor(private readonly env: MasterEnv) {
    let h = 0x811c9dc5;
    for (const ch of taskKey(env.task)) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
    this.masterTag = h & 0x1fffff;
    // The clock keeps a restarted master (same seed) from repeating its previous incarnation's ids.
    this.stepCounter = (env.random.int(2 ** 31) + Math.floor(env.clock.nowMicros())) % 2 ** 31;
  }

  /**
   * Step ids must not collide between masters sharing a worker (even when started with the same
   * seed) nor with a recent step of this master: 21 bits name this master's task, 31 bits count
   * its steps from a seeded offset. (Random ids collided with a worker's memory of ended steps.)
   */
  private nextStepId(): number {
    this.stepCounter = (this.stepCounter + 1) % 2 ** 31;
    return this.masterTag * 2 ** 31 + this.stepCounter;
  }

  private async discover(config: m.ConfigProto, opts: CallOptions) {
    const tasks = clusterTasks(this.env.cluster).filter(
      (t) => matchesFilters(t, config.deviceFilters) || taskKey(t) === taskKey(this.env.task),
    );
    // Each task gets its own bound: one dead task never costs more than that, and (half the
    // caller's deadline) the session is still created, without it, before the caller gives up.
    const timeoutMs = Math.min(opts.timeoutMs ? Math.max(1, Math.floor(opts.timeoutMs / 2)) : Infinity, this.env.discoveryTimeoutMs ?? 10_000);
    const found = await discoverDevices(tasks, (t) => this.env.worker(t), timeoutMs, opts.signal);
    for (const [task, why] of found.unreachable) {
      trace(`device discovery: ${task} unreachable: ${why}`);
      if (this.warnedUnreachable.has(task)) continue;
      this.warnedUnreachable.add(task);
      log.warn(unreachableWarning(task, this.addressOf(task), why));
    }
    for (const t of tasks) if (!found.unreachable.has(taskKey(t))) this.warnedUnreachable.delete(taskKey(t));
    return found;
  }

  private addressOf(task: string): string {
    const spec = DeviceSpec.fromString(task);
    return this.env.cluster.job.find((j) => j.name === spec.job)?.tasks[spec.task ?? 0] ?? "?";
  }

  async createSession(req: m.CreateSessionRequest, opts: CallOptions = {}): Promise<m.CreateSessionResponse> {
    // The server's default session config (ServerDef.default_session_config) under the client's.
    const config: m.ConfigProto = { ...this.env.defaultSessionConfig, ...definedFields(req.config) };
    const { devices, unreachable } = await this.discover(config, opts);
    const home = clusterTasks(this.env.cluster)[0] ?? this.env.task;
    // The incarnation keeps a restarted master (even with the same seed) from reusing an old handle,
    // which would hand the new session the old one's private queues and isolated variables.
    const handle = `${this.env.task.job}-${this.env.task.task}-${incarnationHex(this.env.incarnation ?? 0n)}-${this.nextHandle++}-${this.env.random.int(2 ** 30).toString(16)}`;
    const session = new MasterSession(handle, { ...this.env, worker: (t) => this.env.worker(t), nextStepId: () => this.nextStepId(), masterTask: this.env.task, stuckWarnMs: this.env.stuckWarnMs ?? 0 }, config, {
      devices,
      masterTask: this.env.task,
      resourceHome: home,
      allowSoftPlacement: config.allowSoftPlacement ?? false,
      unreachable,
      firstTask: firstTaskOfEachJob(this.env.cluster),
    });
    session.extend(req.graphDef.node);
    this.sessions.set(handle, session);
    trace(`createSession ${handle} with ${req.graphDef.node.length} nodes, ${devices.length} devices`);
    return { sessionHandle: handle, graphVersion: session.graphVersion };
  }

  private session(handle: string): MasterSession {
    const s = this.sessions.get(handle);
    if (!s) throw new AbortedError(`Session ${handle} is not found.`);
    return s;
  }

  async extendSession(req: m.ExtendSessionRequest): Promise<m.ExtendSessionResponse> {
    const s = this.session(req.sessionHandle);
    if (req.currentGraphVersion !== s.graphVersion) {
      throw new AbortedError(`Current version is ${s.graphVersion} but caller expected ${req.currentGraphVersion}.`);
    }
    return { newGraphVersion: s.extend(req.graphDef.node) };
  }

  /** The call's signal (its client cancelled, its deadline passed, its client went away) cancels the step. */
  async runStep(req: m.RunStepRequest, opts: CallOptions = {}): Promise<m.RunStepResponse> {
    return this.session(req.sessionHandle).run(req, opts.signal);
  }

  private callablesOf(handle: string): CallableTable {
    const s = this.session(handle);
    let table = this.callables.get(s);
    if (!table) this.callables.set(s, (table = new CallableTable()));
    return table;
  }

  async makeCallable(req: m.MakeCallableRequest): Promise<m.MakeCallableResponse> {
    return { handle: this.callablesOf(req.sessionHandle).make(req.options) };
  }

  async runCallable(req: m.RunCallableRequest): Promise<m.RunCallableResponse> {
    const table = this.callablesOf(req.sessionHandle);
    const res = await this.runStep(table.stepRequest(req.sessionHandle, req.handle, req.feed));
    return table.fetches(req.handle, res);
  }

  async releaseCallable(req: m.ReleaseCallableRequest): Promise<m.Empty> {
    this.callablesOf(req.sessionHandle).release(req.handle);
    return {};
  }

  async closeSession(req: m.CloseSessionRequest): Promise<m.Empty> {
    const s = this.sessions.get(req.sessionHandle);
    if (!s) throw new AbortedError(`Session ${req.sessionHandle} is not found. Possibly, this master has restarted.`);
    this.sessions.delete(req.sessionHandle);
    await s.close();
    return {};
  }

  async listDevices(req: m.ListDevicesRequest, opts: CallOptions = {}): Promise<m.ListDevicesResponse> {
    if (req.sessionHandle && !this.sessions.has(req.sessionHandle)) {
      throw new InvalidArgumentError(`Session ${req.sessionHandle} is not found.`);
    }
    const { devices, unreachable } = await this.discover({}, opts);
    const local = `/job:${this.env.task.job}/replica:0/task:${this.env.task.task}/`;
    const res: m.ListDevicesResponse = {
      localDevice: devices.filter((d) => d.name.startsWith(local)),
      remoteDevice: devices.filter((d) => !d.name.startsWith(local)),
    };
    if (unreachable.size > 0) {
      res.missingTask = [...unreachable].map(([task, error]) => ({ task, address: this.addressOf(task), reachable: false, error }));
    }
    return res;
  }

  /** Closes every session on this master, then clears the containers on every task. */
  async reset(req: m.ResetRequest, opts: CallOptions = {}): Promise<m.Empty> {
    // Filters are checked before anything is touched: a bad request changes nothing.
    const tasks = clusterTasks(this.env.cluster).filter((t) => matchesFilters(t, req.deviceFilters));
    const old = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(
      tasks.map((t) =>
        this.env
          .worker(t)
          .cleanupAll({ container: req.container }, { timeoutMs: opts.timeoutMs || 10_000 })
          .catch((err: unknown) => trace(`reset: cleanupAll on ${taskKey(t)} failed: ${asOpError(err).message}`)),
      ),
    );
    await Promise.allSettled(old.map((s) => s.close(new AbortedError(`Session ${s.handle} is not found.`))));
    return {};
  }

  /** Every task's resources, and every task listed as reachable or not (with the error). */
  async resourceStatus(_req: m.Empty, opts: CallOptions = {}): Promise<m.ResourceStatusResponse> {
    // Half the caller's deadline per task, so the report (naming the silent ones) gets back in time.
    const timeoutMs = Math.min(opts.timeoutMs ? Math.max(1, Math.floor(opts.timeoutMs / 2)) : 5000, 5000);
    const answers = await askEveryTask(clusterTasks(this.env.cluster), (t) => this.env.worker(t), (w, o) => w.resourceStatus({}, o), timeoutMs, opts.signal);
    const resource: m.ResourceStatus[] = [];
    for (const a of answers) if (a.value) appendAll(resource, a.value.resource);
    const addressOf = (t: TaskId) => this.env.cluster.job.find((j) => j.name === t.job)?.tasks[t.task] ?? "";
    return { resource, task: taskStatuses(answers, addressOf) };
  }

  /** Closes every session (server stop). */
  async stop(): Promise<void> {
    const old = [...this.sessions.values()];
    this.sessions.clear();
    // A blocked client learns why: the server is going away, not that someone closed its session.
    const reason = serverStoppingError(this.env.task);
    await Promise.allSettled(old.map((s) => s.close(reason)));
  }
}
