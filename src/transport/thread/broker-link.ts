/**
 * This thread's way to the broker: direct calls in the root thread, requests over the broker port
 * in a member thread (a thread spawned with a broker port in its workerData, see supervisor.ts).
 */
import { MessagePort, isMainThread, workerData } from "node:worker_threads";
import { DeadlineExceededError, FailedPreconditionError, UnavailableError, errorFromStatus } from "../../errors/index.js";
import { systemClock } from "../../util/env.js";
import type { Acceptor } from "./broker.js";
import { Broker, rejectOffer } from "./broker.js";
import type { BrokerReply, BrokerRequest, ConnectOffer } from "./protocol.js";
import { BROKER_PORT_KEY, isTagged } from "./protocol.js";

/** A broker request that gets no answer in this time fails (the root is stuck or gone). */
const BROKER_REQUEST_TIMEOUT_MS = 10_000;
/** Requests awaiting the broker at once; more is a bug (a bind/unbind storm). */
const BROKER_PENDING_MAX = 1024;

export interface BrokerLink {
  readonly isRoot: boolean;
  /** Binds `address` (port 0 → a fresh port) to `accept`; resolves the address actually bound. */
  bind(address: string, accept: Acceptor): Promise<string>;
  unbind(address: string, accept: Acceptor): Promise<void>;
  /** Hands an offer to the broker; any refusal comes back on the offer's port. */
  connect(offer: ConnectOffer): void;
  /** A broker port for a thread this thread is about to spawn. */
  newMemberPort(): Promise<MessagePort>;
}

class RootLink implements BrokerLink {
  readonly isRoot = true;
  constructor(readonly broker: Broker) {}
  bind(address: string, accept: Acceptor): Promise<string> {
    return Promise.resolve().then(() => this.broker.bindLocal(address, accept));
  }
  unbind(address: string, accept: Acceptor): Promise<void> {
    this.broker.unbind(address, accept);
    return Promise.resolve();
  }
  connect(offer: ConnectOffer): void {
    this.broker.connect(offer);
  }
  newMemberPort(): Promise<MessagePort> {
    return Promise.resolve(this.broker.newMemberPort());
  }
}

interface Pending {
  resolve(reply: BrokerReply & { t: "ok" }): void;
  reject(err: Error): void;
  cancelTimer(): void;
}

class MemberLink implements BrokerLink {
  readonly isRoot = false;
  private readonly acceptors = new Map<string, Acceptor>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly port: MessagePort) {
    port.on("message", (msg: unknown) => this.onMessage(msg));
    port.on("close", () => this.onClose());
    this.updateRef();
  }

  async bind(address: string, accept: Acceptor): Promise<string> {
    const reply = await this.request((id) => ({ t: "bind", id, address }));
    const bound = reply.address ?? address;
    this.acceptors.set(bound, accept);
    this.updateRef();
    return bound;
  }

  async unbind(address: string, accept: Acceptor): Promise<void> {
    if (this.acceptors.get(address) !== accept) return;
    this.acceptors.delete(address);
    this.updateRef();
    if (!this.closed) await this.request((id) => ({ t: "unbind", id, address }));
  }

  connect(offer: ConnectOffer): void {
    if (this.closed) {
      rejectOffer(offer, new UnavailableError("thread transport: this thread lost its broker (the root thread is gone)"));
      return;
    }
    const msg: BrokerRequest = { t: "connect", offer };
    this.port.postMessage(msg, [offer.port]);
  }

  async newMemberPort(): Promise<MessagePort> {
    const reply = await this.request((id) => ({ t: "port", id }));
    if (!(reply.port instanceof MessagePort)) throw new UnavailableError("thread transport: broker sent no port");
    return reply.port;
  }

  private request(make: (id: number) => BrokerRequest): Promise<BrokerReply & { t: "ok" }> {
    if (this.closed) return Promise.reject(new UnavailableError("thread transport: this thread lost its broker"));
    if (this.pending.size >= BROKER_PENDING_MAX) {
      return Promise.reject(new UnavailableError(`thread transport: ${BROKER_PENDING_MAX} broker requests already pending`));
    }
    const id = this.nextId++;
    const req = make(id);
    return new Promise((resolve, reject) => {
      const cancelTimer = systemClock.setTimer(BROKER_REQUEST_TIMEOUT_MS, () => {
        this.settle(id)?.reject(new DeadlineExceededError(`thread transport: broker did not answer '${req.t}' within ${BROKER_REQUEST_TIMEOUT_MS} ms`));
      });
      this.pending.set(id, { resolve, reject, cancelTimer });
      this.updateRef();
      this.port.postMessage(req);
    });
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    p.cancelTimer();
    this.updateRef();
    return p;
  }

  private onMessage(msg: unknown): void {
    if (!isTagged(msg)) return;
    const reply = msg as BrokerReply;
    if (reply.t === "accept") {
      const accept = this.acceptors.get(reply.offer.address);
      if (accept) accept(reply.offer);
      else rejectOffer(reply.offer, new UnavailableError(`thread transport: ${reply.offer.address} stopped serving`));
      return;
    }
    const p = this.settle(reply.id);
    if (!p) return;
    if (reply.t === "ok") p.resolve(reply);
    else p.reject(errorFromStatus(reply.status));
  }

  private onClose(): void {
    this.closed = true;
    for (const id of [...this.pending.keys()]) {
      this.settle(id)?.reject(new UnavailableError("thread transport: the broker port closed"));
    }
  }

  /** A serving thread must stay alive; an idle one may exit. */
  private updateRef(): void {
    if (this.acceptors.size > 0 || this.pending.size > 0) this.port.ref();
    else this.port.unref();
  }
}

let link: BrokerLink | undefined;

function portFromWorkerData(): MessagePort | undefined {
  if (isMainThread || typeof workerData !== "object" || workerData === null) return undefined;
  const port: unknown = (workerData as Record<string, unknown>)[BROKER_PORT_KEY];
  return port instanceof MessagePort ? port : undefined;
}

/** This thread's broker link, created on first use: a member if workerData carries a broker port. */
export function brokerLink(): BrokerLink {
  if (!link) {
    const port = portFromWorkerData();
    link = port ? new MemberLink(port) : new RootLink(new Broker());
  }
  return link;
}

/** Joins the broker through `port` (for threads started other than by spawnThread). */
export function joinThreadBroker(port: MessagePort): void {
  if (link) throw new FailedPreconditionError("thread transport: this thread already has a broker link");
  link = new MemberLink(port);
}

/** The broker itself, in the root thread only (the launcher reserves and labels addresses). */
export function rootBroker(): Broker {
  const l = brokerLink();
  if (!(l instanceof RootLink)) {
    throw new FailedPreconditionError("thread transport: the address table lives in the root thread; this is a member thread");
  }
  return l.broker;
}
