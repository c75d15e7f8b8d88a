/**
 * A client's channel to one address: connects lazily, reconnects after the connection dies (a
 * restarted task is reached again), and runs each call under its deadline and AbortSignal.
 */
import { CancelledError, DeadlineExceededError, InvalidArgumentError, OpError, UnavailableError } from "../../errors/index.js";
import { systemClock } from "../../util/env.js";
import type { CallOptions } from "../services.js";
import type { BrokerLink } from "./broker-link.js";
import type { ConnectionState, PendingCall } from "./client-connection.js";
import { ClientConnection } from "./client-connection.js";
import type { ThreadLimits } from "./limits.js";
import { FrameKind, methodLabel } from "./protocol.js";
import { RingClosedError } from "./ring.js";
import { CUT, linkTo } from "./faults.js";

/** Ring counters of a connection, seen from the client (both lanes): requests written, replies read. */
export interface ChannelStats {
  state: ConnectionState;
  requestBytes: number;
  /** Times a request writer waited for space in a full ring (back-pressure). */
  requestWaits: number;
  replyBytes: number;
  replyWaits: number;
}

export class ClientChannel {
  private connection: ClientConnection | undefined;
  private closed = false;

  constructor(
    readonly address: string,
    private readonly link: BrokerLink,
    private readonly limits: ThreadLimits,
  ) {}

  /** Calls `method` with `request`; rejects with the callee's error class, or UNAVAILABLE/DEADLINE/CANCELLED. */
  call(method: number, request: unknown, options: CallOptions = {}): Promise<unknown> {
    const name = methodLabel(method);
    const { signal } = options;
    const timeoutMs = options.timeoutMs && options.timeoutMs > 0 ? options.timeoutMs : 0;
    if (signal?.aborted) return Promise.reject(new CancelledError(`${name} to ${this.address} was cancelled before it started`));
    if (this.closed) return Promise.reject(new UnavailableError(`thread transport: the client channel to ${this.address} is closed`));

    return new Promise<unknown>((resolve, reject) => {
      let conn: ClientConnection | undefined;
      let written = false;
      let cancelTimer = (): void => undefined;
      const onAbort = (): void => giveUp(new CancelledError(`${name} to ${this.address} was cancelled`));
      const settle = (err?: Error | null, value?: unknown): void => {
        if (call.settled) return;
        call.settled = true;
        cancelTimer();
        signal?.removeEventListener("abort", onAbort);
        if (err) reject(err);
        else resolve(value);
      };
      const call: PendingCall = {
        callId: 0,
        settled: false,
        finish(err, value) {
          // Network faults (tf.sim): a reply over a cut link is lost; a delayed one arrives late.
          const back = linkTo(address).back;
          if (back === CUT) return;
          if (back > 0) systemClock.setTimer(back, () => settle(err, value));
          else settle(err, value);
        },
      };
      const address = this.address;
      let why: "deadline" | "cancelled" = "cancelled";
      const giveUp = (err: Error): void => {
        if (call.settled) return;
        why = err instanceof DeadlineExceededError ? "deadline" : "cancelled";
        settle(err);
        if (conn) {
          conn.unregister(call);
          // A request still being written is cancelled once it is in the ring (see below).
          if (written) conn.cancelRemote(call.callId, why);
        }
      };
      if (timeoutMs > 0) {
        cancelTimer = systemClock.setTimer(timeoutMs, () =>
          giveUp(new DeadlineExceededError(`${name} to ${this.address} exceeded its deadline of ${timeoutMs} ms`)),
        );
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      const startedMs = systemClock.nowMs();

      const failed = (err: unknown): void => {
        if (conn) conn.unregister(call);
        settle(this.asCallError(err, conn));
      };
      const sendOn = (c: ClientConnection): void => {
        if (call.settled) return;
        conn = c;
        c.register(call);
        const remainingMs = timeoutMs > 0 ? Math.max(1, timeoutMs - (systemClock.nowMs() - startedMs)) : 0;
        const frame = { kind: FrameKind.REQUEST, method, callId: call.callId, timeoutMs: remainingMs, body: request };
        c.requests.send(frame, () => !call.settled).then((w) => {
          written = w;
          if (written && call.settled) c.cancelRemote(call.callId, why);
        }, failed);
      };
      // On a ready connection the request is in the ring before call() returns: the callee can
      // start while this thread goes on (say, running the local partition of the same step).
      const ready = this.connection?.connectionState === "ready" ? this.connection : undefined;
      const send = (): void => {
        try {
          if (ready) sendOn(ready);
          else this.connect().then(sendOn).catch(failed);
        } catch (err) {
          failed(err);
        }
      };
      // A request over a cut link is lost (the call waits for its deadline); a delayed one leaves late.
      const out = linkTo(address).out;
      if (out === CUT) return;
      if (out > 0) systemClock.setTimer(out, send);
      else send();
    });
  }

  /** Fails pending calls and drops the connection; later calls fail UNAVAILABLE. */
  close(): void {
    this.closed = true;
    this.connection?.close(`the client channel to ${this.address} was closed`);
    this.connection = undefined;
  }

  stats(): ChannelStats | undefined {
    const c = this.connection;
    if (!c) return undefined;
    const req = c.requests.stats;
    const rep = c.replies.stats;
    return { state: c.connectionState, requestBytes: req.bytes, requestWaits: req.waits, replyBytes: rep.bytes, replyWaits: rep.waits };
  }

  private async connect(): Promise<ClientConnection> {
    if (!this.connection || this.connection.isDead) {
      this.connection = new ClientConnection(this.address, this.link, this.limits);
    }
    const c = this.connection;
    await c.ready;
    return c;
  }

  private asCallError(err: unknown, conn: ClientConnection | undefined): Error {
    if (err instanceof RingClosedError) return conn ? conn.unavailable("its channel closed") : err;
    if (err instanceof OpError) return err;
    // Anything else comes from encoding the request (v8 cannot clone a function, say).
    return new InvalidArgumentError(`thread transport: cannot send request to ${this.address}: ${String(err)}`);
  }
}
