/**
 * Clock and randomness, injected into the engine so inproc runs replay from a seed.
 * Engine code takes these from its environment, never from Date.now / Math.random / setTimeout.
 */
export interface Clock {
  /** Milliseconds, monotonic. */
  nowMs(): number;
  /** Microseconds since the epoch, for step stats. */
  nowMicros(): number;
  /** Calls fn after `delayMs`; returns a function that cancels the timer. */
  setTimer(delayMs: number, fn: () => void): () => void;
}

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** An independent generator derived from this one. */
  fork(): Random;
}

export interface Env {
  clock: Clock;
  random: Random;
}

/** The real clock: performance.now for intervals, timers that do not keep the process alive. */
export const systemClock: Clock = {
  nowMs: () => performance.now(),
  nowMicros: () => Math.round((performance.timeOrigin + performance.now()) * 1000),
  setTimer(delayMs, fn) {
    const h = setTimeout(fn, Math.max(0, delayMs));
    h.unref?.();
    return () => clearTimeout(h);
  },
};

/** A small, fast, seedable PRNG (mulberry32) — deterministic across runs for the same seed. */
export class SeededRandom implements Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }
  nextUint32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  next(): number {
    return this.nextUint32() / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  fork(): Random {
    return new SeededRandom(this.nextUint32());
  }
}

/** An environment for a run: real clock, randomness from `seed` (or a fresh seed). */
export function makeEnv(seed?: number): Env {
  // The only place a seed is drawn from the outside world; everything else derives from it.
  const s = seed ?? (Math.random() * 2 ** 32) >>> 0;
  return { clock: systemClock, random: new SeededRandom(s) };
}
