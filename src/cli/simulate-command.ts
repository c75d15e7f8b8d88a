/**
 * `tfcluster simulate --workload NAME --seeds N [--seed S]`: seeded fault runs (src/sim/simulate.ts).
 * Prints one line per failing seed with the command that replays it, a summary, and exits 1 on
 * any failure. With one seed (`--seed S` alone) it also prints that run's statistics.
 */
import type { Command } from "commander";
import { InvalidArgumentError as CliArgError } from "commander";
import { replayCommand, simulate, workloads } from "../sim/simulate.js";
import type { SeedResult } from "../sim/simulate.js";
import { systemClock } from "../util/env.js";

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CliArgError(`expected a non-negative integer, got '${value}'`);
  return n;
}

function printFailure(r: SeedResult, out: NodeJS.WritableStream): void {
  out.write(`FAIL seed ${r.seed}:\n`);
  for (const p of r.problems.slice(0, 20)) out.write(`  ${p}\n`);
  if (r.problems.length > 20) out.write(`  ... and ${r.problems.length - 20} more\n`);
  out.write(`  replay: ${r.replay}\n`);
}

export function addSimulateCommand(program: Command): void {
  program
    .command("simulate")
    .description(`seeded fault runs on inproc with virtual time; invariants and determinism checked per seed (workloads: ${Object.keys(workloads).join(", ")})`)
    .requiredOption("--workload <name>", Object.entries(workloads).map(([n, w]) => `${n}: ${w.description}`).join("; "))
    .option("--seeds <n>", "how many seeds to run", count, 1)
    .option("--seed <s>", "the first seed (default: a fresh one, printed)", count)
    .option("--no-determinism", "run each seed once (skip the trace comparison)")
    .option("--trace", "print the event trace of each seed (for one seed, to read a failure)")
    .action(async (opts: { workload: string; seeds: number; seed?: number; determinism: boolean; trace?: boolean }) => {
      if (!workloads[opts.workload]) throw new CliArgError(`unknown workload '${opts.workload}': use ${Object.keys(workloads).join(", ")}`);
      const started = systemClock.nowMs();
      let done = 0;
      const report = await simulate({
        workload: opts.workload,
        seeds: opts.seeds,
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
        checkDeterminism: opts.determinism,
        onSeed: (r) => {
          done++;
          if (!r.ok) printFailure(r, process.stdout);
          if (opts.seeds === 1) process.stdout.write(`seed ${r.seed}: ${r.events} events, ${r.virtualMs} ms virtual, trace ${r.traceHash}, ${JSON.stringify(r.stats)}\n`);
          if (opts.trace) process.stdout.write(`${r.trace.join("\n")}\n`);
          if (done % 100 === 0) process.stderr.write(`${done}/${opts.seeds} seeds\n`);
        },
      });
      const secs = ((systemClock.nowMs() - started) / 1000).toFixed(1);
      const ok = report.results.length - report.failures.length;
      process.stdout.write(`${opts.workload}: ${ok}/${report.results.length} seeds passed from seed ${report.firstSeed} in ${secs} s\n`);
      if (report.failures.length > 0) {
        process.stdout.write(`first failure replays with: ${replayCommand(opts.workload, report.failures[0]!.seed)}\n`);
        process.exitCode = 1;
      }
    });
}
