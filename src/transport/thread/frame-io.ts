/**
 * Frames on a ring: the writer serializes whole frames (header, envelope, tensor payloads) one at
 * a time; the reader rebuilds them, copying each tensor's bytes once into its new typed array.
 * A frame larger than the ring simply streams through it: the writer waits for space as the
 * reader drains, so memory stays bounded by the ring's capacity on the way.
 */
import { DataLossError, ResourceExhaustedError } from "../../errors/index.js";
import type { NDArray } from "../../tensor/ndarray.js";
import { EnvelopeEncoder, decodeEnvelope } from "./envelope-codec.js";
import type { TensorDesc, TensorSink } from "./frame-codec.js";
import { allocTensor, describeTensor, payloadViews } from "./frame-codec.js";
import type { FrameHeader, FrameKind } from "./protocol.js";
import { FRAME_HEADER_BYTES, FRAME_MAGIC, methodLabel } from "./protocol.js";
import type { RingReader, RingWriter } from "./ring.js";

/** TF's own limit for one message (grpc max message size INT32_MAX); frame sizes are u32. */
export const DEFAULT_MAX_MESSAGE_BYTES = 2 ** 31 - 1;
/** Envelope staging buffers above this size are not kept for reuse. */
const STAGING_KEEP_BYTES = 1 << 20;

export interface OutgoingFrame {
  kind: FrameKind;
  method: number;
  callId: number;
  timeoutMs: number;
  /** The message; its NDArrays' bytes are written after the envelope. */
  body: unknown;
}

function tooLarge(method: number, bodyBytes: number, maxMessageBytes: number, tensors: NDArray[]): ResourceExhaustedError {
  const largest = tensors.reduce<NDArray | undefined>((a, t) => (a && a.size >= t.size ? a : t), undefined);
  const detail = largest ? `; its largest tensor is ${largest.dtype}[${largest.shape.join(",")}]` : "";
  return new ResourceExhaustedError(`thread transport: ${methodLabel(method)} message is ${bodyBytes} bytes, over the limit of ${maxMessageBytes} bytes${detail}`);
}

/** The producing side of a ring, one frame at a time, in the order send() was called. */
export class FrameWriter {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly header = new Uint8Array(FRAME_HEADER_BYTES);
  private readonly headerView = new DataView(this.header.buffer);
  private readonly encoder = new EnvelopeEncoder();

  constructor(
    private readonly ring: RingWriter,
    private readonly maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES,
  ) {}

  /**
   * Queues `frame` behind the frames already queued (at most one per call in flight, so this
   * queue is bounded by the connection's in-flight limit). When its turn comes, `wanted()` says
   * whether it is still worth writing; resolves true once the frame is in the ring, false if
   * skipped; rejects if the message cannot be encoded or is over the size limit (nothing written).
   */
  send(frame: OutgoingFrame, wanted: () => boolean = () => true): Promise<boolean> {
    const run = this.tail.then(async () => {
      if (!wanted()) return false;
      await this.write(frame);
      return true;
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async write(frame: OutgoingFrame): Promise<void> {
    let payloadBytes = 0;
    // The envelope lives in the encoder's reused buffer until the next frame: it is written now.
    const { bytes: envelope, tensors } = this.encoder.encode(frame.body, (ts) =>
      ts.map((t) => {
        const desc = describeTensor(t);
        payloadBytes += desc.byteLength;
        return desc;
      }),
    );
    const bodyBytes = envelope.byteLength + payloadBytes;
    if (bodyBytes > this.maxMessageBytes) throw tooLarge(frame.method, bodyBytes, this.maxMessageBytes, tensors);
    const h = this.headerView;
    h.setUint32(0, FRAME_MAGIC, true);
    h.setUint32(4, bodyBytes, true);
    h.setUint32(8, frame.callId, true);
    h.setUint32(12, envelope.byteLength, true);
    h.setUint32(16, Math.min(0xffff_ffff, Math.max(0, Math.ceil(frame.timeoutMs))), true);
    h.setUint8(20, frame.kind);
    h.setUint8(21, frame.method);
    await this.ring.write(this.header);
    await this.ring.write(envelope);
    for (const t of tensors) {
      for (const view of payloadViews(t)) await this.ring.write(view);
    }
    this.ring.flush();
  }
}

/** The consuming side of a ring: header, then body (or skip it). */
export class FrameReader {
  private readonly header = new Uint8Array(FRAME_HEADER_BYTES);
  private readonly headerView = new DataView(this.header.buffer);
  private staging = new Uint8Array(4096);

  constructor(readonly ring: RingReader) {}

  async readHeader(): Promise<FrameHeader> {
    await this.ring.readInto(this.header);
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
    };
    if (header.envelopeBytes > header.bodyBytes) {
      throw new DataLossError(`thread transport: frame envelope (${header.envelopeBytes} B) larger than its body (${header.bodyBytes} B)`);
    }
    return header;
  }

  /** Reads the body of the frame whose header was just read; returns the message with NDArrays. */
  async readBody(header: FrameHeader): Promise<unknown> {
    const sinks: TensorSink[] = [];
    const { body, descs } = await this.readEnvelope(header.envelopeBytes, (desc: TensorDesc) => {
      const sink = allocTensor(desc);
      sinks.push(sink);
      return sink.array;
    });
    let payloadBytes = 0;
    for (const d of descs) payloadBytes += d.byteLength;
    if (header.envelopeBytes + payloadBytes !== header.bodyBytes) {
      throw new DataLossError(`thread transport: frame body is ${header.bodyBytes} B but its parts add up to ${header.envelopeBytes + payloadBytes} B`);
    }
    for (const sink of sinks) await this.ring.readInto(sink.target);
    return body;
  }

  skipBody(header: FrameHeader): Promise<void> {
    return this.ring.skip(header.bodyBytes);
  }

  private async readEnvelope(n: number, makeTensor: (desc: TensorDesc) => NDArray): Promise<{ body: unknown; descs: TensorDesc[] }> {
    const inPlace = this.ring.peek(n);
    if (inPlace) {
      const env = decodeEnvelope(inPlace, makeTensor);
      this.ring.consume(n);
      return env;
    }
    if (this.staging.byteLength < n) this.staging = new Uint8Array(Math.max(n, this.staging.byteLength * 2));
    const view = this.staging.subarray(0, n);
    await this.ring.readInto(view);
    const env = decodeEnvelope(view, makeTensor);
    if (this.staging.byteLength > STAGING_KEEP_BYTES) this.staging = new Uint8Array(4096);
    return env;
  }
}
