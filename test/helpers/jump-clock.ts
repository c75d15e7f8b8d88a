/**
 * A test clock whose timers fire at once, moving its time forward to their deadline (a simulator's
 * "jump to the next timer", for code that is idle while it waits): waits take no wall time and
 * the elapsed time they report is exact.
 */
import type { Clock } from "../../src/util/env.js";

export interface JumpClock extends Clock {
  /** Moves time forward by hand (what a step that "takes" that long would do). */
  advanceMs(ms: number): void;
  /** Timers set so far, in order, by delay. */
  readonly timers: number[];
}

export function jumpClock(startMs = 1_000_000): JumpClock {
  let now = startMs;
  const timers: number[] = [];
  return {
    timers,
    nowMs: () => now,
    nowMicros: () => Math.round(now * 1000),
    setTimer(delayMs, fn) {
      timers.push(delayMs);
      let cancelled = false;
      // Fire on a later turn, so the caller has returned its promise first.
      setImmediate(() => {
        if (cancelled) return;
        now = Math.max(now, now + Math.max(0, delayMs));
        fn();
      });
      return () => {
        cancelled = true;
      };
    },
    advanceMs(ms) {
      now += ms;
    },
  };
}
