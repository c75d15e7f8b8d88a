/**
 * A step's AbortSignal is listened to by each of its blocked ops and remote receives: dozens in a
 * big step, all removed when they end. Node warns past 10 listeners (MaxListenersExceededWarning)
 * as if that were a leak; for these signals it is the design, so the warning is turned off.
 */
import { setMaxListeners } from "node:events";

/** A new AbortController whose signal may have any number of listeners without a warning. */
export function stepController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
