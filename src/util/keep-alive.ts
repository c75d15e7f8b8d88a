/**
 * Keeps the process alive while a promise is pending. A private session's step runs entirely in
 * this process on timers that do not hold it open (systemClock unrefs them), so without a hold
 * Node would exit with code 0 in the middle of a run that has a deadline, and the program would
 * silently stop. (A remote session is held open by its connection.)
 */
const HOLD_MS = 2 ** 30;

export function holdProcessWhile<T>(pending: Promise<T>): Promise<T> {
  // A referenced interval that never fires in practice: it only keeps the event loop alive.
  const handle = setInterval(() => undefined, HOLD_MS);
  return pending.finally(() => clearInterval(handle));
}
