/**
 * A client session: talks to a master through the transport its target names, or to a private
 * in-process master when there is no target.
 * @example const sess = new tf.Session(cluster.target("worker", 0)); await sess.run(c);
 */
import { AbortedError, NotFoundError, asOpError } from "../errors/index.js";
import { log } from "../util/logger.js";
import { holdProcessWhile } from "../util/keep-alive.js";
import { EngineServer } from "../engine/server.js";
import { getDefaultGraph } from "../graph/graph.js";
import type { Graph } from "../graph/graph.js";
import { isTensorConvertible, Tensor } from "../graph/tensor.js";
import type { TensorConvertible } from "../graph/tensor.js";
import { NDArray, ndarray } from "../tensor/ndarray.js";
import { copyNDArray } from "../tensor/ndarray-copy.js";
import { InprocNetwork } from "../transport/inproc/inproc-transport.js";
import { SimScheduler } from "../transport/inproc/scheduler.js";
import type { ConfigProto, NamedTensor, RunMetadata, RunOptions, TaskStatus } from "../transport/messages.js";
import { getTransport, parseTarget } from "../transport/registry.js";
import type { CallOptions, ConnectOptions, MasterService } from "../transport/services.js";
import { makeEnv, systemClock } from "../util/env.js";
import type { Clock } from "../util/env.js";
import { flattenFetches } from "./fetches.js";
import { checkFeedStrings } from "./feed-check.js";
import type { FetchResult, Fetches } from "./fetches.js";

export type FeedKey = Tensor | TensorConvertible | string;
export type FeedDict = Map<FeedKey, unknown> | readonly (readonly [FeedKey, unknown])[];

export interface SessionOptions {
  graph?: Graph;
  config?: ConfigProto;
  /** TLS / token for secured clusters. */
  security?: ConnectOptions;
  /** A private session's seed (its unseeded random ops, shuffles, ids); TFCLUSTER_SEED, else fresh, by default. */
  seed?: number;
}

export interface RunArgs {
  feedDict?: FeedDict;
  options?: RunOptions;
  /** Filled with step stats when options.traceLevel is "full". */
  runMetadata?: RunMetadata;
  /**
   * Cancels the step: its blocked ops fail with `CancelledError` on every task, a partly filled
   * `dequeueMany` puts its elements back, and the run rejects.
   * @example const ac = new AbortController(); const p = sess.run(deq, { signal: ac.signal }); ac.abort();
   */
  signal?: AbortSignal;
}

interface Connection {
  master: MasterService;
  local?: EngineServer;
  /** Values cross by reference (inproc, private session): feeds and fetches are copied at this boundary. */
  byReference: boolean;
}

async function connect(target: string | undefined, security?: ConnectOptions, seed?: number): Promise<Connection> {
  if (target === undefined || target === "") {
    // A private master on its own network: one environment, drawn from the session's seed.
    const env = makeEnv(seed);
    const local = await EngineServer.start({
      cluster: { job: [{ name: "localhost", tasks: { 0: "localhost:0" } }] },
      jobName: "localhost",
      taskIndex: 0,
      transport: new InprocNetwork({ scheduler: new SimScheduler({ seed: env.random.int(2 ** 32) }) }),
      env,
    });
    return { master: local.master, local, byReference: true };
  }
  const { transport, address } = parseTarget(target);
  // A simulated cluster's address: connect on its own network now, with no host turn in between.
  const simulated = transport === "inproc" ? InprocNetwork.owner(address) : undefined;
  if (simulated) return { master: simulated.connectMaster(address), byReference: true };
  return { master: (await getTransport(transport)).connectMaster(address, security), byReference: transport === "inproc" };
}

/** One device of the cluster, as `sess.listDevices()` reports it. */
export interface DeviceInfo {
  name: string;
  deviceType: string;
  memoryLimitBytes: number;
  /** 64-bit, fresh at every start of the device's task: a changed value means the task restarted. */
  incarnation: bigint;
}

/** Called with every step a session starts (higher layers watch steps without the client knowing them). */
export type RunObserver = (sess: Session, step: Promise<unknown>) => void;

export class Session {
  /** Observers of every run, e.g. tf.train's warning about blocked steps whose QueueRunners were never started. */
  static readonly runObservers: RunObserver[] = [];
  readonly graph: Graph;
  readonly target: string;
  private readonly config: ConfigProto;
  private readonly connection: Promise<Connection>;
  private handle: Promise<string> | null = null;
  private sentVersion = 0;
  private extending: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(target?: string, options: SessionOptions = {}) {
    this.target = target ?? "";
    this.graph = options.graph ?? getDefaultGraph();
    this.config = options.config ?? {};
    this.connection = connect(target, options.security, options.seed);
    this.connection.catch(() => {});
  }

  /**
   * The clock of the cluster this session talks to: a tf.sim cluster's (virtual with
   * `virtualTime`) for its inproc targets, else the real one. Timers of the training layer
   * (warnings, Coordinator waits) use it, so they follow the simulation.
   */
  get clock(): Clock {
    if (this.target.startsWith("inproc://")) return InprocNetwork.owner(this.target.slice("inproc://".length))?.clock ?? systemClock;
    return systemClock;
  }

  /** Close is bounded even without operationTimeoutInMs: a dead server must not hang it. */
  private get closeTimeout(): { timeoutMs: number } {
    const t = this.config.operationTimeoutInMs ?? 0;
    return { timeoutMs: t > 0 ? t : 10_000 };
  }

  private get rpcTimeout(): { timeoutMs?: number } {
    const t = this.config.operationTimeoutInMs ?? 0;
    return t > 0 ? { timeoutMs: t } : {};
  }

  /** Creates the master session on first use and sends graph nodes added since. */
  private async sync(): Promise<string> {
    const { master } = await this.connection;
    if (!this.handle) {
      const version = this.graph.version;
      this.handle = master
        .createSession({ graphDef: this.graph.toGraphDef(), config: this.config, target: this.target }, this.rpcTimeout)
        .then((r) => {
          this.sentVersion = version;
          return r.sessionHandle;
        });
      this.handle.catch(() => (this.handle = null));
    }
    const handle = await this.handle;
    this.extending = this.extending.then(async () => {
      const version = this.graph.version;
      if (version === this.sentVersion) return;
      await master.extendSession(
        { sessionHandle: handle, graphDef: this.graph.toGraphDef(this.sentVersion), currentGraphVersion: this.sentVersion },
        this.rpcTimeout,
      );
      this.sentVersion = version;
    });
    await this.extending;
    return handle;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("Attempted to use a closed Session.");
  }

  private feedsOf(feedDict: FeedDict | undefined): NamedTensor[] {
    if (!feedDict) return [];
    const entries = feedDict instanceof Map ? [...feedDict.entries()] : [...feedDict];
    return entries.map(([key, value]) => {
      const t = typeof key === "string" ? this.graph.getTensorByName(/:\d+$/.test(key) ? key : `${key}:0`) : key instanceof Tensor ? key : isTensorConvertible(key) ? key.toTensor() : null;
      if (!t) throw new TypeError(`Cannot interpret feed key ${String(key)} as a Tensor`);
      if (!(value instanceof NDArray)) checkFeedStrings(t.name, t.dtype, value);
      const v = value instanceof NDArray && value.dtype === t.dtype ? value : ndarray(value, { dtype: t.dtype });
      if (t.shape !== null) {
        const ok = t.shape.length === v.shape.length && t.shape.every((d, i) => d === null || d === v.shape[i]);
        if (!ok) {
          throw new RangeError(
            `Cannot feed value of shape [${v.shape.join(",")}] for Tensor '${t.name}', which has shape [${t.shape.map((d) => (d === null ? "?" : d)).join(",")}]`,
          );
        }
      }
      return { name: t.name, tensor: v };
    });
  }

  /**
   * Runs the graph: `fetches` may be a Tensor, Operation, Variable, name, or nested arrays/objects of
   * them; the result has the same structure (an NDArray per tensor, null per operation).
   */
  run<F extends Fetches>(fetches: F, args: RunArgs = {}): Promise<FetchResult<F>> {
    const step = this.runStep(fetches, args);
    for (const observe of Session.runObservers) observe(this, step);
    return step;
  }

  private async runStep<F extends Fetches>(fetches: F, args: RunArgs): Promise<FetchResult<F>> {
    this.assertOpen();
    const flat = flattenFetches(this.graph, fetches);
    const fed = this.feedsOf(args.feedDict);
    const handle = await this.sync();
    const { master, byReference, local } = await this.connection;
    // One program, one behaviour: on a by-reference transport a fed array changed after the run,
    // or a fetched one changed by the caller, must not be a variable's or queue's storage.
    const feed = byReference ? fed.map((t) => ({ name: t.name, tensor: copyNDArray(t.tensor) })) : fed;
    const options = args.options ?? {};
    const timeout = (options.timeoutInMs ?? 0) > 0 ? options.timeoutInMs! : (this.config.operationTimeoutInMs ?? 0);
    const callOptions: CallOptions = timeout > 0 ? { timeoutMs: timeout + 2000 } : {};
    if (args.signal) callOptions.signal = args.signal;
    const step = master.runStep(
      { sessionHandle: handle, feed, fetch: flat.tensors, target: flat.targets, options: { ...options, timeoutInMs: timeout } },
      callOptions,
    );
    const res = await (local ? holdProcessWhile(step) : step);
    if (args.runMetadata && res.metadata?.stepStats) args.runMetadata.stepStats = res.metadata.stepStats;
    if (args.runMetadata && res.metadata?.partitionGraphs) args.runMetadata.partitionGraphs = res.metadata.partitionGraphs;
    return flat.rebuild(new Map(res.tensor.map((t) => [t.name, byReference ? copyNDArray(t.tensor) : t.tensor]))) as FetchResult<F>;
  }

  /**
   * The cluster's devices as this session's master sees them; `.missing` lists the tasks that did
   * not answer (with the error), whose devices are therefore absent.
   */
  async listDevices(): Promise<DeviceInfo[] & { missing: TaskStatus[] }> {
    this.assertOpen();
    const { master } = await this.connection;
    const r = await master.listDevices({}, this.rpcTimeout);
    const devices = [...r.localDevice, ...r.remoteDevice].map((d) => ({ name: d.name, deviceType: d.deviceType, memoryLimitBytes: d.memoryLimitBytes, incarnation: d.incarnation }));
    return Object.assign(devices, { missing: r.missingTask ?? [] });
  }

  /** Closes the session: its running steps are cancelled; a local session's state is freed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const conn = await this.connection.catch(() => null);
    if (!conn) return;
    try {
      if (this.handle) {
        const handle = await this.handle.catch(() => null);
        // Never throws: `finally { await sess.close() }` must not hide the error that got there.
        // A master that is gone (or forgot the session) has nothing left to close.
        if (handle) await conn.master.closeSession({ sessionHandle: handle }, this.closeTimeout).catch((err: unknown) => {
          if (!(err instanceof AbortedError)) log.warn(`Session.close: the master at ${this.target} did not close session ${handle}: ${asOpError(err).message}`);
        });
      }
    } finally {
      await conn.local?.stop();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * Frees the named containers (all default containers when omitted) on every task of the cluster
   * and closes every session open on that server. A secured cluster's `{security: {token?, tls?}}`
   * goes in the last argument (or in `config`).
   * @example await tf.Session.reset(target, ["c1"], {}, {security: {token}});
   */
  static async reset(target: string, containers?: string[], config: ConfigProto & { security?: ConnectOptions } = {}, options: { security?: ConnectOptions } = {}): Promise<void> {
    if (!target) throw new NotFoundError("Session.reset needs the target of a cluster server");
    const { transport, address } = parseTarget(target);
    const master = (await getTransport(transport)).connectMaster(address, options.security ?? config.security);
    const t = config.operationTimeoutInMs ?? 0;
    await master.reset({ container: containers ?? [], deviceFilters: config.deviceFilters ?? [] }, t > 0 ? { timeoutMs: t } : {});
  }
}
