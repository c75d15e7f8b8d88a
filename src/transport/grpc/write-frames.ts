/** Writing a message's frames to a gRPC stream with backpressure, every wait bounded by the call. */
import type { Writable } from "node:stream";
import { CancelledError } from "../../errors/index.js";

/**
 * Writes `frames` in order, waiting for 'drain' whenever the stream's buffer is full. The wait
 * ends with the stream ('close', 'error') or with `signal` — which the caller aborts when the
 * call ends for any reason (status, deadline, cancellation) — so it cannot outlive the call.
 */
export async function writeFrames(stream: Writable, frames: readonly Buffer[], signal: AbortSignal): Promise<void> {
  for (const frame of frames) {
    if (signal.aborted) throw new CancelledError("Call ended while its message was being sent");
    if (!stream.write(frame)) await drained(stream, signal);
  }
}

function drained(stream: Writable, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const finish = (err?: Error): void => {
      stream.off("drain", onDrain);
      stream.off("close", onClose);
      stream.off("error", onClose);
      signal.removeEventListener("abort", onAbort);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = (): void => finish();
    const onClose = (): void => finish(new CancelledError("Stream closed while its message was being sent"));
    const onAbort = (): void => finish(new CancelledError("Call ended while its message was being sent"));
    stream.once("drain", onDrain);
    stream.once("close", onClose);
    stream.once("error", onClose);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
