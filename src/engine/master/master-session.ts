/**
 * One client session on a master: the session graph, its versions, and the per-signature cache of
 * pruned, placed, partitioned and registered steps. A cached run costs one RunGraph per task.
 */
import { CancelledError, DeadlineExceededError, FailedPreconditionError, InvalidArgumentError, asOpError } from "../../errors/index.js";
import type { OpError } from "../../errors/index.js";
import type { GraphDef, NodeDef } from "../../graph/graph-def.js";
import type * as m from "../../transport/messages.js";
import type { WorkerService } from "../../transport/services.js";
import { log } from "../../util/logger.js";
import type { Env } from "../../util/env.js";
import { taskKey } from "../devices.js";
import type { TaskId } from "../devices.js";
import { partitionGraph } from "./partition.js";
import type { PlacementContext } from "./placement.js";
import { SessionPlacement } from "./session-placement.js";
import { validateNodes } from "./validate.js";
import { canonicalTensorName, prune } from "./prune.js";
import { reasonOf } from "../worker/rendezvous.js";
import { callerGoneError, linkToCaller } from "./caller-link.js";
import { StepCache } from "./step-cache.js";
import { stepController } from "../../util/signals.js";
import { appendAll } from "../../util/arrays.js";

interface RegisteredPart {
  task: TaskId;
  worker: WorkerService;
  graphHandle: string;
  /** The partition as registered (RunMetadata.partition_graphs). */
  graphDef: GraphDef;
  feeds: string[];
  fetches: string[];
}

interface ReifiedStep {
  parts: RegisteredPart[];
}

export interface MasterSessionEnv extends Env {
  worker(task: TaskId): WorkerService;
  /** A step id no other live or recent step on any worker shares (see Master.nextStepId). */
  nextStepId(): number;
  /** Warn once about a step still running after this long (0: never). */
  stuckWarnMs?: number;
  /** The master's own task and incarnation, told to every worker session it creates. */
  masterTask?: TaskId;
  incarnation?: bigint;
}

export const CLOSE_MESSAGE = "Step was cancelled by an explicit call to `Session::Close()`.";

/**
 * A partition failure caused by the step's own abort elsewhere (a cancelled sibling) rather than by
 * its own op. A late caller of an aborted step gets the step's own error from the worker, so the
 * cancellation is the only consequence to tell apart.
 */
function isConsequence(err: OpError): boolean {
  return err instanceof CancelledError;
}

export class MasterSession {
  private readonly graph = new Map<string, NodeDef>();
  private version = 0;
  private readonly steps = new StepCache<ReifiedStep>((evicted) => void evicted.then((step) => this.deregister(step), () => {}));
  private readonly workerSessions = new Map<string, { worker: WorkerService; ready: Promise<void> }>();
  private readonly running = new Set<AbortController>();
  private closed = false;
  private lastStuckWarnMs = -Infinity;
  private readonly placer: SessionPlacement;

  constructor(
    readonly handle: string,
    private readonly env: MasterSessionEnv,
    private readonly config: m.ConfigProto,
    private readonly placement: PlacementContext,
  ) {
    this.placer = new SessionPlacement(placement);
  }

  get graphVersion(): number {
    return this.version;
  }

  extend(nodes: NodeDef[]): number {
    this.assertOpen();
    const added = new Map<string, NodeDef>();
    for (const n of nodes) {
      if (this.graph.has(n.name) || added.has(n.name)) throw new InvalidArgumentError(`Duplicate node name in graph: '${n.name}'`, { nodeName: n.name });
      added.set(n.name, n);
    }
    // Checked and placed whole before anything changes: a refused graph leaves the session as it was.
    const task = this.placement.masterTask;
    validateNodes(nodes, (name) => this.graph.has(name) || added.has(name), `/job:${task.job}/replica:0/task:${task.task}`);
    const prepared = this.placer.prepare([...this.graph.values(), ...nodes]);
    this.placer.adopt(prepared);
    for (const n of nodes) this.graph.set(n.name, n);
    this.version += nodes.length;
    return this.version;
  }

  private assertOpen(): void {
    if (this.closed) throw new FailedPreconditionError("Session is closed.");
  }

  /** Runs one step; `caller` is the RunStep call's signal: when it aborts, the step is cancelled everywhere. */
  async run(req: m.RunStepRequest, caller?: AbortSignal): Promise<m.RunStepResponse> {
    this.assertOpen();
    const feedNames = req.feed.map((f) => canonicalTensorName(f.name));
    const fetchNames = req.fetch.map(canonicalTensorName);
    const feeds = new Map(feedNames.map((n, i) => [n, req.feed[i]!.tensor]));
    const key = JSON.stringify([[...feeds.keys()].sort(), [...new Set(fetchNames)].sort(), [...req.target].sort()]);
    const cached = this.steps.acquire(key, () => this.reify(new Set(feeds.keys()), [...new Set(fetchNames)], req.target));
    let result: Awaited<ReturnType<MasterSession["execute"]>>;
    let partitionGraphs: GraphDef[] = [];
    try {
      const step = await cached.value;
      partitionGraphs = step.parts.map((p) => p.graphDef);
      if (caller?.aborted) throw callerGoneError(caller.reason);
      const timeoutMs = (req.options.timeoutInMs ?? 0) > 0 ? req.options.timeoutInMs! : (this.config.operationTimeoutInMs ?? 0);
      result = await this.execute(step, feeds, timeoutMs, req.options.traceLevel === "full", caller);
    } finally {
      cached.release();
    }
    const tensor = req.fetch.map((name, i) => {
      const canon = fetchNames[i]!;
      const t = feeds.get(canon) ?? result.values.get(canon);
      if (!t) throw new InvalidArgumentError(`Fetch '${name}' produced no value`);
      return { name, tensor: t };
    });
    const metadata: m.RunMetadata = result.stepStats ? { stepStats: result.stepStats } : {};
    if (req.options.outputPartitionGraphs) metadata.partitionGraphs = partitionGraphs;
    return Object.keys(metadata).length > 0 ? { tensor, metadata } : { tensor };
  }

  private async reify(feeds: Set<string>, fetches: string[], targets: string[]): Promise<ReifiedStep> {
    for (const f of feeds) {
      const node = f.slice(0, f.lastIndexOf(":"));
      if (!this.graph.has(node)) throw new InvalidArgumentError(`Cannot feed '${f}': there is no node '${node}' in the graph`);
    }
    const nodes = prune(this.graph, feeds, fetches, targets);
    const placed = this.placer.devicesOf(nodes);
    if (this.config.logDevicePlacement) {
      for (const n of nodes) log.info(`${n.name}: (${n.op}): ${placed.get(n.name)}`);
    }
    const incarnations = new Map(this.placement.devices.map((d) => [d.name, d.incarnation]));
    const parts = partitionGraph(nodes, placed, feeds, fetches, (device) => incarnations.get(device) ?? 0n);
    const registered = await Promise.all(
      parts.map(async (p) => {
        const worker = this.env.worker(p.task);
        await this.ensureWorkerSession(p.task, worker);
        const { graphHandle } = await worker.registerGraph({ sessionHandle: this.handle, graphDef: p.graphDef });
        return { task: p.task, worker, graphHandle, graphDef: p.graphDef, feeds: p.feeds, fetches: p.fetches };
      }),
    );
    return { parts: registered };
  }

  private ensureWorkerSession(task: TaskId, worker: WorkerService): Promise<void> {
    const key = taskKey(task);
    let entry = this.workerSessions.get(key);
    if (!entry) {
      const ready = worker
        .createWorkerSession({
          sessionHandle: this.handle,
          isolateSessionState: this.config.isolateSessionState ?? false,
          ...(this.env.masterTask ? { masterTask: `/job:${this.env.masterTask.job}/replica:0/task:${this.env.masterTask.task}` } : {}),
          ...(this.env.incarnation !== undefined ? { masterIncarnation: this.env.incarnation } : {}),
        })
        .then(() => undefined);
      this.workerSessions.set(key, (entry = { worker, ready }));
      ready.catch(() => this.workerSessions.delete(key));
    }
    return entry.ready;
  }

  private async execute(step: ReifiedStep, feeds: Map<string, m.NamedTensor["tensor"]>, timeoutMs: number, trace: boolean, caller?: AbortSignal) {
    const stepId = this.env.nextStepId();
    const controller = stepController();
    this.running.add(controller);
    const unlinkCaller = linkToCaller(controller, caller);
    const cancelTimer = timeoutMs > 0
      ? this.env.clock.setTimer(timeoutMs, () => controller.abort(new DeadlineExceededError("Timed out waiting for notification")))
      : () => {};
    // The step's error is its root cause: the deadline or a close when those aborted it, else the
    // first partition failure that is not a consequence of the abort. A consequence (a sibling
    // cancelled by the abort) can arrive first, since messages between tasks race: it is kept
    // only until a root cause comes.
    let root: OpError | null = null;
    let abortedByFailure = false;
    const fail = (err: unknown) => {
      const e = asOpError(err);
      if (root === null || (isConsequence(root) && !isConsequence(e))) root = e;
      if (!controller.signal.aborted) {
        abortedByFailure = true;
        controller.abort(e);
      }
    };
    const cancelWatch = this.watchStuck(step, stepId);
    const onAbort = () => {
      for (const p of step.parts) p.worker.cleanupGraph({ stepId }, { timeoutMs: 5000 }).catch(() => {});
    };
    controller.signal.addEventListener("abort", onAbort, { once: true });
    try {
      const results = await Promise.all(
        step.parts.map((p) =>
          p.worker
            .runGraph(
              {
                sessionHandle: this.handle,
                graphHandle: p.graphHandle,
                stepId,
                execOpts: { recordTimeline: trace },
                send: p.feeds.map((name) => ({ name, tensor: feeds.get(name)! })),
                recvKey: p.fetches,
              },
              { signal: controller.signal, ...(timeoutMs > 0 ? { timeoutMs: timeoutMs + 1000 } : {}) },
            )
            .catch((err: unknown) => {
              fail(err);
              return null;
            }),
        ),
      );
      if (root !== null) throw abortedByFailure ? root : reasonOf(controller.signal);
      const values = new Map<string, m.NamedTensor["tensor"]>();
      const devStats: m.DeviceStepStats[] = [];
      for (const r of results) {
        for (const t of r!.recv) values.set(t.name, t.tensor);
        if (r!.stepStats) appendAll(devStats, r!.stepStats.devStats);
      }
      return { values, stepStats: trace ? { devStats } : undefined };
    } finally {
      unlinkCaller();
      cancelTimer();
      cancelWatch();
      controller.signal.removeEventListener("abort", onAbort);
      this.running.delete(controller);
    }
  }

  /**
   * A step still running after `stuckWarnMs` gets one warning that names what it waits on (queue
   * ops blocked on which queue, on which task): the answer to a silent hang, without killing it.
   */
  private watchStuck(step: ReifiedStep, stepId: number): () => void {
    const afterMs = this.env.stuckWarnMs ?? 0;
    if (afterMs <= 0) return () => {};
    return this.env.clock.setTimer(afterMs, () => {
      void Promise.all(step.parts.map((p) => p.worker.resourceStatus({}, { timeoutMs: 5000 }).catch(() => ({ resource: [] })))).then((all) => {
        const waits: string[] = [];
        let onlyEnqueues = true;
        for (const r of all.flatMap((x) => x.resource)) {
          const waiting = Array.isArray(r.details.waiting) ? (r.details.waiting as { kind?: string; stepId?: number; elements?: number }[]) : [];
          for (const w of waiting) {
            if (w.stepId !== stepId) continue;
            if (w.kind !== "enqueue") onlyEnqueues = false;
            waits.push(`${w.kind ?? "op"} of ${w.elements ?? "?"} element(s) on ${r.kind} '${r.name}' (size ${String(r.details.size)}, capacity ${String(r.details.capacity)}${r.details.closed ? ", closed" : ""}) on ${r.device}`);
          }
        }
        // A producer blocked on a full queue is back-pressure, not a hang; and one warning a minute is enough.
        if ((waits.length > 0 && onlyEnqueues) || this.env.clock.nowMs() - this.lastStuckWarnMs < 60_000) return;
        this.lastStuckWarnMs = this.env.clock.nowMs();
        log.warn(
          `step ${stepId} of session ${this.handle} has been running for ${afterMs} ms` +
            (waits.length ? `; it waits on: ${waits.join("; ")}` : "; no queue op of it is blocked") +
            ". Is a producer (QueueRunner) running? Set options.timeoutInMs to bound it.",
        );
      });
    });
  }

  /** Releases the graphs of a step evicted from the cache. */
  private deregister(step: ReifiedStep): void {
    for (const p of step.parts) {
      p.worker.deregisterGraph({ sessionHandle: this.handle, graphHandle: p.graphHandle }, { timeoutMs: 5000 }).catch(() => {});
    }
  }

  /** Cancels running steps, releases worker state. */
  async close(reason: OpError = new CancelledError(CLOSE_MESSAGE)): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.running) c.abort(reason);
    const steps = await Promise.allSettled(this.steps.values());
    const byTask = new Map<string, RegisteredPart[]>();
    for (const s of steps) {
      if (s.status !== "fulfilled") continue;
      for (const p of s.value.parts) {
        const k = taskKey(p.task);
        byTask.set(k, [...(byTask.get(k) ?? []), p]);
      }
    }
    await Promise.allSettled(
      [...this.workerSessions].map(async ([k, { worker }]) => {
        const parts = byTask.get(k) ?? [];
        await Promise.allSettled(parts.map((p) => worker.deregisterGraph({ sessionHandle: this.handle, graphHandle: p.graphHandle }, { timeoutMs: 5000 })));
        await worker.deleteWorkerSession({ sessionHandle: this.handle }, { timeoutMs: 5000 });
      }),
    );
  }
}
