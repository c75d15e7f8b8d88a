/**
 * The in-process transport: every task in the calling thread, messages delivered by reference by
 * the network's seeded scheduler (scheduler.ts). Each tf.sim.launch has its own network, clock and
 * random source; a process-wide directory only maps addresses to the network serving them, so a
 * target such as inproc://localhost:30001 reaches the right cluster.
 *
 * Faults as the real world makes them: `crash(address)` ends a task with no goodbyes (calls to it
 * fail as a reset connection does, calls from it are never answered, requests it was serving are
 * cancelled); a partition drops messages between its two sides, so callers wait for their
 * deadline; a delay adds latency to one direction.
 */
import { cancellationError, DeadlineExceededError, UnavailableError, UnknownError, asOpError } from "../../errors/index.js";
import type { OpError } from "../../errors/index.js";
import type { CallOptions, MasterService, ServedServices, ServerHandle, Transport, WorkerService } from "../services.js";
import { seedFromEnvironment } from "../../util/env.js";
import type { Clock } from "../../util/env.js";
import { FaultTable } from "./faults.js";
import { SimScheduler } from "./scheduler.js";

interface Endpoint {
  services: ServedServices;
  /** Calls being served here, failed when the endpoint goes away. */
  inflight: Set<(err: OpError) => void>;
}

/** Who sends a message: an address (or CLIENT) in one incarnation. */
interface Origin {
  address: string;
  gen: number;
}

/** The name of callers outside the cluster (sessions of the program) in faults and traces. */
export const CLIENT = "client";

export interface InprocNetworkOptions {
  scheduler?: SimScheduler;
  /** List this network's addresses in the process-wide directory (tf.sim clusters do). */
  register?: boolean;
  /** Each message waits a seeded random 0..jitterMs of the clock before delivery (default 0). */
  jitterMs?: number;
}

/** address → the network serving it, for targets; no message goes through here. */
const directory = new Map<string, InprocNetwork>();
let nextPort = 30000;

export class InprocNetwork implements Transport {
  readonly name = "inproc" as const;
  readonly scheduler: SimScheduler;
  readonly faults = new FaultTable();
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly labels = new Map<string, string>();
  /** Incarnation of each address, bumped by a crash: messages of an older one are never delivered. */
  private readonly generations = new Map<string, number>();
  /** Calls each origin has in flight, cancelled on the callee side when the origin crashes. */
  private readonly outgoing = new Map<string, Set<AbortController>>();
  private readonly register: boolean;
  private readonly jitterMs: number;
  private readonly owned = new Set<string>();

  constructor(options: InprocNetworkOptions = {}) {
    this.scheduler = options.scheduler ?? new SimScheduler({ seed: seedFromEnvironment() ?? 0 });
    this.register = options.register ?? false;
    this.jitterMs = options.jitterMs ?? 0;
  }

  get clock(): Clock {
    return this.scheduler.clock;
  }

  private resolveAddress(address: string): string {
    const m = /^(.*):(\d+)$/.exec(address);
    if (!m) throw new UnknownError(`Could not start inproc server: bad address '${address}'`);
    if (m[2] !== "0") return address;
    let candidate: string;
    do candidate = `${m[1]}:${nextPort++}`;
    while (this.endpoints.has(candidate) || directory.has(candidate));
    return candidate;
  }

  /** Replaces port 0 with a free port, without serving yet; a registered network reserves it. */
  allocateAddress(address: string): string {
    const bound = this.resolveAddress(address);
    if (this.register) {
      const owner = directory.get(bound);
      if (owner && owner !== this) throw new UnknownError(`Could not start inproc server: address ${bound} is already in use by another cluster`);
      directory.set(bound, this);
      this.owned.add(bound);
    }
    return bound;
  }

  /** Names an address in traces and errors ("/job:ps/replica:0/task:0"). */
  setLabel(address: string, label: string): void {
    this.labels.set(address, label);
  }

  private labelOf(address: string): string {
    return this.labels.get(address) ?? address;
  }

  async serve(address: string, services: ServedServices): Promise<ServerHandle> {
    const bound = this.allocateAddress(address);
    if (this.endpoints.has(bound)) throw new UnknownError(`Could not start inproc server at ${bound}: address ${bound} is already in use`);
    const endpoint: Endpoint = { services, inflight: new Set() };
    this.endpoints.set(bound, endpoint);
    return {
      address: bound,
      stop: async () => {
        if (this.endpoints.get(bound) !== endpoint) return;
        this.endpoints.delete(bound);
        const err = new UnavailableError(`Task ${this.labelOf(bound)} at inproc://${bound} is unavailable: its server stopped`);
        for (const fail of endpoint.inflight) fail(err);
      },
    };
  }

  /**
   * The task at `address` crashes: it stops serving at once (pending calls to it fail as a reset
   * connection does), its own calls are never answered and the calls it made are cancelled at their callees.
   */
  crash(address: string): void {
    this.generations.set(address, this.gen(address) + 1);
    for (const c of this.outgoing.get(address) ?? []) c.abort(new UnavailableError(`Caller ${this.labelOf(address)} crashed`));
    this.outgoing.delete(address);
    const endpoint = this.endpoints.get(address);
    if (!endpoint) return;
    this.endpoints.delete(address);
    this.scheduler.trace?.push(`${this.clock.nowMs()} crash ${this.labelOf(address)}`);
    const err = this.resetError(address);
    for (const fail of endpoint.inflight) fail(err);
  }

  private resetError(address: string): UnavailableError {
    return new UnavailableError(`Task ${this.labelOf(address)} at inproc://${address} is unavailable: connection reset (the task crashed)`);
  }

  private gen(address: string): number {
    return this.generations.get(address) ?? 0;
  }

  /** Calls as seen from `origin` (a task's address, or CLIENT), in its current incarnation. */
  from(origin: string): Transport {
    const self: Origin = { address: origin, gen: this.gen(origin) };
    return {
      name: "inproc",
      serve: (address, services) => this.serve(address, services),
      connectMaster: (address) => this.masterStub(self, address),
      connectWorker: (address) => this.workerStub(self, address),
    };
  }

  /**
   * One hop from→to: seeded jitter and configured delay; lost when cut, or when its sender's
   * incarnation died (then `onSenderCrashed`, if given, runs instead).
   */
  private hop(sender: Origin, to: string, what: string, then: () => void, onSenderCrashed?: () => void): void {
    const from = sender.address;
    const jitter = this.jitterMs > 0 ? this.scheduler.random.int(this.jitterMs + 1) : 0;
    const label = `${what} ${this.labelOf(from)}>${this.labelOf(to)}`;
    this.scheduler.post(
      label,
      () => {
        const crashed = this.gen(from) !== sender.gen;
        if (crashed || this.faults.isCut(from, to)) {
          this.scheduler.trace?.push(`${this.clock.nowMs()} drop ${label}`);
          if (crashed) onSenderCrashed?.();
          return;
        }
        then();
      },
      jitter + this.faults.delayOf(from, to),
    );
  }

  /** Invokes a method on the endpoint at `address` after a seeded delivery, honouring deadline and cancel. */
  private call<T>(caller: Origin, address: string, method: string, invoke: (s: ServedServices, opts: CallOptions) => Promise<T>, opts: CallOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let done = false;
      let endpoint: Endpoint | undefined;
      const controller = new AbortController();
      const origin = caller.address;
      const mine = this.outgoing.get(origin) ?? new Set();
      this.outgoing.set(origin, mine);
      mine.add(controller);
      const finish = (err: OpError | null, value?: T) => {
        if (done) return;
        done = true;
        cancelTimer?.();
        mine.delete(controller);
        opts.signal?.removeEventListener("abort", onAbort);
        endpoint?.inflight.delete(failFromServer);
        if (this.gen(origin) !== caller.gen) return; // a crashed caller hears nothing more
        if (err) {
          if (!controller.signal.aborted) controller.abort(err);
          reject(err);
        } else resolve(value as T);
      };
      const failFromServer = (err: OpError) => finish(err);
      const onAbort = () => finish(cancellationError(opts.signal!.reason, "Call was cancelled"));
      const cancelTimer =
        opts.timeoutMs && opts.timeoutMs > 0
          ? this.clock.setTimer(opts.timeoutMs, () => finish(new DeadlineExceededError(`Deadline Exceeded (${opts.timeoutMs} ms) calling ${this.labelOf(address)} at inproc://${address}`)))
          : undefined;
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      this.hop(caller, address, `req ${method}`, () => {
        if (done) return;
        endpoint = this.endpoints.get(address);
        if (!endpoint) return finish(new UnavailableError(`Task ${this.labelOf(address)} at inproc://${address} is unavailable: no server is listening there`));
        endpoint.inflight.add(failFromServer);
        let p: Promise<T>;
        try {
          p = invoke(endpoint.services, { signal: controller.signal });
        } catch (err) {
          p = Promise.reject(err);
        }
        // A reply already produced is on its way: a server stopping now does not replace it; one
        // that crashes before it is delivered resets the connection (the caller hears that).
        const server: Origin = { address, gen: this.gen(address) };
        const reply = (deliver: () => void): void => {
          endpoint?.inflight.delete(failFromServer);
          this.hop(server, origin, `res ${method}`, deliver, () => finish(this.resetError(address)));
        };
        p.then(
          (v) => reply(() => finish(null, v)),
          (err: unknown) => reply(() => finish(asOpError(err))),
        );
      });
    });
  }

  private masterStub(origin: Origin, address: string): MasterService {
    return stub<MasterService>((method, req, opts) =>
      this.route(address).call(origin, address, `master.${String(method)}`, (s, o) => (s.master[method] as (r: unknown, o: CallOptions) => Promise<unknown>).call(s.master, req, o), opts),
    );
  }

  private workerStub(origin: Origin, address: string): WorkerService {
    return stub<WorkerService>((method, req, opts) =>
      this.route(address).call(origin, address, `worker.${String(method)}`, (s, o) => (s.worker[method] as (r: unknown, o: CallOptions) => Promise<unknown>).call(s.worker, req, o), opts),
    );
  }

  /** The network that serves `address`: a simulated cluster's, when one owns it, else this one. */
  private route(address: string): InprocNetwork {
    return this.endpoints.has(address) ? this : (directory.get(address) ?? this);
  }

  connectMaster(address: string): MasterService {
    return this.masterStub({ address: CLIENT, gen: 0 }, address);
  }

  connectWorker(address: string): WorkerService {
    return this.workerStub({ address: CLIENT, gen: 0 }, address);
  }

  has(address: string): boolean {
    return this.endpoints.has(address);
  }

  /** The network that owns `address` in the directory, if any. */
  static owner(address: string): InprocNetwork | undefined {
    return directory.get(address);
  }

  /** Gives this network's addresses back to the directory (the cluster stopped). */
  release(): void {
    for (const a of this.owned) if (directory.get(a) === this) directory.delete(a);
    this.owned.clear();
  }
}

/** A client object whose every method forwards (name, request, options) to `send`. */
function stub<S extends object>(send: (method: keyof S, req: unknown, opts?: CallOptions) => Promise<unknown>): S {
  return new Proxy({} as S, {
    get: (_t, prop) => (prop === "then" || typeof prop === "symbol" ? undefined : (req: unknown, opts?: CallOptions) => send(prop as keyof S, req, opts)),
  });
}

/** The process's default inproc network (tf.train.Server with transport "inproc"); clusters of tf.sim have their own. */
export const inprocTransport = new InprocNetwork();
