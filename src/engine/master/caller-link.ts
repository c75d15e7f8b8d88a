/**
 * A step dies with its caller, as in TF's gRPC master (the call's cancel callback starts the
 * step's cancellation): when the RunStep call's signal aborts — the client cancelled it, its
 * deadline passed, or its process or thread went away — the step is cancelled on every task.
 * Without this an orphaned step keeps waiting and later takes an element nobody will receive.
 */
import { CancelledError, OpError } from "../../errors/index.js";

/** The error a step's blocked ops fail with when its caller is gone. */
export function callerGoneError(reason: unknown): OpError {
  if (reason instanceof OpError) return reason;
  return new CancelledError("Step was cancelled because its RunStep call ended (the client cancelled it or went away)");
}

/**
 * Aborts `step` when `caller` aborts; returns the function that stops listening. Safe to call
 * with an already-aborted caller (the step aborts at once).
 */
export function linkToCaller(step: AbortController, caller: AbortSignal | undefined): () => void {
  if (!caller) return () => {};
  const onAbort = (): void => {
    if (!step.signal.aborted) step.abort(callerGoneError(caller.reason));
  };
  if (caller.aborted) {
    onAbort();
    return () => {};
  }
  caller.addEventListener("abort", onAbort, { once: true });
  return () => caller.removeEventListener("abort", onAbort);
}
