/**
 * `npm run bench`: every figure of the performance table, each beside a baseline measured in the
 * same run. `npm run bench -- --only P4,P5` runs the suites that produce those figures.
 * Writes bench/results/latest.json and bench/RESULTS.md; exits non-zero when a suite fails.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { runOverhead } from "./run-overhead.js";
import { runPipeline } from "./run-pipeline.js";
import { runQueues } from "./run-queues.js";
import { runStartup } from "./run-startup.js";
import { runTraining } from "./run-training.js";
import { runGrpcTransport, runInprocTransport, runThreadTransport } from "./run-transports.js";
import type { BenchRow } from "./stats.js";
import { markdownTable, SAMPLES } from "./stats.js";

interface Suite {
  name: string;
  /** The figure ids this suite produces. */
  figures: string[];
  run: () => Promise<BenchRow[]>;
}

const suites: Suite[] = [
  { name: "overhead", figures: ["P1"], run: runOverhead },
  { name: "inproc", figures: ["P1"], run: runInprocTransport },
  { name: "thread", figures: ["P2", "P4"], run: runThreadTransport },
  { name: "grpc", figures: ["P3", "P5"], run: runGrpcTransport },
  { name: "queues", figures: ["P6"], run: runQueues },
  { name: "pipeline", figures: ["P7", "P8"], run: runPipeline },
  { name: "training", figures: ["P9"], run: runTraining },
  { name: "startup", figures: ["P10"], run: runStartup },
];

function selected(only: string[]): Suite[] {
  if (only.length === 0) return suites;
  const known = new Set(suites.flatMap((s) => [s.name, ...s.figures]));
  const unknown = only.filter((o) => !known.has(o));
  if (unknown.length > 0) throw new Error(`unknown figure or suite: ${unknown.join(", ")} (known: ${[...known].join(", ")})`);
  return suites.filter((s) => only.includes(s.name) || s.figures.some((f) => only.includes(f)));
}

function resultsMarkdown(rows: BenchRow[], failures: string[], date: string): string {
  const lines = [
    "# Benchmark results",
    "",
    `\`npm run bench\` on ${date} (Node ${process.version}). Each value is the median of ${SAMPLES} samples after a`,
    "warm-up, with its min–max; each baseline was sampled the same way in the same run. The machine is",
    "shared and noisy: only the same-run ratios carry over between runs.",
    "",
    markdownTable(rows),
  ];
  if (failures.length > 0) lines.push("", "Suites that failed:", "", ...failures.map((f) => `- ${f}`));
  return lines.join("\n") + "\n";
}

async function main(): Promise<void> {
  const program = new Command("bench").option("--only <ids>", "comma-separated figure ids or suite names", "").parse();
  const only = String(program.opts<{ only: string }>().only).split(",").map((s) => s.trim()).filter(Boolean);
  const rows: BenchRow[] = [];
  const failures: string[] = [];
  for (const s of selected(only)) {
    process.stderr.write(`running ${s.name} (${s.figures.join(", ")})...\n`);
    try {
      rows.push(...(await s.run()));
    } catch (err) {
      failures.push(`${s.name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.stderr.write(`${s.name} failed: ${String(err)}\n`);
    }
  }
  const date = new Date().toISOString();
  const md = resultsMarkdown(rows, failures, date);
  console.log(markdownTable(rows));
  const here = dirname(fileURLToPath(import.meta.url));
  mkdirSync(join(here, "results"), { recursive: true });
  writeFileSync(join(here, "results", "latest.json"), JSON.stringify({ date, node: process.version, only, rows, failures }, null, 2));
  // A partial run (--only) does not replace the full table.
  if (only.length === 0) writeFileSync(join(here, "RESULTS.md"), md);
  process.exit(failures.length > 0 ? 1 : 0);
}

void main();
