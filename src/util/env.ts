/**
 * Clock and randomness, injected into the engine so inproc runs replay from a seed.
 * Engine, transport, client and train code takes these from its environment, never from
 * Date.now / Math.random / setTimeout / setImmediate. This file is the one place that touches
 * the host's timers (the ESLint rule exempts it).
 */
export interface Clock {
  /** Milliseconds, monotonic. */
  nowMs(): number;
  /** Microseconds since the epoch, for step stats. */
  nowMicros(): number;
  /** Calls fn after `delayMs`; returns a function that cancels the timer. */
  setTimer(delayMs: number, fn: () => void): () => void;
  /** True for a simulated clock: time moves only when the simulation is idle. */
  readonly virtual?: boolean;
}

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** An independent generator derived from this one. */
  fork(): Random;
}

/**
 * Runs host I/O (file reads) so that its completion is ordered by the environment's scheduler
 * rather than by the OS: in a simulation, the continuation runs when the scheduler picks it.
 */
export type IoGate = <T>(label: string, start: () => Promise<T>) => Promise<T>;

export interface Env {
  clock: Clock;
  random: Random;
  /** Host I/O ordering (simulations); absent: I/O completes when the OS says. */
  io?: IoGate;
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

/**
 * The system clock with timers that keep the process alive: a program whose only pending work is
 * `await coord.waitForStop(60_000)` must not exit before the minute is up.
 */
export const keepAliveClock: Clock = {
  nowMs: () => systemClock.nowMs(),
  nowMicros: () => systemClock.nowMicros(),
  setTimer(delayMs, fn) {
    const h = setTimeout(fn, Math.max(0, delayMs));
    return () => clearTimeout(h);
  },
};

/** Runs fn on the host's next event-loop turn, after pending microtasks (the simulator's pump). */
export function hostTurn(fn: () => void): void {
  setImmediate(fn);
}

/**
 * Whether this process has host file I/O in flight that no I/O gate covers (a Saver's files,
 * say). A simulation makes no decision meanwhile, so virtual time never jumps over real I/O.
 */
export function hostFileIoInFlight(): boolean {
  return process.getActiveResourcesInfo().some((r) => r.startsWith("FSReq") || r === "CloseReq");
}

/**
 * Lets timers, I/O and other loops run before continuing. On a simulated clock that is a 0 ms
 * timer (it fires once everything else at this instant is done); on the real one, the host's next turn.
 */
export function nextTurn(clock?: Clock): Promise<void> {
  if (clock?.virtual) return new Promise((resolve) => clock.setTimer(0, resolve));
  return new Promise((resolve) => setImmediate(resolve));
}

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

/** A fresh seed from the outside world: the only place one is drawn; everything else derives from it. */
export function freshSeed(): number {
  return (Math.random() * 2 ** 32) >>> 0;
}

/** The seed of `TFCLUSTER_SEED`, when set to an integer. */
export function seedFromEnvironment(): number | undefined {
  const v = process.env.TFCLUSTER_SEED;
  if (v === undefined || v.trim() === "" || !Number.isFinite(Number(v))) return undefined;
  return Number(v) >>> 0;
}

/** An environment for a run: real clock, randomness from `seed` (or TFCLUSTER_SEED, or a fresh seed). */
export function makeEnv(seed?: number): Env {
  const s = seed ?? seedFromEnvironment() ?? freshSeed();
  return { clock: systemClock, random: new SeededRandom(s) };
}
