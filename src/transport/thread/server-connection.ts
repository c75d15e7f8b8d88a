/**
 * The server end of one connection: reads request frames, runs each on the served services with
 * its own AbortSignal (aborted by the client's cancel, the request's deadline, the client's
 * thread going away, or the server stopping), and writes the reply frames back.
 */
import type { MessagePort } from "node:worker_threads";
import {
  CancelledError,
  DeadlineExceededError,
  ResourceExhaustedError,
  UnavailableError,
  UnimplementedError,
  toStatus,
} from "../../errors/index.js";
import { systemClock } from "../../util/env.js";
import type { CallOptions, ServedServices } from "../services.js";
import type { FrameReader } from "./frame-reader.js";
import { LaneReader, LaneWriter } from "./lanes.js";
import type { ThreadLimits } from "./limits.js";
import type { ConnectOffer, ControlMessage, FrameHeader, MethodInfo } from "./protocol.js";
import { FrameKind, METHODS, isTagged, methodLabel } from "./protocol.js";

/** Frames read back to back without a promise before the pump lets others run (handlers). */
const FRAMES_PER_TURN = 32;

interface InFlight {
  controller: AbortController;
  /** The client stopped waiting (cancel, close): its reply is not written. */
  clientGone: boolean;
}

function invoke(services: ServedServices, info: MethodInfo, request: unknown, options: CallOptions): Promise<unknown> {
  const service = services[info.service] as unknown as Record<string, unknown>;
  const fn = service[info.name];
  if (typeof fn !== "function") throw new UnimplementedError(`${info.service}.${info.name} is not implemented by this server`);
  return (fn as (req: unknown, opts: CallOptions) => Promise<unknown>).call(service, request, options);
}

export class ServerConnection {
  private readonly requests: LaneReader;
  private readonly replies: LaneWriter;
  private readonly port: MessagePort;
  private readonly inflight = new Map<number, InFlight>();
  /** Cancels that overtook their request (the port is faster than the ring); capped. */
  private readonly earlyCancels = new Set<number>();
  private readonly idleWaiters: (() => void)[] = [];
  private open = true;
  /** Set by a stopping server: new requests are refused with UNAVAILABLE. */
  refusing = false;

  constructor(
    offer: ConnectOffer,
    private readonly services: ServedServices,
    private readonly limits: ThreadLimits,
    private readonly onClosed: (conn: ServerConnection) => void,
  ) {
    this.requests = new LaneReader(offer.requestRings);
    // A reply per call in flight, plus the refusals of calls that never ran.
    this.replies = new LaneWriter(offer.replyRings, limits.maxMessageBytes, 2 * limits.maxInFlight);
    this.port = offer.port;
    this.port.on("message", (msg: unknown) => this.onControl(msg));
    this.port.on("close", () => this.close("the client went away", false));
    // The serving thread is kept alive by its server, not by each client connection.
    this.port.unref();
    const ready: ControlMessage = { t: "ready", label: offer.label ?? offer.address };
    this.port.postMessage(ready);
    for (const reader of this.requests.readers) void this.pump(reader);
  }

  get inflightCount(): number {
    return this.inflight.size;
  }

  /** Resolves when no call is running here (immediately if none is). */
  idle(): Promise<void> {
    if (this.inflight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Aborts every running call; their replies (errors, usually) are still written if possible. */
  abortAll(reason: Error): void {
    for (const call of this.inflight.values()) call.controller.abort(reason);
  }

  /** Ends the connection: running calls are aborted, the client's pending calls fail UNAVAILABLE. */
  close(reason: string, notifyClient = true): void {
    if (!this.open) return;
    this.open = false;
    for (const call of this.inflight.values()) {
      call.clientGone = true;
      call.controller.abort(new CancelledError(`call aborted: ${reason}`));
    }
    if (notifyClient) {
      const msg: ControlMessage = { t: "close", reason };
      this.port.postMessage(msg);
    }
    this.requests.close();
    this.replies.close();
    this.port.close();
    this.onClosed(this);
  }

  private onControl(msg: unknown): void {
    if (!isTagged(msg)) return;
    const m = msg as ControlMessage;
    if (m.t === "cancel") {
      const call = this.inflight.get(m.callId);
      if (call) {
        call.clientGone = true;
        call.controller.abort(
          m.why === "deadline"
            ? new DeadlineExceededError(`the caller's deadline for call ${m.callId} passed`)
            : new CancelledError(`the caller cancelled call ${m.callId}`),
        );
      } else {
        if (this.earlyCancels.size >= this.limits.maxInFlight) this.earlyCancels.delete(this.earlyCancels.values().next().value!);
        this.earlyCancels.add(m.callId);
      }
    } else if (m.t === "close") {
      this.close(m.reason, false);
    }
  }

  /** Reads one lane's request frames until the connection closes. */
  private async pump(reader: FrameReader): Promise<void> {
    try {
      let burst = 0;
      while (this.open) {
        // Requests already whole in the ring are read back to back (up to FRAMES_PER_TURN) before
        // their handlers run: a RecvTensor is not held up by the RunGraph partition in front of it.
        if (++burst > FRAMES_PER_TURN || reader.ring.available() === 0) {
          burst = 0;
          if (!(await reader.ring.waitForData())) continue;
        }
        const now = reader.nextFrameNow();
        const header = now ?? (await reader.readHeader());
        if (header.kind !== FrameKind.REQUEST) throw new TypeError(`unexpected frame kind ${header.kind}`);
        const request = now ? reader.readBodyNow(header) : await reader.readBody(header);
        this.dispatch(header, request);
      }
    } catch (err) {
      this.close(`request channel failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private dispatch(header: FrameHeader, request: unknown): void {
    const info = METHODS[header.method];
    const early = this.earlyCancels.delete(header.callId);
    const fail = (err: Error): void => void this.reply(header, FrameKind.REPLY_ERROR, toStatus(err));
    if (!info) return fail(new UnimplementedError(`thread transport: unknown method id ${header.method}`));
    if (early) return;
    if (this.refusing) return fail(new UnavailableError(`thread transport: the server is stopping; ${info.service}.${info.name} refused`));
    if (this.inflight.size >= this.limits.maxInFlight) {
      return fail(new ResourceExhaustedError(`thread transport: ${this.limits.maxInFlight} calls already running on this connection`));
    }
    const call: InFlight = { controller: new AbortController(), clientGone: false };
    this.inflight.set(header.callId, call);
    const options: CallOptions = { signal: call.controller.signal };
    let cancelTimer = (): void => undefined;
    if (header.timeoutMs > 0) {
      options.timeoutMs = header.timeoutMs;
      cancelTimer = systemClock.setTimer(header.timeoutMs, () =>
        call.controller.abort(new DeadlineExceededError(`${methodLabel(header.method)} exceeded its deadline of ${header.timeoutMs} ms`)),
      );
    }
    Promise.resolve()
      .then(() => invoke(this.services, info, request, options))
      .then(
        (reply) => this.reply(header, FrameKind.REPLY_OK, reply, call),
        (err: unknown) => this.reply(header, FrameKind.REPLY_ERROR, toStatus(err), call),
      )
      .finally(() => {
        cancelTimer();
        this.inflight.delete(header.callId);
        if (this.inflight.size === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      });
  }

  private async reply(header: FrameHeader, kind: FrameKind, body: unknown, call?: InFlight): Promise<void> {
    const wanted = (): boolean => this.open && !call?.clientGone;
    const frame = { kind, method: header.method, callId: header.callId, timeoutMs: 0, body };
    try {
      await this.replies.send(frame, wanted);
    } catch (err) {
      // Not encodable or too large (nothing was written): tell the caller why instead.
      if (!this.open) return;
      await this.replies.send({ ...frame, kind: FrameKind.REPLY_ERROR, body: toStatus(err) }, wanted).catch(() => undefined);
    }
  }
}
