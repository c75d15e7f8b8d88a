/**
 * The client end of one connection to one server address: a request ring, a reply ring, and a
 * MessagePort for control messages. The port is also the liveness signal: when the server's
 * thread exits or crashes, Node closes its end and every call pending here fails at once with
 * UnavailableError naming the task.
 */
import { MessageChannel, type MessagePort } from "node:worker_threads";
import { DataLossError, ResourceExhaustedError, UnavailableError, errorFromStatus } from "../../errors/index.js";
import type { Status } from "../../errors/index.js";
import { systemClock } from "../../util/env.js";
import { tracer } from "../../util/logger.js";
import type { BrokerLink } from "./broker-link.js";
import type { FrameReader } from "./frame-reader.js";
import { LaneReader, LaneWriter, allocateLanes } from "./lanes.js";
import type { ThreadLimits } from "./limits.js";
import type { ControlMessage } from "./protocol.js";
import { FrameKind, isTagged } from "./protocol.js";

/** One call as the connection sees it; the channel owns its deadline and signal. */
export interface PendingCall {
  callId: number;
  settled: boolean;
  finish(err: Error | undefined, value?: unknown): void;
}

export type ConnectionState = "connecting" | "ready" | "dead";

const trace = tracer("thread");
/** Frames read back to back without a promise before the pump lets others run (microtasks). */
const FRAMES_PER_TURN = 32;

export class ClientConnection {
  /** Requests go out on their lane (express or bulk), replies come back on theirs. */
  readonly requests: LaneWriter;
  readonly replies: LaneReader;
  /** Resolves when the server attached the connection; rejects (UNAVAILABLE) if it never does. */
  readonly ready: Promise<void>;
  private readonly port: MessagePort;
  private readonly pending = new Map<number, PendingCall>();
  /** Reply lanes whose pump is reading a frame that was not whole (not safe to read around it). */
  private readonly midFrame = new Set<FrameReader>();
  private state: ConnectionState = "connecting";
  private label: string;
  private nextCallId = 1;
  private onReady!: () => void;
  private onNotReady!: (err: Error) => void;

  constructor(
    readonly address: string,
    link: BrokerLink,
    private readonly limits: ThreadLimits,
  ) {
    this.label = address;
    this.requests = new LaneWriter(allocateLanes(limits.ringBytes), limits.maxMessageBytes, limits.maxInFlight);
    this.replies = new LaneReader(allocateLanes(limits.ringBytes));
    this.ready = new Promise<void>((resolve, reject) => {
      this.onReady = resolve;
      this.onNotReady = reject;
    });
    this.ready.catch(() => undefined);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    port1.on("message", (msg: unknown) => this.onControl(msg));
    port1.on("close", () => this.die(`its thread exited or the connection closed`));
    const cancelTimer = systemClock.setTimer(limits.connectTimeoutMs, () =>
      this.die(`no answer within ${limits.connectTimeoutMs} ms while connecting`),
    );
    this.ready.then(cancelTimer, cancelTimer);
    link.connect({ address, requestRings: this.requests.buffers, replyRings: this.replies.buffers, port: port2 });
  }

  get isDead(): boolean {
    return this.state === "dead";
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  /** Takes a call id for `call`; fails when the in-flight limit is reached. */
  register(call: PendingCall): void {
    if (this.state === "dead") throw this.unavailable("the connection is closed");
    if (this.pending.size >= this.limits.maxInFlight) {
      throw new ResourceExhaustedError(`thread transport: ${this.limits.maxInFlight} calls already in flight to ${this.label}`);
    }
    let id = this.nextCallId;
    // Ids wrap at 2^32; skipping live ones is bounded by the in-flight limit.
    while (this.pending.has(id) || id === 0) id = (id + 1) >>> 0;
    this.nextCallId = (id + 1) >>> 0;
    call.callId = id;
    this.pending.set(id, call);
    this.updateRef();
  }

  unregister(call: PendingCall): void {
    if (this.pending.get(call.callId) === call) this.pending.delete(call.callId);
    this.updateRef();
  }

  /** Tells the server to abort the callee's signal of `callId` (its reply, if any, is dropped). */
  cancelRemote(callId: number, why: "deadline" | "cancelled"): void {
    if (this.state !== "ready") return;
    const msg: ControlMessage = { t: "cancel", callId, why };
    this.port.postMessage(msg);
  }

  /** Closes on purpose (transport.close()): pending calls fail with `reason`. */
  close(reason = "the client closed the connection"): void {
    if (this.state === "dead") return;
    const msg: ControlMessage = { t: "close", reason };
    if (this.state === "ready") this.port.postMessage(msg);
    this.die(reason);
  }

  unavailable(why: string): UnavailableError {
    return new UnavailableError(`thread transport: ${this.label} is unavailable: ${why}`);
  }

  private onControl(msg: unknown): void {
    if (!isTagged(msg)) return;
    const m = msg as ControlMessage;
    if (m.t === "ready" && this.state === "connecting") {
      this.state = "ready";
      this.label = m.label;
      trace(`client → ${this.label}: ready`);
      this.onReady();
      this.updateRef();
      for (const reader of this.replies.readers) void this.pump(reader);
    } else if (m.t === "reject") {
      this.die(m.status);
    } else if (m.t === "close") {
      // The server wrote its last replies before saying goodbye (the port can overtake the
      // rings): deliver those first, so a call's own error ("server ... is stopping") wins over
      // "the connection closed".
      for (const reader of this.replies.readers) if (!this.midFrame.has(reader)) this.deliverWholeReplies(reader);
      this.die(m.reason);
    }
  }

  /** Delivers the replies already whole in `reader`'s ring, synchronously. */
  private deliverWholeReplies(reader: FrameReader): void {
    try {
      for (let header = reader.nextFrameNow(); header; header = reader.nextFrameNow()) {
        const call = this.pending.get(header.callId);
        if (!call || call.settled || (header.kind !== FrameKind.REPLY_OK && header.kind !== FrameKind.REPLY_ERROR)) {
          reader.skipBodyNow(header);
          continue;
        }
        const body = reader.readBodyNow(header);
        this.unregister(call);
        if (header.kind === FrameKind.REPLY_OK) call.finish(undefined, body);
        else call.finish(errorFromStatus(body as Status));
      }
    } catch {
      // A damaged last frame: its call fails with the close below, like the others.
    }
  }

  /**
   * Reads one lane's reply frames until the connection dies (which closes the rings and ends any
   * wait). Replies already whole in the ring are delivered synchronously, one after the other.
   */
  private async pump(reader: FrameReader): Promise<void> {
    try {
      let burst = 0;
      while (this.state === "ready") {
        if (++burst > FRAMES_PER_TURN || reader.ring.available() === 0) {
          burst = 0;
          if (!(await reader.ring.waitForData())) continue;
        }
        const now = reader.nextFrameNow();
        if (!now) this.midFrame.add(reader);
        const header = now ?? (await reader.readHeader());
        const call = this.pending.get(header.callId);
        if (!call || call.settled) {
          if (now) reader.skipBodyNow(header);
          else await reader.skipBody(header);
          this.midFrame.delete(reader);
          continue;
        }
        if (header.kind !== FrameKind.REPLY_OK && header.kind !== FrameKind.REPLY_ERROR) {
          throw new DataLossError(`thread transport: unexpected frame kind ${header.kind} from ${this.label}`);
        }
        const body = now ? reader.readBodyNow(header) : await reader.readBody(header);
        this.midFrame.delete(reader);
        this.unregister(call);
        if (header.kind === FrameKind.REPLY_OK) call.finish(undefined, body);
        else call.finish(errorFromStatus(body as Status));
      }
    } catch (err) {
      this.die(err instanceof DataLossError ? err.message : "its reply channel closed");
    }
  }

  /** Fails every pending call with UNAVAILABLE (or the refusal's own status) and frees the link. */
  private die(why: string | Status): void {
    if (this.state === "dead") return;
    const wasConnecting = this.state === "connecting";
    this.state = "dead";
    const err = typeof why === "string" ? this.unavailable(why) : errorFromStatus(why);
    trace(`client → ${this.label}: dead (${err.message}); ${this.pending.size} calls pending`);
    this.requests.close();
    this.replies.close();
    this.port.close();
    if (wasConnecting) this.onNotReady(err);
    const calls = [...this.pending.values()];
    this.pending.clear();
    const withCount = calls.length > 0 && typeof why === "string" ? this.unavailable(`${why} (${calls.length} calls pending)`) : err;
    for (const call of calls) call.finish(withCount);
  }

  /** The port keeps this thread alive only while calls wait on it. */
  private updateRef(): void {
    if (this.state === "dead") return;
    if (this.pending.size > 0 || this.state === "connecting") this.port.ref();
    else this.port.unref();
  }
}
