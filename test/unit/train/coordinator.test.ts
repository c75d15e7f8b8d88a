/**
 * Coordinator and LoopThread semantics, after TF's coordinator_test.py (tf-input-pipeline.md §6):
 * the stop flag, first-error-wins, clean-stop types, join's grace period and stragglers,
 * requestStop after join, clearStop, stopOnException, registration and LooperThread.loop.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { OutOfRangeError } from "../../../src/errors/index.js";
import { Coordinator, ThreadsStillRunningError } from "../../../src/train/coordinator.js";
import { LoopThread } from "../../../src/train/loop-thread.js";
import type { Clock } from "../../../src/util/env.js";

/** A clock that moves only when told to, so timed waits are checked without real sleeps. */
class ManualClock implements Clock {
  private now = 0;
  private timers: { at: number; fn: () => void }[] = [];
  nowMs(): number {
    return this.now;
  }
  nowMicros(): number {
    return this.now * 1000;
  }
  setTimer(delayMs: number, fn: () => void): () => void {
    const t = { at: this.now + delayMs, fn };
    this.timers.push(t);
    return () => (this.timers = this.timers.filter((x) => x !== t));
  }
  get pending(): number {
    return this.timers.length;
  }
  advance(ms: number): void {
    this.now += ms;
    const due = this.timers.filter((t) => t.at <= this.now);
    this.timers = this.timers.filter((t) => t.at > this.now);
    for (const t of due) t.fn();
  }
}

/** A gate a test opens when it wants a thread to end. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

const ticks = (n = 5) => new Promise<void>((resolve) => {
  let left = n;
  const step = () => (--left <= 0 ? resolve() : setImmediate(step));
  setImmediate(step);
});

/** A thread that loops until the coordinator stops (TF's StopOnEvent). */
function stopOnCoord(coord: Coordinator, name?: string): LoopThread {
  return new LoopThread(async () => {
    await coord.waitForStop();
  }, name ? { name } : {});
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("Coordinator stop flag", () => {
  it("shouldStop and waitForStop before and after requestStop (testStopAPI)", async () => {
    const coord = new Coordinator();
    expect(coord.shouldStop()).toBe(false);
    expect(await coord.waitForStop(10)).toBe(false);
    coord.requestStop();
    expect(coord.shouldStop()).toBe(true);
    expect(await coord.waitForStop(10)).toBe(true);
    expect(await coord.waitForStop()).toBe(true);
  });

  it("waitForStop waits on the injected clock and wakes up on a stop (testStopAsync)", async () => {
    const clock = new ManualClock();
    const coord = new Coordinator({ clock });
    const timed = coord.waitForStop(1000);
    clock.advance(999);
    await ticks();
    let settled = false;
    void timed.then(() => (settled = true));
    await ticks();
    expect(settled).toBe(false);
    clock.advance(1);
    expect(await timed).toBe(false);

    const untimed = coord.waitForStop(5000);
    coord.requestStop();
    expect(await untimed).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it("signal aborts on the stop with the recorded error; clearStop gives a fresh one", () => {
    const coord = new Coordinator();
    const first = coord.signal;
    const err = new Error("boom");
    coord.requestStop(err);
    expect(first.aborted).toBe(true);
    expect(first.reason).toBe(err);
    coord.clearStop();
    expect(coord.signal.aborted).toBe(false);
    expect(coord.shouldStop()).toBe(false);
  });

  it("a waiter from before clearStop still wakes on the next stop", async () => {
    const coord = new Coordinator();
    const waiting = coord.waitForStop();
    coord.clearStop();
    coord.requestStop();
    expect(await waiting).toBe(true);
  });
});

describe("Coordinator.join", () => {
  it("returns once every thread has ended by itself, with no stop (testJoin)", async () => {
    const coord = new Coordinator();
    const threads = [0, 1, 2].map((i) => new LoopThread(async () => void (await ticks(i + 1))).start());
    await coord.join(threads);
    expect(threads.every((t) => !t.isAlive())).toBe(true);
    expect(coord.joined).toBe(true);
  });

  it("joins registered threads when called without threads, plus any given (testJoinAllRegistered / SomeRegistered)", async () => {
    const coord = new Coordinator();
    const registered = [stopOnCoord(coord), stopOnCoord(coord)];
    for (const t of registered) coord.register(t.start());
    const extra = stopOnCoord(coord).start();
    const joined = coord.join([extra]);
    await ticks();
    coord.requestStop();
    await joined;
    expect([...registered, extra].map((t) => t.isAlive())).toEqual([false, false, false]);
  });

  it("waits while threads run and no stop is requested", async () => {
    const coord = new Coordinator();
    const t = stopOnCoord(coord).start();
    let done = false;
    const joining = coord.join([t]).then(() => (done = true));
    await ticks(10);
    expect(done).toBe(false);
    coord.requestStop();
    await joining;
    expect(done).toBe(true);
  });

  it("never-started threads are not waited for", async () => {
    const coord = new Coordinator();
    await coord.join([new LoopThread(() => {})]);
  });

  it("threads outliving the grace period fail the join, named (testJoinGraceExpires)", async () => {
    for (const graceMs of [0, 2]) {
      const coord = new Coordinator();
      const g = gate();
      const sleeper = new LoopThread(() => g.wait, { name: "sleepy" }).start();
      const other = stopOnCoord(coord, "polite").start();
      coord.requestStop();
      const err = await coord.join([sleeper, other], { stopGracePeriodMs: graceMs }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ThreadsStillRunningError);
      expect((err as Error).message).toBe("Coordinator stopped with threads still running: sleepy");
      expect((err as ThreadsStillRunningError).threadNames).toEqual(["sleepy"]);
      g.open();
      await sleeper.done;
    }
  });

  it("the grace period runs on the injected clock; threads ending within it are fine (testJoinWithoutGraceExpires)", async () => {
    const clock = new ManualClock();
    const coord = new Coordinator({ clock });
    const g = gate();
    const slow = new LoopThread(() => g.wait, { name: "slow" }).start();
    coord.requestStop();
    const joining = coord.join([slow], { stopGracePeriodMs: 1000 });
    await ticks();
    clock.advance(500);
    g.open();
    await joining;
    expect(clock.pending).toBe(0);
  });

  it("ignoreLiveThreads logs the stragglers instead of failing", async () => {
    const write = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const coord = new Coordinator();
    const g = gate();
    const t = new LoopThread(() => g.wait, { name: "stuck" }).start();
    coord.requestStop();
    await coord.join([t], { stopGracePeriodMs: 0, ignoreLiveThreads: true });
    expect(write.mock.calls.map((c) => String(c[0])).join("")).toContain("Coordinator stopped with threads still running: stuck");
    g.open();
    await t.done;
  });

  it("re-raises the first error only; later reports are ignored (testJoinRaiseReportExcInfo)", async () => {
    const coord = new Coordinator();
    const first = new RangeError("First");
    const threads = [
      new LoopThread(() => coord.requestStop(first)),
      new LoopThread(async () => {
        await coord.waitForStop();
        coord.requestStop(new RangeError("Too late"));
      }),
    ];
    for (const t of threads) t.start();
    await expect(coord.join(threads)).rejects.toBe(first);
  });

  it("a recorded error beats the stragglers error", async () => {
    const coord = new Coordinator();
    const g = gate();
    const t = new LoopThread(() => g.wait).start();
    coord.requestStop(new Error("real cause"));
    await expect(coord.join([t], { stopGracePeriodMs: 0 })).rejects.toThrow("real cause");
    g.open();
  });

  it("an error after a plain stop is not recorded", async () => {
    const coord = new Coordinator();
    coord.requestStop();
    coord.requestStop(new Error("ignored"));
    await coord.join();
    expect(() => coord.raiseRequestedException()).not.toThrow();
  });

  it("OutOfRangeError is a clean stop by default (testJoinIgnoresOutOfRange)", async () => {
    const coord = new Coordinator();
    const t = new LoopThread(() => coord.requestStop(new OutOfRangeError("Reached limit of 3"))).start();
    await coord.join([t]);
    expect(coord.shouldStop()).toBe(true);
  });

  it("cleanStopExceptionTypes replaces the clean types (testJoinIgnoresMyExceptionType)", async () => {
    const coord = new Coordinator({ cleanStopExceptionTypes: [RangeError] });
    coord.requestStop(new RangeError("clean"));
    await coord.join();
    const strict = new Coordinator({ cleanStopExceptionTypes: [RangeError] });
    const oor = new OutOfRangeError("not clean here");
    strict.requestStop(oor);
    await expect(strict.join()).rejects.toBe(oor);
  });

  it("requestStop after join throws a real error at once, not a clean one (testRequestStopRaisesIfJoined)", async () => {
    const coord = new Coordinator();
    coord.requestStop();
    await coord.join();
    const err = new Error("After join");
    expect(() => coord.requestStop(err)).toThrow(err);
    expect(() => coord.requestStop(new OutOfRangeError("eof"))).not.toThrow();
    expect(() => coord.requestStop()).not.toThrow();
  });

  it("clearStop clears the error and the joined state too (testClearStopClearsExceptionToo)", async () => {
    const coord = new Coordinator();
    coord.requestStop(new Error("First"));
    await expect(coord.join()).rejects.toThrow("First");
    coord.clearStop();
    expect(coord.joined).toBe(false);
    expect(coord.shouldStop()).toBe(false);
    coord.requestStop(new Error("Second"));
    await expect(coord.join()).rejects.toThrow("Second");
  });

  it("clears the registered threads after a join", async () => {
    const coord = new Coordinator();
    const g = gate();
    coord.register(new LoopThread(() => g.wait, { name: "old" }).start());
    coord.requestStop();
    await expect(coord.join([], { stopGracePeriodMs: 0 })).rejects.toThrow("old");
    coord.clearStop();
    coord.requestStop();
    await coord.join([], { stopGracePeriodMs: 0 });
    g.open();
  });
});

describe("Coordinator helpers", () => {
  it("stopOnException swallows the error and stops with it (testJoinRaiseReportException)", async () => {
    const coord = new Coordinator();
    const err = new TypeError("in thread");
    const result = await coord.stopOnException(() => {
      throw err;
    });
    expect(result).toBeUndefined();
    expect(coord.shouldStop()).toBe(true);
    expect(() => coord.raiseRequestedException()).toThrow(err);
    await expect(coord.join()).rejects.toBe(err);
  });

  it("stopOnException passes a result through and does not stop", async () => {
    const coord = new Coordinator();
    expect(await coord.stopOnException(async () => 42)).toBe(42);
    expect(coord.shouldStop()).toBe(false);
  });

  it("rejects clean-stop types that are not classes", () => {
    expect(() => new Coordinator({ cleanStopExceptionTypes: ["OutOfRange" as unknown as typeof Error] })).toThrow(TypeError);
  });
});

describe("LoopThread", () => {
  it("is alive from start to end; done resolves; a second start throws", async () => {
    const g = gate();
    const t = new LoopThread(() => g.wait, { name: "worker-a" });
    expect([t.started, t.isAlive()]).toEqual([false, false]);
    await expect(t.join()).rejects.toThrow("cannot join thread before it is started");
    t.start();
    expect(t.isAlive()).toBe(true);
    expect(() => t.start()).toThrow("threads can only be started once");
    expect(await t.join(5)).toBe(false);
    g.open();
    await t.done;
    expect(t.isAlive()).toBe(false);
    expect(await t.join(5)).toBe(true);
  });

  it("keeps the body's exception and logs it; done still resolves", async () => {
    const write = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const t = new LoopThread(() => {
      throw new RangeError("bad input");
    }, { name: "failing" }).start();
    await t.done;
    expect(t.error).toBeInstanceOf(RangeError);
    expect(write.mock.calls.map((c) => String(c[0])).join("")).toContain("Exception in thread failing: RangeError: bad input");
  });

  it("gets a default name", () => {
    expect(new LoopThread(() => {}).name).toMatch(/^Thread-\d+$/);
  });

  for (const intervalMs of [null, 0]) {
    it(`LoopThread.loop(coord, ${intervalMs}) runs the target until it stops the coordinator (testTargetArgs)`, async () => {
      const coord = new Coordinator();
      const n = [3];
      let calls = 0;
      const t = LoopThread.loop(coord, intervalMs, () => {
        calls++;
        if (n[0] === 0) coord.requestStop();
        else n[0]!--;
      });
      await coord.join();
      expect(t.isAlive()).toBe(false);
      expect([n[0], calls]).toEqual([0, 4]);
    });
  }

  it("LoopThread.loop paces calls on the coordinator's clock and reports the target's errors", async () => {
    const clock = new ManualClock();
    const coord = new Coordinator({ clock });
    let calls = 0;
    LoopThread.loop(coord, 100, () => {
      calls++;
      if (calls === 3) throw new Error("third call fails");
    });
    await ticks();
    expect(calls).toBe(1);
    clock.advance(100);
    await ticks();
    expect(calls).toBe(2);
    clock.advance(100);
    await ticks();
    await expect(coord.join()).rejects.toThrow("third call fails");
  });
});
