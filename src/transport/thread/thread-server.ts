/**
 * A served address: accepts connections handed over by the broker and stops within a bound.
 * States: idle → listening → stopping → stopped (traced by `state`).
 */
import { MessageChannel } from "node:worker_threads";
import { CancelledError, UnavailableError } from "../../errors/index.js";
import { systemClock } from "../../util/env.js";
import { tracer } from "../../util/logger.js";
import type { ServedServices, ServerHandle } from "../services.js";
import type { Acceptor } from "./broker.js";
import { rejectOffer } from "./broker.js";
import type { BrokerLink } from "./broker-link.js";
import type { ThreadLimits } from "./limits.js";
import type { ConnectOffer } from "./protocol.js";
import { ServerConnection } from "./server-connection.js";

const trace = tracer("thread");

/** Default time running calls get to finish on stop() before they are aborted. */
const DEFAULT_GRACE_MS = 5_000;
/** After aborting, how long stop() lets aborted calls write their (error) replies. */
const ABORT_FLUSH_MS = 250;

export type ThreadServerState = "idle" | "listening" | "stopping" | "stopped";

export class ThreadServer implements ServerHandle {
  private boundAddress = "";
  private readonly connections = new Set<ServerConnection>();
  private readonly accept: Acceptor = (offer) => this.onOffer(offer);
  private stopped: Promise<void> | undefined;
  /** Keeps the serving thread's event loop alive until stop(), as a listening socket would. */
  private readonly keepAlive = new MessageChannel();
  state: ThreadServerState = "idle";

  constructor(
    private readonly services: ServedServices,
    private readonly link: BrokerLink,
    private readonly limits: ThreadLimits,
  ) {
    this.keepAlive.port1.on("message", () => undefined);
  }

  get address(): string {
    return this.boundAddress;
  }

  /** Binds `address` ("host:0" picks a free port); fails if it is already served. */
  async listen(address: string): Promise<void> {
    try {
      this.boundAddress = await this.link.bind(address, this.accept);
      this.state = "listening";
      trace(`server ${this.boundAddress}: listening`);
    } catch (err) {
      this.closeKeepAlive();
      this.state = "stopped";
      throw err;
    }
  }

  /** Connections currently open (for tests and status). */
  get connectionCount(): number {
    return this.connections.size;
  }

  /**
   * Stops accepting, lets running calls finish for `graceMs`, aborts the rest, then closes every
   * connection (clients' pending calls fail UNAVAILABLE). Always settles within about graceMs.
   */
  stop(options: { graceMs?: number } = {}): Promise<void> {
    this.stopped ??= this.shutDown(options.graceMs ?? DEFAULT_GRACE_MS);
    return this.stopped;
  }

  private async shutDown(graceMs: number): Promise<void> {
    this.state = "stopping";
    trace(`server ${this.boundAddress}: stopping (grace ${graceMs} ms, ${this.connections.size} connections)`);
    await this.link.unbind(this.boundAddress, this.accept).catch(() => undefined);
    for (const c of this.connections) c.refusing = true;
    await this.within(graceMs, Promise.all([...this.connections].map((c) => c.idle())));
    const busy = [...this.connections].filter((c) => c.inflightCount > 0);
    if (busy.length > 0) {
      const reason = new CancelledError(`the server at ${this.boundAddress} stopped`);
      for (const c of busy) c.abortAll(reason);
      await this.within(ABORT_FLUSH_MS, Promise.all(busy.map((c) => c.idle())));
    }
    for (const c of [...this.connections]) c.close(`the server at ${this.boundAddress} stopped`);
    this.closeKeepAlive();
    this.state = "stopped";
    trace(`server ${this.boundAddress}: stopped`);
  }

  private onOffer(offer: ConnectOffer): void {
    if (this.state !== "listening") {
      rejectOffer(offer, new UnavailableError(`thread transport: the server at ${offer.address} is ${this.state}`));
      return;
    }
    const conn = new ServerConnection(offer, this.services, this.limits, (c) => this.connections.delete(c));
    this.connections.add(conn);
  }

  /** Waits for `p` at most `ms`; never rejects. */
  private within(ms: number, p: Promise<unknown>): Promise<void> {
    return new Promise<void>((resolve) => {
      const cancel = systemClock.setTimer(ms, resolve);
      p.then(
        () => (cancel(), resolve()),
        () => (cancel(), resolve()),
      );
    });
  }

  private closeKeepAlive(): void {
    this.keepAlive.port1.close();
  }
}
