/** The bounds of the thread transport, with their defaults; every ring and queue has one. */
import { DEFAULT_MAX_MESSAGE_BYTES } from "./frame-writer.js";

export interface ThreadTransportOptions {
  /**
   * Data bytes of each bulk ring of a connection (one per direction, for frames of 64 KiB or more);
   * a power of two. Each direction's express ring, for smaller frames, is the smaller of this and
   * 256 KiB (lanes.ts). Default 4 MiB.
   */
  ringBytes?: number;
  /** Calls in flight on one connection; one more fails with ResourceExhaustedError. Default 16384. */
  maxInFlight?: number;
  /** Largest message (envelope + tensor bytes); larger fails with ResourceExhaustedError. */
  maxMessageBytes?: number;
  /** How long establishing a connection may take before its calls fail UNAVAILABLE. Default 10 s. */
  connectTimeoutMs?: number;
}

export type ThreadLimits = Required<ThreadTransportOptions>;

export const DEFAULT_LIMITS: ThreadLimits = {
  ringBytes: 4 << 20,
  maxInFlight: 16384,
  maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
  connectTimeoutMs: 10_000,
};

export function resolveLimits(options: ThreadTransportOptions = {}): ThreadLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof ThreadLimits)[]) {
    const v = options[key];
    if (v !== undefined) {
      if (!Number.isFinite(v) || v <= 0) throw new RangeError(`thread transport: ${key} must be a positive number, got ${v}`);
      limits[key] = v;
    }
  }
  return limits;
}
