/**
 * The simulation scheduler. Model (FoundationDB's simulator): one ready event runs at a time, drawn
 * from the seed; virtual time moves only when nothing is ready, to the earliest timer (ties in
 * the order set); gated I/O holds every decision until it completes.
 */
import { expect, it } from "vitest";
import { ScopedClock, SimScheduler } from "../../../../src/transport/inproc/scheduler.js";

function idle(s: SimScheduler): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (s.pending.ready + s.pending.timers + s.pending.io === 0 ? resolve() : setImmediate(check));
    setImmediate(check);
  });
}

async function order(seed: number): Promise<string[]> {
  const s = new SimScheduler({ seed, virtualTime: true, trace: true });
  const seen: string[] = [];
  for (const name of ["a", "b", "c", "d", "e", "f"]) s.post(name, () => seen.push(name));
  await idle(s);
  return seen;
}

it("ready events run in an order drawn from the seed: the same seed replays, others differ", async () => {
  const a = await order(1);
  expect(await order(1)).toEqual(a);
  const others = await Promise.all([2, 3, 4, 5].map(order));
  expect(others.some((o) => o.join() !== a.join())).toBe(true);
  expect([...a].sort()).toEqual(["a", "b", "c", "d", "e", "f"]);
});

it("virtual time jumps to the next timer only when idle; a 60 s timer takes no wall time", async () => {
  const s = new SimScheduler({ seed: 7, virtualTime: true });
  const fired: [string, number][] = [];
  s.clock.setTimer(60_000, () => fired.push(["late", s.clock.nowMs()]));
  s.clock.setTimer(10, () => fired.push(["early", s.clock.nowMs()]));
  s.clock.setTimer(10, () => fired.push(["early2", s.clock.nowMs()]));
  const cancel = s.clock.setTimer(5, () => fired.push(["cancelled", s.clock.nowMs()]));
  cancel();
  s.post("now", () => fired.push(["ready", s.clock.nowMs()]));
  await idle(s);
  expect(fired).toEqual([
    ["ready", 0],
    ["early", 10],
    ["early2", 10],
    ["late", 60_000],
  ]);
});

it("gated I/O holds time still and completes as a scheduled event", async () => {
  const s = new SimScheduler({ seed: 3, virtualTime: true, trace: true });
  const fired: string[] = [];
  s.clock.setTimer(1, () => fired.push(`timer@${s.clock.nowMs()}`));
  const read = s.io("io read", () => new Promise<string>((r) => setTimeout(() => r("bytes"), 20)));
  expect(await read).toBe("bytes");
  fired.push(`io@${s.clock.nowMs()}`);
  await idle(s);
  expect(fired).toEqual(["io@0", "timer@1"]);
  expect(s.trace).toContain("0 io read");
});

it("a scoped clock's timers die with it", async () => {
  const s = new SimScheduler({ seed: 1, virtualTime: true });
  const scoped = new ScopedClock(s.clock);
  const fired: string[] = [];
  scoped.setTimer(5, () => fired.push("task"));
  s.clock.setTimer(10, () => fired.push("other"));
  scoped.kill();
  scoped.setTimer(1, () => fired.push("after-death"));
  await idle(s);
  expect(fired).toEqual(["other"]);
});
