/**
 * The address table of the thread transport. It lives in one thread, the root (the thread that
 * was not handed a broker port: normally the main thread); every other thread reaches it through
 * its broker port. Serving binds an address to the thread; connecting sends a ConnectOffer (two
 * rings and a MessagePort end) that the broker forwards to the thread owning the address. Data
 * never flows through the broker: after the hand-off the two threads talk directly.
 */
import { MessageChannel, type MessagePort } from "node:worker_threads";
import { InvalidArgumentError, UnavailableError, UnknownError, toStatus } from "../../errors/index.js";
import type { BrokerReply, BrokerRequest, ConnectOffer, ControlMessage } from "./protocol.js";
import { isTagged } from "./protocol.js";

/** Ports handed out for "host:0" start here; explicit ports are used as given. */
const FIRST_DYNAMIC_PORT = 20000;
const LAST_PORT = 65535;

export type Acceptor = (offer: ConnectOffer) => void;
type Owner = { kind: "local"; accept: Acceptor } | { kind: "member"; port: MessagePort };

/** Splits "host:port"; the port must be an integer in [0, 65535]. */
export function parseAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(":");
  const host = colon > 0 ? address.slice(0, colon) : "";
  const port = Number(address.slice(colon + 1));
  if (!host || !Number.isInteger(port) || port < 0 || port > LAST_PORT) {
    throw new InvalidArgumentError(`thread transport: address '${address}' is not of the form host:port`);
  }
  return { host, port };
}

/** Refuses a connection: tells the client why on its port, then closes the port. */
export function rejectOffer(offer: ConnectOffer, err: unknown): void {
  const msg: ControlMessage = { t: "reject", status: toStatus(err) };
  offer.port.postMessage(msg);
  offer.port.close();
}

export class Broker {
  private readonly table = new Map<string, Owner>();
  private readonly labels = new Map<string, string>();
  private readonly handedOut = new Set<number>();
  private nextPort = FIRST_DYNAMIC_PORT;

  /** Takes requests from a member thread on `port`; when it closes, its addresses are unbound. */
  adopt(port: MessagePort): void {
    port.on("message", (msg: unknown) => this.onMemberMessage(port, msg));
    port.on("close", () => this.dropOwner(port));
    // The broker must never keep the root thread alive by itself.
    port.unref();
  }

  /** A new broker port for a thread about to be spawned (the other end is adopted here). */
  newMemberPort(): MessagePort {
    const { port1, port2 } = new MessageChannel();
    this.adopt(port1);
    return port2;
  }

  /** A fresh "host:port" no server has used in this process. */
  reserve(host: string): string {
    for (let tries = 0; tries <= LAST_PORT - FIRST_DYNAMIC_PORT; tries++) {
      const port = this.nextPort;
      this.nextPort = port >= LAST_PORT ? FIRST_DYNAMIC_PORT : port + 1;
      const address = `${host}:${port}`;
      if (!this.handedOut.has(port) && !this.table.has(address)) {
        this.handedOut.add(port);
        return address;
      }
    }
    throw new UnavailableError(`thread transport: no free port left for host ${host}`);
  }

  /** Names the task behind `address` in errors ("/job:ps/replica:0/task:0 at localhost:20001"). */
  setLabel(address: string, label: string): void {
    this.labels.set(address, label);
  }

  labelOf(address: string): string {
    const label = this.labels.get(address);
    return label ? `${label} at ${address}` : address;
  }

  bind(address: string, owner: Owner): string {
    const { host, port } = parseAddress(address);
    const resolved = port === 0 ? this.reserve(host) : address;
    if (this.table.has(resolved)) {
      // The same class and words as a failed gRPC bind (TF's "Could not start gRPC server"), so
      // a caller handles a port in use alike on every transport.
      throw new UnknownError(`Could not start thread server at ${resolved}: address ${resolved} is already served in this process`);
    }
    this.table.set(resolved, owner);
    return resolved;
  }

  bindLocal(address: string, accept: Acceptor): string {
    return this.bind(address, { kind: "local", accept });
  }

  /** Removes `address` if `ownerKey` (an Acceptor or a member port) still owns it. */
  unbind(address: string, ownerKey: Acceptor | MessagePort): void {
    const owner = this.table.get(address);
    if (!owner) return;
    if ((owner.kind === "local" ? owner.accept : owner.port) === ownerKey) this.table.delete(address);
  }

  /** Routes a client's offer to the owner of its address, or refuses it. */
  connect(offer: ConnectOffer): void {
    const owner = this.table.get(offer.address);
    if (!owner) {
      rejectOffer(offer, new UnavailableError(`thread transport: nothing serves ${this.labelOf(offer.address)} in this process`));
      return;
    }
    const routed: ConnectOffer = { ...offer, label: this.labelOf(offer.address) };
    if (owner.kind === "local") {
      owner.accept(routed);
      return;
    }
    const msg: BrokerReply = { t: "accept", offer: routed };
    owner.port.postMessage(msg, [routed.port]);
  }

  /** Addresses currently served (for status and tests). */
  addresses(): string[] {
    return [...this.table.keys()];
  }

  private dropOwner(port: MessagePort): void {
    for (const [address, owner] of this.table) {
      if (owner.kind === "member" && owner.port === port) this.table.delete(address);
    }
  }

  private onMemberMessage(port: MessagePort, msg: unknown): void {
    if (!isTagged(msg)) return;
    const req = msg as BrokerRequest;
    const reply = (r: BrokerReply, transfer: MessagePort[] = []): void => port.postMessage(r, transfer);
    switch (req.t) {
      case "bind":
        try {
          reply({ t: "ok", id: req.id, address: this.bind(req.address, { kind: "member", port }) });
        } catch (err) {
          reply({ t: "error", id: req.id, status: toStatus(err) });
        }
        return;
      case "unbind":
        this.unbind(req.address, port);
        reply({ t: "ok", id: req.id });
        return;
      case "connect":
        this.connect(req.offer);
        return;
      case "port": {
        const fresh = this.newMemberPort();
        reply({ t: "ok", id: req.id, port: fresh }, [fresh]);
        return;
      }
    }
  }
}
