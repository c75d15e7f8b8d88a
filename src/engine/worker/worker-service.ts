/**
 * The worker service of one task: per-session registered partitions, RunGraph, RecvTensor,
 * step cancellation (CleanupGraph) and container clean-up (CleanupAll).
 */
import { AbortedError, CancelledError, InvalidArgumentError, UnavailableError, asOpError } from "../../errors/index.js";
import type { OpError } from "../../errors/index.js";
import type * as m from "../../transport/messages.js";
import type { CallOptions, WorkerService } from "../../transport/services.js";
import type { Env } from "../../util/env.js";
import { parseDevice, taskOfDevice } from "../devices.js";
import type { DeviceContext, TaskPolicy } from "../kernels/registry.js";
import { ResourceManager } from "../resources/resource-manager.js";
import { PartitionExecutable, keyIncarnation } from "./executor.js";
import { incarnationAttr } from "../incarnation.js";
import { clientTensorName, localRendezvousKey, wireRendezvousKey } from "./rendezvous-key.js";
import { RendezvousManager } from "./rendezvous.js";
import { stepController } from "../../util/signals.js";

export interface WorkerEnv extends Env {
  job: string;
  task: number;
  devices: m.DeviceAttributes[];
  /** This start of the task; rendezvous keys naming another incarnation are refused. */
  incarnation?: bigint;
  /** A client for another task's worker service, by task. */
  peer(job: string, task: number): WorkerService;
  /** Which files this task's kernels may touch and how large a tensor they may make (default: unrestricted). */
  policy?: TaskPolicy;
}

interface WorkerSession {
  resources: ResourceManager;
  graphs: Map<string, PartitionExecutable>;
  /** The master that created it, when it said (task name and incarnation). */
  master?: { task: string; incarnation: bigint };
}

export class Worker implements WorkerService {
  /** Shared state of sessions that do not isolate: the task's resource manager. */
  readonly resources: ResourceManager;
  private readonly sessions = new Map<string, WorkerSession>();
  private readonly rendezvous = new RendezvousManager();
  /** The running partition of each step (a step runs at most one partition per task), with its session. */
  private readonly running = new Map<number, { controller: AbortController; sessionHandle: string }>();
  private nextGraph = 1;
  private stopped = false;

  constructor(private readonly env: WorkerEnv) {
    this.resources = new ResourceManager(env.job);
  }

  private get taskName(): string {
    return `/job:${this.env.job}/replica:0/task:${this.env.task}`;
  }

  async getStatus(): Promise<m.GetStatusResponse> {
    return { deviceAttributes: this.env.devices };
  }

  async createWorkerSession(req: m.CreateWorkerSessionRequest): Promise<m.Empty> {
    const master = req.masterTask !== undefined && req.masterIncarnation !== undefined ? { task: req.masterTask, incarnation: req.masterIncarnation } : undefined;
    if (master) this.dropSessionsOfOldMaster(master);
    if (!this.sessions.has(req.sessionHandle)) {
      const session: WorkerSession = {
        resources: req.isolateSessionState ? new ResourceManager(this.env.job) : this.resources,
        graphs: new Map(),
      };
      if (master) session.master = master;
      this.sessions.set(req.sessionHandle, session);
    }
    return {};
  }

  /**
   * A master that restarted (same task, new incarnation) will never use its old sessions again:
   * their graphs, steps and isolated state go now (TF 2.x's SessionMgr does the same), so a dead
   * master's state does not pile up on the workers.
   */
  private dropSessionsOfOldMaster(master: { task: string; incarnation: bigint }): void {
    for (const [handle, s] of [...this.sessions]) {
      if (!s.master || s.master.task !== master.task || s.master.incarnation === master.incarnation) continue;
      void this.deleteWorkerSession({ sessionHandle: handle });
    }
  }

  async deleteWorkerSession(req: m.DeleteWorkerSessionRequest): Promise<m.Empty> {
    this.dropSessionSteps(req.sessionHandle, new CancelledError(`Session ${req.sessionHandle} was deleted on ${this.taskName}`));
    const s = this.sessions.get(req.sessionHandle);
    if (s && s.resources !== this.resources) s.resources.clearAll();
    this.resources.releaseSession(req.sessionHandle);
    this.sessions.delete(req.sessionHandle);
    return {};
  }

  /** Cancels a session's running partitions and drops its rendezvous tables (sent tensors nobody took). */
  private dropSessionSteps(sessionHandle: string, err: OpError): void {
    for (const r of this.running.values()) if (r.sessionHandle === sessionHandle) r.controller.abort(err);
    this.rendezvous.abortSession(sessionHandle, err);
  }

  /** How much per-session and per-step state this task holds (diagnostics; tests check it stays bounded). */
  stateCounts(): { sessions: number; graphs: number; steps: number; running: number } {
    let graphs = 0;
    for (const s of this.sessions.values()) graphs += s.graphs.size;
    return { sessions: this.sessions.size, graphs, steps: this.rendezvous.size, running: this.running.size };
  }

  private session(handle: string): WorkerSession {
    const s = this.sessions.get(handle);
    if (!s) throw new AbortedError(`Session ${handle} is not found on ${this.taskName}. Possibly, this worker has restarted.`);
    return s;
  }

  private resolveDevice = (name: string): DeviceContext => {
    const found = this.env.devices.find((d) => d.name === name);
    if (!found) {
      throw new InvalidArgumentError(`Device ${name} is not on task ${this.taskName}; it has ${this.env.devices.map((d) => d.name).join(", ")}`);
    }
    const spec = parseDevice(name);
    return { name, type: found.deviceType, job: spec.job!, task: spec.task! };
  };

  async registerGraph(req: m.RegisterGraphRequest): Promise<m.RegisterGraphResponse> {
    const s = this.session(req.sessionHandle);
    const exe = new PartitionExecutable(req.graphDef, this.resolveDevice);
    const handle = `g${this.nextGraph++}`;
    s.graphs.set(handle, exe);
    return { graphHandle: handle };
  }

  async deregisterGraph(req: m.DeregisterGraphRequest): Promise<m.Empty> {
    this.sessions.get(req.sessionHandle)?.graphs.delete(req.graphHandle);
    return {};
  }

  async runGraph(req: m.RunGraphRequest, opts: CallOptions = {}): Promise<m.RunGraphResponse> {
    if (this.stopped) throw new UnavailableError(`Task ${this.taskName} is stopping`);
    const s = this.session(req.sessionHandle);
    const exe = s.graphs.get(req.graphHandle);
    if (!exe) throw new AbortedError(`Graph handle ${req.graphHandle} is not found on ${this.taskName}`);
    const rendezvous = this.rendezvous.find(req.stepId);
    // The master may have aborted this step before this partition's RunGraph arrived.
    if (rendezvous.abortReason) throw rendezvous.abortReason;
    rendezvous.sessionHandle = req.sessionHandle;
    const controller = stepController();
    const onCallAbort = () => controller.abort(opts.signal!.reason ?? new CancelledError("RunGraph was cancelled"));
    opts.signal?.addEventListener("abort", onCallAbort, { once: true });
    if (opts.signal?.aborted) onCallAbort();
    this.running.set(req.stepId, { controller, sessionHandle: req.sessionHandle });
    try {
      const result = await exe.run({
        step: { stepId: req.stepId, sessionHandle: req.sessionHandle, signal: controller.signal, clock: this.env.clock, random: this.env.random, ...(this.env.io ? { io: this.env.io } : {}) },
        resources: s.resources,
        feeds: new Map(req.send.map((t) => [clientTensorName(t.name), t.tensor])),
        rendezvous,
        remoteRecv: (sendDevice, key, signal) => this.remoteRecv(req.stepId, sendDevice, key, signal),
        isLocalDevice: (d) => this.env.devices.some((x) => x.name === d),
        recordTimeline: req.execOpts.recordTimeline,
        ...(this.env.policy ? { policy: this.env.policy } : {}),
      });
      const recv: m.NamedTensor[] = [];
      for (const key of req.recvKey) {
        const t = result.fetches.get(clientTensorName(key));
        if (!t) throw new InvalidArgumentError(`Fetch ${key} was not produced by this partition on ${this.taskName}`);
        recv.push({ name: key, tensor: t });
      }
      const out: m.RunGraphResponse = { recv };
      if (req.execOpts.recordTimeline) {
        out.stepStats = { devStats: [...result.nodeStats].map(([device, nodeStats]) => ({ device, nodeStats })) };
      }
      return out;
    } catch (err) {
      // Fail everything still waiting in this step here (blocked kernels, remote pulls), and drop
      // what it sent that nobody took: a failed step never comes back for it.
      const error = asOpError(err);
      controller.abort(error);
      this.rendezvous.abort(req.stepId, error);
      throw err;
    } finally {
      opts.signal?.removeEventListener("abort", onCallAbort);
      this.running.delete(req.stepId);
      this.rendezvous.finishLocal(req.stepId);
    }
  }

  private async remoteRecv(stepId: number, sendDevice: string, key: string, signal: AbortSignal) {
    const t = taskOfDevice(sendDevice);
    const res = await this.env.peer(t.job, t.task).recvTensor({ stepId, rendezvousKey: wireRendezvousKey(key) }, { signal });
    return res.tensor;
  }

  async recvTensor(req: m.RecvTensorRequest, opts: CallOptions = {}): Promise<m.RecvTensorResponse> {
    const key = localRendezvousKey(req.rendezvousKey);
    this.checkIncarnation(key);
    const r = this.rendezvous.find(req.stepId);
    const tensor = await r.recv(key, opts.signal);
    this.rendezvous.maybeDrop(r);
    return { tensor };
  }

  /** A key naming another incarnation of this task was made before it restarted: TF's Aborted. */
  private checkIncarnation(key: string): void {
    if (this.env.incarnation === undefined) return;
    const wanted = keyIncarnation(key);
    const mine = BigInt.asUintN(64, BigInt(incarnationAttr(this.env.incarnation))).toString(16);
    if (wanted === "0" || wanted === mine) return;
    throw new AbortedError(
      `RecvTensor for ${key}: ${this.taskName} is incarnation ${mine}, the step expected incarnation ${wanted}: the task restarted since the session found it`,
    );
  }

  /** Aborts a step on this task: running partitions cancelled, its rendezvous dropped. */
  async cleanupGraph(req: m.CleanupGraphRequest): Promise<m.Empty> {
    const err = new CancelledError(`Step ${req.stepId} was cancelled`);
    this.running.get(req.stepId)?.controller.abort(err);
    this.rendezvous.abort(req.stepId, err);
    return {};
  }

  async cleanupAll(req: m.CleanupAllRequest): Promise<m.Empty> {
    this.resources.clear(req.container);
    for (const s of this.sessions.values()) if (s.resources !== this.resources) s.resources.clear(req.container);
    return {};
  }

  async resourceStatus(): Promise<m.ResourceStatusResponse> {
    const device = this.env.devices[0]?.name ?? this.taskName;
    return {
      resource: this.resources.entries().map((e) => ({
        device,
        container: e.container,
        kind: e.kind,
        name: e.name,
        details: e.resource.describe?.() ?? {},
      })),
    };
  }

  /** Cancels every running step and fails later calls; resources are destroyed. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    const err = new UnavailableError(`server ${this.taskName} is stopping`);
    for (const r of this.running.values()) r.controller.abort(err);
    this.rendezvous.abortAll(err);
    this.resources.clearAll();
    for (const s of this.sessions.values()) s.resources.clearAll();
    this.sessions.clear();
  }
}
