/**
 * CI's seeded fault runs: 50 seeds per workload (5 for training) on inproc with virtual time, each run twice.
 * Model (the workloads' own file comments): TF's queue rules — every acked element is dequeued
 * once, still queued, or lost with a crashed task; a reader hands out each record once per epoch;
 * the global step never goes backwards within a ps incarnation and training resumes from the
 * checkpoint; no op outlives its deadline; no deadlock —
 * and the two runs of a seed produce the same event trace. A failure prints its seed and replay command.
 * TFCLUSTER_SIM_SEED picks the first seed (default: fixed, so CI is repeatable).
 */
import { expect, it } from "vitest";
import { simulate } from "../../src/sim/simulate.js";

const FIRST = Number(process.env.TFCLUSTER_SIM_SEED ?? 20_000);
// Training checkpoints to disk every few steps, so its runs cost ~10x the others: fewer seeds here.
const SEEDS: Record<string, number> = { queues: 50, readers: 50, training: 5 };

for (const [workload, seeds] of Object.entries(SEEDS)) {
  it(`${workload}: ${seeds} seeded fault runs hold their invariants and replay deterministically`, async () => {
    const report = await simulate({ workload, seeds, seed: FIRST });
    console.log(`${workload}: seeds ${FIRST}..${FIRST + seeds - 1}, ${report.failures.length} failure(s)`);
    for (const f of report.failures) console.log(`seed ${f.seed}: ${f.problems.join("; ")}\n  replay: ${f.replay}`);
    expect(report.failures.map((f) => `${f.seed}: ${f.problems[0]}`)).toEqual([]);
    // The runs did exercise faults.
    const crashes = report.results.reduce((n, r) => n + (r.stats.crashes ?? 0), 0);
    expect(crashes).toBeGreaterThan(0);
  }, 120_000);
}
