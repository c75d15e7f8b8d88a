/**
 * Frames on a ring: the writer serializes whole frames (header, envelope, tensor payloads) one at
 * a time; the reader rebuilds them, copying each tensor's bytes once into its new typed array.
 * A frame larger than the ring simply streams through it: the writer waits for space as the
 * reader drains, so memory stays bounded by the ring's capacity on the way. A small frame that
 * fits goes in synchronously: no promise, no queue, one flush.
 */
import { DataLossError, ResourceExhaustedError } from "../../errors/index.js";
import type { NDArray } from "../../tensor/ndarray.js";
import { EnvelopeEncoder, decodeEnvelope } from "./envelope-codec.js";
import type { TensorDesc, TensorSink } from "./frame-codec.js";
import { allocTensor, describeTensor, payloadSkew, payloadViews } from "./frame-codec.js";
import type { FrameHeader, FrameKind } from "./protocol.js";
import { ALIGN_BYTES, FRAME_HEADER_BYTES, FRAME_MAGIC, methodLabel } from "./protocol.js";
import type { RingReader, RingWriter } from "./ring.js";

/** TF's own limit for one message (grpc max message size INT32_MAX); frame sizes are u32. */
export const DEFAULT_MAX_MESSAGE_BYTES = 2 ** 31 - 1;
/** Frames waiting for their turn on one ring, by default: one per call in flight, and as many replies. */
const DEFAULT_QUEUE_CAPACITY = 2 * 16384;
/** Envelope staging buffers above this size are not kept for reuse. */
const STAGING_KEEP_BYTES = 1 << 20;
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

const ALIGN_MASK = ALIGN_BYTES - 1;
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

/**
 * The consuming side of a ring: header, then body (or skip it). A frame that is already whole in
 * the ring is read synchronously (nextFrameNow, readBodyNow); anything else streams (readHeader,
 * readBody), waiting for the writer as needed.
 */
export class FrameReader {
  private readonly header = new Uint8Array(FRAME_HEADER_BYTES);
  private readonly headerView = new DataView(this.header.buffer);
  private staging = new Uint8Array(4096);

  constructor(readonly ring: RingReader) {}

  /**
   * The next frame's header, consumed, if that whole frame is in the ring and small (at most a
   * ring piece); else undefined and nothing consumed. Its body must then be read with readBodyNow
   * or skipped with skipBodyNow, before anything else is read.
   */
  nextFrameNow(): FrameHeader | undefined {
    const available = this.ring.available();
    if (available < FRAME_HEADER_BYTES) return undefined;
    const head = this.ring.peek(FRAME_HEADER_BYTES);
    if (!head) return undefined;
    const frameBytes = FRAME_HEADER_BYTES + (head[4]! | (head[5]! << 8) | (head[6]! << 16) | (head[7]! << 24)) >>> 0;
    if (frameBytes > available || frameBytes > this.ring.pieceBytes) return undefined;
    this.header.set(head);
    this.ring.consume(FRAME_HEADER_BYTES);
    return this.parseHeader();
  }

  async readHeader(): Promise<FrameHeader> {
    if (!this.ring.readNow(this.header)) await this.ring.readInto(this.header);
    return this.parseHeader();
  }

  /** The body of the frame nextFrameNow() just returned; no waiting, no promise. */
  readBodyNow(header: FrameHeader): unknown {
    const { body, sinks, fillerBytes } = this.readEnvelopeNow(header);
    this.ring.consume(header.envelopePadBytes);
    for (const { sink, padBytes } of sinks) {
      this.ring.consume(padBytes);
      if (!this.ring.readNow(sink.target)) throw new DataLossError("thread transport: frame shorter than its header says");
    }
    this.ring.consume(fillerBytes);
    return body;
  }

  /** Reads the body of the frame whose header was just read; returns the message with NDArrays. */
  async readBody(header: FrameHeader): Promise<unknown> {
    const inPlace = this.ring.peek(header.envelopeBytes);
    let envelope: Uint8Array;
    if (inPlace) {
      envelope = inPlace;
    } else {
      if (this.staging.byteLength < header.envelopeBytes) this.staging = new Uint8Array(Math.max(header.envelopeBytes, this.staging.byteLength * 2));
      envelope = this.staging.subarray(0, header.envelopeBytes);
      await this.ring.readInto(envelope);
    }
    const { body, sinks, fillerBytes } = this.decode(header, envelope, inPlace !== undefined);
    if (this.staging.byteLength > STAGING_KEEP_BYTES) this.staging = new Uint8Array(4096);
    await this.skip(header.envelopePadBytes);
    for (const { sink, padBytes } of sinks) {
      await this.skip(padBytes);
      if (!this.ring.readNow(sink.target)) await this.ring.readInto(sink.target);
    }
    await this.skip(fillerBytes);
    return body;
  }

  skipBody(header: FrameHeader): Promise<void> {
    return this.ring.skip(header.bodyBytes);
  }

  skipBodyNow(header: FrameHeader): void {
    this.ring.consume(header.bodyBytes);
  }

  private parseHeader(): FrameHeader {
    const h = this.headerView;
    if (h.getUint32(0, true) !== FRAME_MAGIC) {
      throw new DataLossError("thread transport: corrupt frame header (bad magic); the channel is out of sync");
    }
    const header: FrameHeader = {
      bodyBytes: h.getUint32(4, true),
      callId: h.getUint32(8, true),
      envelopeBytes: h.getUint32(12, true),
      timeoutMs: h.getUint32(16, true),
      kind: h.getUint8(20) as FrameKind,
      method: h.getUint8(21),
      envelopePadBytes: h.getUint8(22),
    };
    if (header.envelopeBytes + header.envelopePadBytes > header.bodyBytes) {
      throw new DataLossError(`thread transport: frame envelope (${header.envelopeBytes} B) larger than its body (${header.bodyBytes} B)`);
    }
    return header;
  }

  private readEnvelopeNow(header: FrameHeader): Decoded {
    const inPlace = this.ring.peek(header.envelopeBytes);
    if (inPlace) return this.decode(header, inPlace, true);
    if (this.staging.byteLength < header.envelopeBytes) this.staging = new Uint8Array(Math.max(header.envelopeBytes, this.staging.byteLength * 2));
    const envelope = this.staging.subarray(0, header.envelopeBytes);
    if (!this.ring.readNow(envelope)) throw new DataLossError("thread transport: frame shorter than its header says");
    return this.decode(header, envelope, false);
  }

  /**
   * Decodes the envelope (consuming it if it is read `inPlace` in the ring) and allocates each
   * tensor where its payload will sit alike modulo 8. Checks that the parts add up to the body.
   */
  private decode(header: FrameHeader, envelope: Uint8Array, inPlace: boolean): Decoded {
    const sinks: Decoded["sinks"] = [];
    // The ring offset of each payload (the envelope starts at the current position if in place).
    let at = this.ring.position + (inPlace ? header.envelopeBytes : 0) + header.envelopePadBytes;
    const { body } = decodeEnvelope(envelope, (desc: TensorDesc) => {
      const padBytes = desc.padBytes ?? 0;
      if (!Number.isInteger(padBytes) || padBytes < 0 || padBytes >= ALIGN_BYTES) throw new DataLossError(`thread transport: tensor padding of ${String(padBytes)} B in a frame`);
      at += padBytes;
      const sink = allocTensor(desc, at & ALIGN_MASK);
      at += desc.byteLength;
      sinks.push({ sink, padBytes });
      return sink.array;
    });
    if (inPlace) this.ring.consume(header.envelopeBytes);
    let used = header.envelopeBytes + header.envelopePadBytes;
    for (const s of sinks) used += s.padBytes + s.sink.target.byteLength;
    const fillerBytes = header.bodyBytes - used;
    if (fillerBytes < 0 || fillerBytes >= ALIGN_BYTES) {
      throw new DataLossError(`thread transport: frame body is ${header.bodyBytes} B but its parts add up to ${used} B`);
    }
    return { body, sinks, fillerBytes };
  }

  private async skip(n: number): Promise<void> {
    if (n === 0) return;
    if (this.ring.available() >= n) this.ring.consume(n);
    else await this.ring.skip(n);
  }
}

interface Decoded {
  body: unknown;
  sinks: { sink: TensorSink; padBytes: number }[];
  fillerBytes: number;
}
