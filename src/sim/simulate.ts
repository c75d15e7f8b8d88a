/**
 * Seeded fault runs (FoundationDB's simulator, TigerBeetle's VOPR): run a workload on a simulated
 * inproc cluster with virtual time under faults drawn from each seed, check its invariants, and
 * check determinism by running every seed twice and comparing the hashes of the two event traces.
 * A failure names its seed and the one command that replays it.
 *
 * @example
 * const report = await tf.sim.simulate({ workload: "queues", seeds: 50 });
 * if (report.failures.length) console.log(report.failures[0].replay);
 */
import { createHash } from "node:crypto";
import { InvalidArgumentError } from "../errors/index.js";
import { appendAll } from "../util/arrays.js";
import { freshSeed } from "../util/env.js";
import { queuesWorkload } from "./simulate-queues.js";
import { readersWorkload } from "./simulate-readers.js";
import { trainingWorkload } from "./simulate-training.js";
import type { Workload, WorkloadResult } from "./workload.js";

export const workloads: Record<string, Workload> = {
  queues: queuesWorkload,
  readers: readersWorkload,
  training: trainingWorkload,
};

export interface SimulateOptions {
  workload: string;
  /** How many seeds to run (default 1). */
  seeds?: number;
  /** The first seed; the others follow it (default: a fresh one, printed in the report). */
  seed?: number;
  /** Run each seed twice and compare the traces (default true). */
  checkDeterminism?: boolean;
  /** Called after each seed. */
  onSeed?: (result: SeedResult) => void;
}

export interface SeedResult {
  seed: number;
  ok: boolean;
  /** Invariant violations and determinism mismatches, one line each. */
  problems: string[];
  traceHash: string;
  events: number;
  virtualMs: number;
  stats: Record<string, number>;
  /** The command that replays this seed. */
  replay: string;
  /** The first run's event trace ("ms event" lines). */
  trace: readonly string[];
}

export interface SimulateReport {
  workload: string;
  firstSeed: number;
  results: SeedResult[];
  failures: SeedResult[];
}

export function replayCommand(workload: string, seed: number): string {
  return `npx tfcluster simulate --workload ${workload} --seed ${seed}`;
}

export function traceHash(trace: readonly string[]): string {
  const h = createHash("sha256");
  for (const line of trace) h.update(line).update("\n");
  return h.digest("hex").slice(0, 16);
}

/** Where two traces first differ, with a little context, or null when they are the same. */
export function firstDifference(a: readonly string[], b: readonly string[]): string | null {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  if (i === a.length && i === b.length) return null;
  const show = (t: readonly string[]) => (i < t.length ? t[i] : "<end of trace>");
  return `traces differ at event ${i} (of ${a.length} and ${b.length}): first run "${show(a)}", second run "${show(b)}"` + (i > 0 ? `; both had "${a[i - 1]}" before` : "");
}

/** Runs one seed (twice, for determinism) and judges it. */
export async function simulateSeed(workload: Workload, seed: number, checkDeterminism = true): Promise<SeedResult> {
  const problems: string[] = [];
  let first: WorkloadResult;
  try {
    first = await workload.run(seed);
  } catch (err) {
    return { seed, ok: false, problems: [`the run failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`], traceHash: "", events: 0, virtualMs: 0, stats: {}, replay: replayCommand(workload.name, seed), trace: [] };
  }
  appendAll(problems, first.violations);
  const hash = traceHash(first.trace);
  if (checkDeterminism) {
    try {
      const second = await workload.run(seed);
      if (traceHash(second.trace) !== hash) problems.push(`nondeterministic: ${firstDifference(first.trace, second.trace) ?? "trace hashes differ"}`);
    } catch (err) {
      problems.push(`nondeterministic: the second run failed: ${String(err)}`);
    }
  }
  return { seed, ok: problems.length === 0, problems, traceHash: hash, events: first.trace.length, virtualMs: first.virtualMs, stats: first.stats, replay: replayCommand(workload.name, seed), trace: first.trace };
}

/** Runs `seeds` seeds of a workload from `seed` on; see the file comment. */
export async function simulate(options: SimulateOptions): Promise<SimulateReport> {
  const workload = workloads[options.workload];
  if (!workload) throw new InvalidArgumentError(`Unknown workload '${options.workload}': use ${Object.keys(workloads).join(", ")}`);
  const count = options.seeds ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new InvalidArgumentError(`seeds must be a positive integer, got ${count}`);
  const firstSeed = (options.seed ?? freshSeed()) >>> 0;
  const results: SeedResult[] = [];
  for (let i = 0; i < count; i++) {
    const r = await simulateSeed(workload, (firstSeed + i) >>> 0, options.checkDeterminism ?? true);
    options.onSeed?.(r);
    // Passing runs' traces are dropped: a thousand of them would only hold memory.
    results.push(r.ok && count > 1 ? { ...r, trace: [] } : r);
  }
  return { workload: workload.name, firstSeed, results, failures: results.filter((r) => !r.ok) };
}
