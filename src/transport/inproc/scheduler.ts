/**
 * The simulation's scheduler: one per inproc network (one per tf.sim.launch). Every message
 * delivery, timer and gated I/O completion becomes an event; one event runs per host turn, after
 * the microtasks of the previous one have settled, and the next is drawn from the seed among
 * those ready. With `virtualTime`, the clock moves only when nothing is ready and no I/O is in
 * flight, jumping to the next timer — so a 60 s deadline takes no wall time, and a run is a
 * function of its seed (FoundationDB's simulator, madsim).
 */
import { hostFileIoInFlight, hostTurn, SeededRandom, systemClock } from "../../util/env.js";
import type { Clock, IoGate, Random } from "../../util/env.js";

interface Ready {
  seq: number;
  label: string;
  run: () => void;
}

interface Timer extends Ready {
  at: number;
  cancelled: boolean;
}

export interface SchedulerOptions {
  seed?: number;
  /** Time advances only when the simulation is idle (see the file comment). */
  virtualTime?: boolean;
  /** Record every event ("ms label") for determinism checks. */
  trace?: boolean;
}

/** Virtual time starts at a fixed instant so step stats and ids replay (2020-01-01T00:00:00Z). */
const VIRTUAL_EPOCH_MICROS = 1_577_836_800_000_000;

export class SimScheduler {
  readonly random: Random;
  readonly virtualTime: boolean;
  readonly clock: Clock;
  /** The events run so far, when tracing. */
  readonly trace: string[] | null;
  private ready: Ready[] = [];
  private readonly timers: Timer[] = [];
  private seq = 0;
  private now = 0;
  private inflightIo = 0;
  private pumping = false;
  private idleWaiters: (() => void)[] = [];

  constructor(options: SchedulerOptions = {}) {
    this.random = new SeededRandom(options.seed ?? 0);
    this.virtualTime = options.virtualTime ?? false;
    this.trace = options.trace ? [] : null;
    this.clock = this.virtualTime ? this.virtualClock() : this.realClock();
  }

  /** Runs `run` when the scheduler picks it among the ready events, after `delayMs` of this clock. */
  post(label: string, run: () => void, delayMs = 0): () => void {
    if (delayMs > 0) return this.clock.setTimer(delayMs, () => this.post(label, run));
    this.ready.push({ seq: this.seq++, label, run });
    this.kick();
    return () => {
      this.ready = this.ready.filter((e) => e.run !== run);
    };
  }

  /** Resolves when the scheduler delivers this message. */
  deliver(label = "deliver"): Promise<void> {
    return new Promise((resolve) => this.post(label, resolve));
  }

  /** Gates host I/O: while any is in flight nothing else runs, and its completion is an event like the rest. */
  readonly io: IoGate = <T>(label: string, start: () => Promise<T>): Promise<T> => {
    this.inflightIo++;
    let p: Promise<T>;
    try {
      p = start();
    } catch (err) {
      p = Promise.reject(err);
    }
    return new Promise<T>((resolve, reject) => {
      const settle = (fn: () => void) => {
        this.inflightIo--;
        this.post(label, fn);
      };
      p.then(
        (v) => settle(() => resolve(v)),
        (err: unknown) => settle(() => reject(err)),
      );
    });
  };

  /** Records a line in the trace (faults a workload injects, say), at the current time. */
  note(label: string): void {
    this.trace?.push(`${this.now} ${label}`);
  }

  /**
   * Resolves the next time the scheduler finds nothing to run: no ready event, no timer (virtual
   * time) and no I/O in flight. A caller still waiting on the simulation then will wait forever.
   */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.kick();
    });
  }

  /** Events waiting to run, timers armed and I/O in flight (for tests and status). */
  get pending(): { ready: number; timers: number; io: number } {
    return { ready: this.ready.length, timers: this.timers.filter((t) => !t.cancelled).length, io: this.inflightIo };
  }

  private kick(): void {
    if (this.pumping) return;
    this.pumping = true;
    hostTurn(() => this.step());
  }

  /** One decision: a ready event drawn from the seed, else (virtual time) the earliest timer. */
  private step(): void {
    this.pumping = false;
    if (this.inflightIo > 0) return; // the completion posts an event, which kicks again
    if (hostFileIoInFlight()) {
      // Ungated host I/O (a checkpoint being written): wait for it before deciding anything.
      this.kick();
      return;
    }
    let event: Ready | undefined;
    if (this.ready.length > 0) {
      const i = this.random.int(this.ready.length);
      event = this.ready[i]!;
      this.ready.splice(i, 1);
    } else if (this.virtualTime) {
      const timer = this.popTimer();
      if (timer) {
        this.now = Math.max(this.now, timer.at);
        event = timer;
      }
    }
    if (!event) {
      if (this.inflightIo === 0 && this.idleWaiters.length > 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      }
      return;
    }
    this.trace?.push(`${this.now} ${event.label}`);
    try {
      event.run();
    } finally {
      this.kick();
    }
  }

  private virtualClock(): Clock {
    return {
      virtual: true,
      nowMs: () => this.now,
      nowMicros: () => VIRTUAL_EPOCH_MICROS + Math.round(this.now * 1000),
      setTimer: (delayMs, fn) => {
        const timer: Timer = { seq: this.seq++, label: "timer", run: fn, at: this.now + Math.max(0, delayMs), cancelled: false };
        this.pushTimer(timer);
        this.kick();
        return () => {
          timer.cancelled = true;
        };
      },
    };
  }

  /** Real time: host timers, whose firing is still an event ordered by the scheduler. */
  private realClock(): Clock {
    return {
      nowMs: () => systemClock.nowMs(),
      nowMicros: () => systemClock.nowMicros(),
      setTimer: (delayMs, fn) => {
        let cancelPost: (() => void) | null = null;
        const cancelHost = systemClock.setTimer(delayMs, () => (cancelPost = this.post("timer", fn)));
        return () => {
          cancelHost();
          cancelPost?.();
        };
      },
    };
  }

  // A binary min-heap on (at, seq): timers at the same instant fire in the order they were set.
  private pushTimer(t: Timer): void {
    const h = this.timers;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private popTimer(): Timer | undefined {
    const h = this.timers;
    while (h.length > 0) {
      const top = h[0]!;
      const last = h.pop()!;
      if (h.length > 0) {
        h[0] = last;
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < h.length && before(h[l]!, h[m]!)) m = l;
          if (r < h.length && before(h[r]!, h[m]!)) m = r;
          if (m === i) break;
          [h[i], h[m]] = [h[m]!, h[i]!];
          i = m;
        }
      }
      if (!top.cancelled) return top;
    }
    return undefined;
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/**
 * A task's view of a clock: the same time, but its timers can all be cancelled at once, as a
 * crashed process's timers die with it.
 */
export class ScopedClock implements Clock {
  private readonly cancels = new Set<() => void>();
  private dead = false;
  readonly virtual: boolean;

  constructor(private readonly base: Clock) {
    this.virtual = base.virtual ?? false;
  }

  nowMs(): number {
    return this.base.nowMs();
  }

  nowMicros(): number {
    return this.base.nowMicros();
  }

  setTimer(delayMs: number, fn: () => void): () => void {
    if (this.dead) return () => undefined;
    const cancel = this.base.setTimer(delayMs, () => {
      this.cancels.delete(cancel);
      fn();
    });
    this.cancels.add(cancel);
    return () => {
      this.cancels.delete(cancel);
      cancel();
    };
  }

  /** Cancels every timer and refuses new ones. */
  kill(): void {
    this.dead = true;
    for (const c of this.cancels) c();
    this.cancels.clear();
  }
}
