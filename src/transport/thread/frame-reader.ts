/**
 * Frames out of a ring (frame-writer.ts puts them in): header, then body, or skip it. Each tensor
 * is copied once, into a typed array allocated at its payload's ring offset modulo 8 (protocol.ts).
 */
import { DataLossError, ResourceExhaustedError } from "../../errors/index.js";
import { DEFAULT_MAX_TENSOR_BYTES, tensorBudget, withTensorBudget } from "../../tensor/budget.js";
import { decodeEnvelope } from "./envelope-codec.js";
import type { TensorDesc, TensorSink } from "./frame-codec.js";
import { allocTensor } from "./frame-codec.js";
import type { FrameHeader, FrameKind } from "./protocol.js";
import { ALIGN_BYTES, ALIGN_MASK, FRAME_HEADER_BYTES, FRAME_MAGIC } from "./protocol.js";
import type { RingReader } from "./ring.js";

/** The largest envelope (the message without its tensors' bytes) a frame may announce. */
const MAX_ENVELOPE_BYTES = DEFAULT_MAX_TENSOR_BYTES;

/** Envelope staging buffers above this size are not kept for reuse. */
const STAGING_KEEP_BYTES = 1 << 20;

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
    if (header.envelopeBytes > MAX_ENVELOPE_BYTES) {
      // The envelope is staged whole before it is decoded: bound what a header alone can make us allocate.
      throw new ResourceExhaustedError(`thread transport: frame envelope of ${header.envelopeBytes} B is over the limit of ${MAX_ENVELOPE_BYTES} B`);
    }
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
    // What the body has room for after the envelope: no descriptor may claim more (checked before allocating).
    let room = header.bodyBytes - header.envelopeBytes - header.envelopePadBytes;
    const { body } = withTensorBudget(tensorBudget(), () =>
      decodeEnvelope(envelope, (desc: TensorDesc) => {
        const padBytes = desc?.padBytes ?? 0;
        if (!Number.isInteger(padBytes) || padBytes < 0 || padBytes >= ALIGN_BYTES) throw new DataLossError(`thread transport: tensor padding of ${String(padBytes)} B in a frame`);
        room -= padBytes + (typeof desc?.byteLength === "number" ? desc.byteLength : 0);
        if (room < 0) throw new DataLossError(`thread transport: frame tensors claim more bytes than its body of ${header.bodyBytes} B`);
        at += padBytes;
        const sink = allocTensor(desc, at & ALIGN_MASK);
        at += desc.byteLength;
        sinks.push({ sink, padBytes });
        return sink.array;
      }),
    );
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
