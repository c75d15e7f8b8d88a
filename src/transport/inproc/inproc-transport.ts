/**
 * The in-process transport: every task in the calling thread, messages delivered by reference in
 * a seeded order. A stopped endpoint fails its in-flight calls with UnavailableError at once.
 */
import { cancellationError, DeadlineExceededError, UnavailableError, UnknownError, asOpError } from "../../errors/index.js";
import type { OpError } from "../../errors/index.js";
import type { CallOptions, MasterService, ServedServices, ServerHandle, Transport, WorkerService } from "../services.js";
import { DeliveryScheduler } from "./scheduler.js";

interface Endpoint {
  services: ServedServices;
  inflight: Set<(err: OpError) => void>;
}

export class InprocNetwork implements Transport {
  readonly name = "inproc" as const;
  private readonly endpoints = new Map<string, Endpoint>();
  readonly scheduler = new DeliveryScheduler(Number(process.env.TFCLUSTER_SEED ?? 0));
  private nextPort = 30000;

  private resolveAddress(address: string): string {
    const m = /^(.*):(\d+)$/.exec(address);
    if (!m) throw new UnknownError(`Could not start inproc server: bad address '${address}'`);
    if (m[2] !== "0") return address;
    let candidate: string;
    do candidate = `${m[1]}:${this.nextPort++}`;
    while (this.endpoints.has(candidate));
    return candidate;
  }

  /** Replaces port 0 with a free port of this network, without serving yet. */
  allocateAddress(address: string): string {
    return this.resolveAddress(address);
  }

  async serve(address: string, services: ServedServices): Promise<ServerHandle> {
    const bound = this.resolveAddress(address);
    if (this.endpoints.has(bound)) throw new UnknownError(`Could not start inproc server at ${bound}: address ${bound} is already in use`);
    const endpoint: Endpoint = { services, inflight: new Set() };
    this.endpoints.set(bound, endpoint);
    return {
      address: bound,
      stop: async () => {
        if (this.endpoints.get(bound) !== endpoint) return;
        this.endpoints.delete(bound);
        const err = new UnavailableError(`Task at inproc://${bound} is unavailable: its server stopped`);
        for (const fail of endpoint.inflight) fail(err);
      },
    };
  }

  /** Invokes `method` on the endpoint at `address` after a seeded delivery, honouring deadline and cancel. */
  private call<T>(address: string, invoke: (s: ServedServices, opts: CallOptions) => Promise<T>, opts: CallOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let done = false;
      let endpoint: Endpoint | undefined;
      const controller = new AbortController();
      const finish = (err: OpError | null, value?: T) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        opts.signal?.removeEventListener("abort", onAbort);
        endpoint?.inflight.delete(failFromServer);
        if (err) {
          if (!controller.signal.aborted) controller.abort(err);
          reject(err);
        } else resolve(value as T);
      };
      const failFromServer = (err: OpError) => finish(err);
      const onAbort = () => finish(cancellationError(opts.signal!.reason, "Call was cancelled"));
      const timer = opts.timeoutMs && opts.timeoutMs > 0
        ? setTimeout(() => finish(new DeadlineExceededError(`Deadline Exceeded (${opts.timeoutMs} ms) calling inproc://${address}`)), opts.timeoutMs)
        : undefined;
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      void this.scheduler.deliver().then(() => {
        if (done) return;
        endpoint = this.endpoints.get(address);
        if (!endpoint) return finish(new UnavailableError(`Task at inproc://${address} is unavailable: no server is listening there`));
        endpoint.inflight.add(failFromServer);
        let p: Promise<T>;
        try {
          p = invoke(endpoint.services, { signal: controller.signal });
        } catch (err) {
          p = Promise.reject(err);
        }
        // A reply already produced is on its way: a server stopping now does not replace it.
        p.then(
          (v) => {
            endpoint?.inflight.delete(failFromServer);
            return this.scheduler.deliver().then(() => finish(null, v));
          },
          (err: unknown) => {
            endpoint?.inflight.delete(failFromServer);
            return this.scheduler.deliver().then(() => finish(asOpError(err)));
          },
        );
      });
    });
  }

  connectMaster(address: string): MasterService {
    return stub<MasterService>((method, req, opts) =>
      this.call(address, (s, o) => (s.master[method] as (r: unknown, o: CallOptions) => Promise<unknown>).call(s.master, req, o), opts),
    );
  }

  connectWorker(address: string): WorkerService {
    return stub<WorkerService>((method, req, opts) =>
      this.call(address, (s, o) => (s.worker[method] as (r: unknown, o: CallOptions) => Promise<unknown>).call(s.worker, req, o), opts),
    );
  }

  has(address: string): boolean {
    return this.endpoints.has(address);
  }
}


/** A client object whose every method forwards (name, request, options) to `send`. */
function stub<S extends object>(send: (method: keyof S, req: unknown, opts?: CallOptions) => Promise<unknown>): S {
  return new Proxy({} as S, {
    get: (_t, prop) => (prop === "then" || typeof prop === "symbol" ? undefined : (req: unknown, opts?: CallOptions) => send(prop as keyof S, req, opts)),
  });
}

/** The process-wide inproc network. */
export const inprocTransport = new InprocNetwork();
