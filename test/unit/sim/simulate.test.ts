/**
 * The seeded fault-run machinery: the same seed gives the same trace, a nondeterministic run is
 * reported with the first difference of its two traces, and a failure names its replay command.
 */
import { expect, it } from "vitest";
import { firstDifference, replayCommand, simulate, simulateSeed, traceHash, workloads } from "../../../src/sim/simulate.js";
import type { Workload } from "../../../src/sim/workload.js";

it("a seed replays: the same trace hash twice; other seeds explore other interleavings", async () => {
  const a = await simulateSeed(workloads.queues!, 42, false);
  const b = await simulateSeed(workloads.queues!, 42, false);
  expect(a.ok).toBe(true);
  expect(b.traceHash).toBe(a.traceHash);
  expect(b.trace).toEqual(a.trace);
  const others = await Promise.all([43, 44, 45].map((s) => simulateSeed(workloads.queues!, s, false)));
  expect(new Set([a, ...others].map((r) => r.traceHash)).size).toBe(4);
  // Interleavings, not a sequential program: several steps are in flight at once, and faults happen among them.
  let inFlight = 0;
  let most = 0;
  for (const line of a.trace) {
    if (/ req master\.runStep /.test(line)) most = Math.max(most, ++inFlight);
    if (/ res master\.runStep /.test(line)) inFlight--;
  }
  expect(most).toBeGreaterThanOrEqual(3);
  expect(a.trace.some((l) => l.includes(" fault "))).toBe(true);
});

it("a run whose trace differs between two runs of one seed fails, showing the first difference", async () => {
  let run = 0;
  const flaky: Workload = {
    name: "flaky",
    description: "a trace that depends on how often it ran",
    run: async () => ({ violations: [], stats: {}, trace: ["0 start", `1 step ${run++ % 2}`, "2 end"], virtualMs: 2 }),
  };
  workloads.flaky = flaky;
  try {
    const report = await simulate({ workload: "flaky", seeds: 1, seed: 3 });
    expect(report.failures).toHaveLength(1);
    const [problem] = report.failures[0]!.problems;
    expect(problem).toContain("nondeterministic");
    expect(problem).toContain('first run "1 step 0", second run "1 step 1"');
    expect(report.failures[0]!.replay).toBe("npx tfcluster simulate --workload flaky --seed 3");
  } finally {
    delete workloads.flaky;
  }
});

it("a violated invariant fails its seed with the replay command", async () => {
  workloads.broken = { name: "broken", description: "always wrong", run: async (seed) => ({ violations: [`bad ${seed}`], stats: {}, trace: ["0 x"], virtualMs: 0 }) };
  try {
    const report = await simulate({ workload: "broken", seeds: 2, seed: 10 });
    expect(report.failures.map((f) => [f.seed, f.problems[0], f.replay])).toEqual([
      [10, "bad 10", replayCommand("broken", 10)],
      [11, "bad 11", replayCommand("broken", 11)],
    ]);
  } finally {
    delete workloads.broken;
  }
});

it("firstDifference and traceHash", () => {
  expect(firstDifference(["a", "b"], ["a", "b"])).toBeNull();
  expect(firstDifference(["a", "b"], ["a"])).toContain('second run "<end of trace>"');
  expect(traceHash(["a"])).not.toBe(traceHash(["b"]));
  expect(traceHash(["a", "b"])).not.toBe(traceHash(["ab"]));
});

it("an unknown workload is an InvalidArgumentError naming the known ones", async () => {
  await expect(simulate({ workload: "nope" })).rejects.toThrow(/queues/);
});
