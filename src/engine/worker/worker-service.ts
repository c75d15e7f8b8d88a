/**
 * The worker service of one task: per-session registered partitions, RunGraph, RecvTensor,
 * step cancellation (CleanupGraph) and container clean-up (CleanupAll).
 */
import { AbortedError, CancelledError, InvalidArgumentError, UnavailableError } from "../../errors/index.js";
import { DeviceSpec } from "../../graph/device-spec.js";
import type * as m from "../../transport/messages.js";
import type { CallOptions, WorkerService } from "../../transport/services.js";
import type { Env } from "../../util/env.js";
import { taskOfDevice } from "../devices.js";
import type { DeviceContext } from "../kernels/registry.js";
import { ResourceManager } from "../resources/resource-manager.js";
import { PartitionExecutable } from "./executor.js";
import { RendezvousManager } from "./rendezvous.js";

export interface WorkerEnv extends Env {
  job: string;
  task: number;
  devices: m.DeviceAttributes[];
  /** A client for another task's worker service, by task. */
  peer(job: string, task: number): WorkerService;
}

interface WorkerSession {
  resources: ResourceManager;
  graphs: Map<string, PartitionExecutable>;
}

export class Worker implements WorkerService {
  /** Shared state of sessions that do not isolate: the task's resource manager. */
  readonly resources: ResourceManager;
  private readonly sessions = new Map<string, WorkerSession>();
  private readonly rendezvous = new RendezvousManager();
  /** The running partition of each step (a step runs at most one partition per task). */
  private readonly running = new Map<number, AbortController>();
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
    if (!this.sessions.has(req.sessionHandle)) {
      this.sessions.set(req.sessionHandle, {
        resources: req.isolateSessionState ? new ResourceManager(this.env.job) : this.resources,
        graphs: new Map(),
      });
    }
    return {};
  }

  async deleteWorkerSession(req: m.DeleteWorkerSessionRequest): Promise<m.Empty> {
    const s = this.sessions.get(req.sessionHandle);
    if (s && s.resources !== this.resources) s.resources.clearAll();
    this.resources.releaseSession(req.sessionHandle);
    this.sessions.delete(req.sessionHandle);
    return {};
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
    const spec = DeviceSpec.fromString(name);
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
    const controller = new AbortController();
    const onCallAbort = () => controller.abort(opts.signal!.reason ?? new CancelledError("RunGraph was cancelled"));
    opts.signal?.addEventListener("abort", onCallAbort, { once: true });
    if (opts.signal?.aborted) onCallAbort();
    this.running.set(req.stepId, controller);
    try {
      const result = await exe.run({
        step: { stepId: req.stepId, sessionHandle: req.sessionHandle, signal: controller.signal, clock: this.env.clock, random: this.env.random, ...(this.env.io ? { io: this.env.io } : {}) },
        resources: s.resources,
        feeds: new Map(req.send.map((t) => [t.name, t.tensor])),
        rendezvous,
        remoteRecv: (sendDevice, key, signal) => this.remoteRecv(req.stepId, sendDevice, key, signal),
        isLocalDevice: (d) => this.env.devices.some((x) => x.name === d),
        recordTimeline: req.execOpts.recordTimeline,
      });
      const recv: m.NamedTensor[] = [];
      for (const key of req.recvKey) {
        const t = result.fetches.get(key);
        if (!t) throw new InvalidArgumentError(`Fetch ${key} was not produced by this partition on ${this.taskName}`);
        recv.push({ name: key, tensor: t });
      }
      const out: m.RunGraphResponse = { recv };
      if (req.execOpts.recordTimeline) {
        out.stepStats = { devStats: [...result.nodeStats].map(([device, nodeStats]) => ({ device, nodeStats })) };
      }
      return out;
    } catch (err) {
      // Fail everything still waiting in this step here (blocked kernels, remote pulls).
      controller.abort(err);
      throw err;
    } finally {
      opts.signal?.removeEventListener("abort", onCallAbort);
      this.running.delete(req.stepId);
      this.rendezvous.finishLocal(req.stepId);
    }
  }

  private async remoteRecv(stepId: number, sendDevice: string, key: string, signal: AbortSignal) {
    const t = taskOfDevice(sendDevice);
    const res = await this.env.peer(t.job, t.task).recvTensor({ stepId, rendezvousKey: key }, { signal });
    return res.tensor;
  }

  async recvTensor(req: m.RecvTensorRequest, opts: CallOptions = {}): Promise<m.RecvTensorResponse> {
    const r = this.rendezvous.find(req.stepId);
    const tensor = await r.recv(req.rendezvousKey, opts.signal);
    this.rendezvous.maybeDrop(r);
    return { tensor };
  }

  /** Aborts a step on this task: running partitions cancelled, its rendezvous dropped. */
  async cleanupGraph(req: m.CleanupGraphRequest): Promise<m.Empty> {
    const err = new CancelledError(`Step ${req.stepId} was cancelled`);
    this.running.get(req.stepId)?.abort(err);
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
    const err = new UnavailableError(`Task ${this.taskName} was stopped`);
    for (const c of this.running.values()) c.abort(err);
    this.rendezvous.abortAll(err);
    this.resources.clearAll();
    for (const s of this.sessions.values()) s.resources.clearAll();
    this.sessions.clear();
  }
}
