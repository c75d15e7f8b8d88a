/**
 * Each direction of a connection has two rings, two lanes: `express` for small frames and `bulk`
 * for frames of at least BULK_MIN_BYTES. Frames are written whole and in order within a lane, so
 * with one ring a 16 MiB RunGraph streaming through it held every small call behind it (a
 * RecvTensor, a cancel's reply); on its own lane it holds up only other big frames. Calls are
 * independent, so no order between lanes is promised; a reader runs one pump per lane.
 */
import type { RingStats } from "./ring.js";
import { RingReader, RingWriter, allocateRing } from "./ring.js";
import type { EncodedFrame, OutgoingFrame } from "./frame-writer.js";
import { FrameReader } from "./frame-reader.js";
import { DEFAULT_MAX_MESSAGE_BYTES, FrameEncoder, FrameWriter } from "./frame-writer.js";

/** Frames with at least this many message bytes take the bulk lane. */
export const BULK_MIN_BYTES = 64 << 10;
/** The express ring never needs more: its frames are small, and they do not wait for each other long. */
const EXPRESS_RING_MAX_BYTES = 256 << 10;

export type Lane = "express" | "bulk";
export const LANES: readonly Lane[] = ["express", "bulk"];

/** The shared memory of one direction's lanes, in LANES order. */
export function allocateLanes(ringBytes: number): SharedArrayBuffer[] {
  return [allocateRing(Math.min(ringBytes, EXPRESS_RING_MAX_BYTES)), allocateRing(ringBytes)];
}

export function laneOf(encoded: EncodedFrame): Lane {
  return encoded.messageBytes >= BULK_MIN_BYTES ? "bulk" : "express";
}

function sumStats(ends: { stats: RingStats }[]): RingStats {
  return ends.reduce((a, e) => ({ bytes: a.bytes + e.stats.bytes, waits: a.waits + e.stats.waits }), { bytes: 0, waits: 0 });
}

/** The producing side of one direction: encodes each frame once, then queues it on its lane. */
export class LaneWriter {
  private readonly encoder: FrameEncoder;
  private readonly writers: FrameWriter[];

  constructor(
    readonly buffers: SharedArrayBuffer[],
    maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES,
    queueCapacity?: number,
  ) {
    this.encoder = new FrameEncoder(maxMessageBytes);
    this.writers = buffers.map((b) => new FrameWriter(new RingWriter(b), maxMessageBytes, this.encoder, queueCapacity));
  }

  /** FrameWriter.send() on the frame's lane. */
  send(frame: OutgoingFrame, wanted?: () => boolean): Promise<boolean> {
    let encoded: EncodedFrame;
    try {
      encoded = this.encoder.encode(frame);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.writers[LANES.indexOf(laneOf(encoded))]!.sendEncoded(encoded, wanted);
  }

  get stats(): RingStats {
    return sumStats(this.writers.map((w) => w.ring));
  }

  close(): void {
    for (const w of this.writers) w.ring.close();
  }
}

/** The consuming side of one direction: a FrameReader per lane. */
export class LaneReader {
  readonly readers: FrameReader[];

  constructor(readonly buffers: SharedArrayBuffer[]) {
    this.readers = buffers.map((b) => new FrameReader(new RingReader(b)));
  }

  get stats(): RingStats {
    return sumStats(this.readers.map((r) => r.ring));
  }

  close(): void {
    for (const r of this.readers) r.ring.close();
  }
}
