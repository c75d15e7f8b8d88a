/**
 * What a TF input pipeline calls a thread: here a concurrent async loop on the event loop. It has
 * a name, is started once, `isAlive()` between its start and its end, and `done` resolves when it
 * ends, however it ends (an exception is kept in `error` and logged, as Python prints a thread's
 * traceback, never turned into an unhandled rejection).
 *
 * @example
 * const t = new tf.train.LoopThread(async () => { while (!coord.shouldStop()) await sess.run(step); }, {name: "trainer"});
 * coord.register(t.start());
 * await coord.join();
 */
import { keepAliveClock, nextTurn } from "../util/env.js";
import type { Clock } from "../util/env.js";
import { log, tracer } from "../util/logger.js";
import type { Coordinator } from "./coordinator.js";

const trace = tracer("coord");

export type ThreadTarget = (thread: LoopThread) => void | Promise<void>;

export interface LoopThreadOptions {
  /** Shown by Coordinator.join in "threads still running" errors; "Thread-N" by default. */
  name?: string;
  /** The clock of join(timeoutMs): the real one by default; a simulation's to follow its time. */
  clock?: Clock;
}

type ThreadState = "new" | "alive" | "finished";

let threadCounter = 0;

/**
 * Lets timers, I/O and other loops run between two iterations of a loop that never blocks; on a
 * simulated clock, the yield is the simulation's, so it is ordered with everything else.
 */
export function yieldToEventLoop(clock?: Clock): Promise<void> {
  return nextTurn(clock);
}

/**
 * A named async loop with a thread's life cycle: new → alive (start) → finished.
 * @example const t = new tf.train.LoopThread(async () => { await work(); }, {name: "loader"}).start(); await t.done;
 */
export class LoopThread {
  readonly name: string;
  /** Resolves when the thread's body has ended (never rejects). */
  readonly done: Promise<void>;
  /** What the body threw, when it ended with an exception. */
  error: unknown = undefined;
  private state: ThreadState = "new";
  private finish!: () => void;
  private readonly clock: Clock;

  constructor(
    private readonly target: ThreadTarget,
    options: LoopThreadOptions = {},
  ) {
    this.name = options.name ?? `Thread-${++threadCounter}`;
    this.clock = options.clock ?? keepAliveClock;
    this.done = new Promise((resolve) => (this.finish = resolve));
  }

  /** Starts the body on a later tick (Python's Thread.start); returns the thread. */
  start(): this {
    if (this.state !== "new") throw new Error("threads can only be started once");
    this.state = "alive";
    trace(`start ${this.name}`);
    void this.run();
    return this;
  }

  private async run(): Promise<void> {
    try {
      await Promise.resolve();
      await this.target(this);
    } catch (err) {
      this.error = err;
      log.warn(`Exception in thread ${this.name}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    } finally {
      this.state = "finished";
      trace(`end ${this.name}`);
      this.finish();
    }
  }

  get started(): boolean {
    return this.state !== "new";
  }

  /** True from start() until the body has ended. */
  isAlive(): boolean {
    return this.state === "alive";
  }

  /** Waits until the thread ends, at most `timeoutMs` when given; true when it has ended. */
  async join(timeoutMs?: number): Promise<boolean> {
    if (this.state === "new") throw new Error("cannot join thread before it is started");
    if (this.state === "finished") return true;
    if (timeoutMs === undefined) {
      await this.done;
      return true;
    }
    let cancel = (): void => undefined;
    const timedOut = new Promise<void>((resolve) => (cancel = this.clock.setTimer(Math.max(0, timeoutMs), resolve)));
    await Promise.race([this.done, timedOut]);
    cancel();
    return !this.isAlive();
  }

  toString(): string {
    return `<LoopThread ${this.name} ${this.state}>`;
  }

  /**
   * TF's LooperThread.loop: a started thread, registered with `coord`, that calls `target`
   * back-to-back (`intervalMs` null) or every `intervalMs` (first call at once) until the
   * coordinator stops; an exception in `target` stops the coordinator with it.
   * @example LoopThread.loop(coord, 60_000, () => saver.save(sess, path));
   */
  static loop(coord: Coordinator, intervalMs: number | null, target: () => void | Promise<void>, options: LoopThreadOptions = {}): LoopThread {
    const thread = new LoopThread(
      () =>
        coord.stopOnException(async () => {
          if (intervalMs === null) {
            while (!coord.shouldStop()) {
              await target();
              await yieldToEventLoop(coord.clock);
            }
            return;
          }
          let nextMs = coord.clock.nowMs();
          while (!(await coord.waitForStop(nextMs - coord.clock.nowMs()))) {
            nextMs += intervalMs;
            await target();
            // A zero (or overrun) interval never waits on a timer: yield so timers and I/O still run.
            await yieldToEventLoop(coord.clock);
          }
        }).then(() => undefined),
      { clock: coord.clock, ...options },
    );
    coord.register(thread);
    return thread.start();
  }
}
