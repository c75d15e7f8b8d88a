/**
 * Frames into a ring (frame-reader.ts reads them back): the writer serializes whole frames
 * (header, envelope, tensor payloads) one at a time, in order. A frame larger than the ring
 * streams through it: the writer waits for space as the reader drains, so memory stays bounded by
 * the ring's capacity on the way. A small frame that fits goes in synchronously: no promise, no
 * queue, one flush. Layout and padding: protocol.ts.
 */
import { ResourceExhaustedError } from "../../errors/index.js";
import type { NDArray } from "../../tensor/ndarray.js";
import { EnvelopeEncoder } from "./envelope-codec.js";
import type { TensorDesc } from "./frame-codec.js";
import { describeTensor, payloadSkew, payloadViews } from "./frame-codec.js";
import type { FrameKind } from "./protocol.js";
import { ALIGN_BYTES, ALIGN_MASK, FRAME_HEADER_BYTES, FRAME_MAGIC, methodLabel } from "./protocol.js";
import type { RingWriter } from "./ring.js";

/** TF's own limit for one message (grpc max message size INT32_MAX); frame sizes are u32. */
export const DEFAULT_MAX_MESSAGE_BYTES = 2 ** 31 - 1;
/** Frames waiting for their turn on one ring, by default: one per call in flight, and as many replies. */
const DEFAULT_QUEUE_CAPACITY = 2 * 16384;
const ZEROS = new Uint8Array(ALIGN_BYTES);

export interface OutgoingFrame {
  kind: FrameKind;
  method: number;
  callId: number;
  timeoutMs: number;
  /** The message; its NDArrays' bytes are written after the envelope. */
  body: unknown;
}

/** A frame encoded and laid out, ready to be written into any ring. */
export interface EncodedFrame {
  frame: OutgoingFrame;
  /** A view of the encoder's buffer until copied (it is, before the frame waits in a queue). */
  envelope: Uint8Array;
  /** Each tensor's payload views, and the padding before it. */
  payloads: { views: Uint8Array[]; padBytes: number }[];
  /** Payloads and their padding, from the aligned point after the envelope. */
  payloadRegionBytes: number;
  /** Envelope and payloads: the size the message limit applies to. */
  messageBytes: number;
}

/** Bytes from `at` up to the next aligned offset. Counters wrap to negative int32s: masks, not %. */
const padTo = (at: number): number => -at & ALIGN_MASK;

function tooLarge(method: number, bodyBytes: number, maxMessageBytes: number, tensors: NDArray[]): ResourceExhaustedError {
  const largest = tensors.reduce<NDArray | undefined>((a, t) => (a && a.size >= t.size ? a : t), undefined);
  const detail = largest ? `; its largest tensor is ${largest.dtype}[${largest.shape.join(",")}]` : "";
  return new ResourceExhaustedError(`thread transport: ${methodLabel(method)} message is ${bodyBytes} bytes, over the limit of ${maxMessageBytes} bytes${detail}`);
}

/** Turns messages into EncodedFrames; one encoder's envelope buffer is reused from frame to frame. */
export class FrameEncoder {
  private readonly envelopes = new EnvelopeEncoder();

  constructor(private readonly maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES) {}

  /** Throws (nothing written anywhere) if the message cannot be encoded or is over the limit. */
  encode(frame: OutgoingFrame): EncodedFrame {
    const payloads: EncodedFrame["payloads"] = [];
    let region = 0;
    const { bytes: envelope, tensors } = this.envelopes.encode(frame.body, (ts) =>
      ts.map((t) => {
        const desc: TensorDesc = describeTensor(t);
        const views = payloadViews(t);
        const padBytes = (payloadSkew(desc, views) - region) & ALIGN_MASK;
        if (padBytes > 0) desc.padBytes = padBytes;
        region += padBytes + desc.byteLength;
        payloads.push({ views, padBytes });
        return desc;
      }),
    );
    // The limit is on the message: envelope and payloads, not the few bytes of alignment.
    const messageBytes = envelope.byteLength + payloads.reduce((a, p) => a + p.views.reduce((b, v) => b + v.byteLength, 0), 0);
    if (messageBytes > this.maxMessageBytes) throw tooLarge(frame.method, messageBytes, this.maxMessageBytes, tensors);
    return { frame, envelope, payloads, payloadRegionBytes: region, messageBytes };
  }
}

interface Queued {
  encoded: EncodedFrame;
  wanted: () => boolean;
  resolve(written: boolean): void;
  reject(err: unknown): void;
}

/** The producing side of a ring, one frame at a time, in the order send() was called. */
export class FrameWriter {
  private readonly queue: Queued[] = [];
  private draining = false;
  private readonly header = new Uint8Array(FRAME_HEADER_BYTES);
  private readonly headerView = new DataView(this.header.buffer);

  constructor(
    readonly ring: RingWriter,
    maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES,
    private readonly encoder = new FrameEncoder(maxMessageBytes),
    private readonly queueCapacity = DEFAULT_QUEUE_CAPACITY,
  ) {}

  /**
   * Queues `frame` behind the frames already queued. When its turn comes, `wanted()` says
   * whether it is still worth writing; resolves true once the frame is in the ring, false if
   * skipped; rejects if the message cannot be encoded or is over the size limit (nothing written).
   */
  send(frame: OutgoingFrame, wanted: () => boolean = () => true): Promise<boolean> {
    let encoded: EncodedFrame;
    try {
      encoded = this.encoder.encode(frame);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.sendEncoded(encoded, wanted);
  }

  /** send() for a frame encoded already (by any FrameEncoder: its envelope is copied if it must wait). */
  sendEncoded(encoded: EncodedFrame, wanted: () => boolean = () => true): Promise<boolean> {
    if (!this.draining && this.queue.length === 0) {
      if (!wanted()) return Promise.resolve(false);
      try {
        if (this.writeNow(encoded)) return Promise.resolve(true);
      } catch (err) {
        return Promise.reject(err);
      }
    }
    if (this.queue.length >= this.queueCapacity) {
      return Promise.reject(new ResourceExhaustedError(`thread transport: ${this.queueCapacity} frames already wait for this ring`));
    }
    // The encoder reuses its buffer for the next frame: a waiting frame keeps its own copy.
    encoded.envelope = encoded.envelope.slice();
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ encoded, wanted, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  /** Frames waiting for their turn (tests and stats). */
  get queued(): number {
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      for (let item = this.queue.shift(); item; item = this.queue.shift()) {
        try {
          if (!item.wanted()) {
            item.resolve(false);
            continue;
          }
          if (!this.writeNow(item.encoded)) await this.writeStreaming(item.encoded);
          item.resolve(true);
        } catch (err) {
          item.reject(err);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** The header for `e` written at the ring's current position; returns the frame's total bytes. */
  private layout(e: EncodedFrame): { envelopePadBytes: number; fillerBytes: number; totalBytes: number } {
    const afterEnvelope = this.ring.position + FRAME_HEADER_BYTES + e.envelope.byteLength;
    const envelopePadBytes = padTo(afterEnvelope);
    const fillerBytes = padTo(e.payloadRegionBytes);
    const bodyBytes = e.envelope.byteLength + envelopePadBytes + e.payloadRegionBytes + fillerBytes;
    const h = this.headerView;
    const f = e.frame;
    h.setUint32(0, FRAME_MAGIC, true);
    h.setUint32(4, bodyBytes, true);
    h.setUint32(8, f.callId, true);
    h.setUint32(12, e.envelope.byteLength, true);
    h.setUint32(16, Math.min(0xffff_ffff, Math.max(0, Math.ceil(f.timeoutMs))), true);
    h.setUint8(20, f.kind);
    h.setUint8(21, f.method);
    h.setUint8(22, envelopePadBytes);
    h.setUint8(23, 0);
    return { envelopePadBytes, fillerBytes, totalBytes: FRAME_HEADER_BYTES + bodyBytes };
  }

  /** Writes the whole frame synchronously and publishes it, if it is small and fits now. */
  private writeNow(e: EncodedFrame): boolean {
    const { envelopePadBytes, fillerBytes, totalBytes } = this.layout(e);
    const ring = this.ring;
    if (totalBytes > ring.pieceBytes || totalBytes > ring.freeBytes) return false;
    ring.writeNow(this.header);
    ring.writeNow(e.envelope);
    if (envelopePadBytes > 0) ring.writeNow(ZEROS.subarray(0, envelopePadBytes));
    for (const p of e.payloads) {
      if (p.padBytes > 0) ring.writeNow(ZEROS.subarray(0, p.padBytes));
      for (const view of p.views) ring.writeNow(view);
    }
    if (fillerBytes > 0) ring.writeNow(ZEROS.subarray(0, fillerBytes));
    ring.flush();
    return true;
  }

  /** Writes the frame as space frees up; the reader starts on it while the rest streams in. */
  private async writeStreaming(e: EncodedFrame): Promise<void> {
    const { envelopePadBytes, fillerBytes } = this.layout(e);
    const ring = this.ring;
    await ring.write(this.header);
    await ring.write(e.envelope);
    await ring.write(ZEROS.subarray(0, envelopePadBytes));
    for (const p of e.payloads) {
      await ring.write(ZEROS.subarray(0, p.padBytes));
      for (const view of p.views) await ring.write(view);
    }
    await ring.write(ZEROS.subarray(0, fillerBytes));
    ring.flush();
  }
}
