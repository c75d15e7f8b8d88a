/**
 * `npm run bench`: every benchmark, each beside a baseline measured in the same run.
 * Writes bench/results/<date>.json and latest.json, prints a table.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runOverhead } from "./run-overhead.js";
import { runQueues } from "./run-queues.js";
import { runTransports } from "./run-transports.js";
import type { BenchRow } from "./stats.js";
import { printTable } from "./stats.js";

type Suite = { name: string; run: () => Promise<BenchRow[]> };

const suites: Suite[] = [
  { name: "overhead", run: () => runOverhead() },
  { name: "transports", run: () => runTransports() },
  { name: "queues", run: () => runQueues() },
];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const rows: BenchRow[] = [];
  for (const s of suites) {
    if (only.length > 0 && !only.includes(s.name)) continue;
    process.stderr.write(`running ${s.name}...\n`);
    try {
      rows.push(...(await s.run()));
    } catch (err) {
      process.stderr.write(`${s.name} failed: ${String(err)}\n`);
    }
  }
  printTable(rows);
  const dir = join(dirname(fileURLToPath(import.meta.url)), "results");
  mkdirSync(dir, { recursive: true });
  const out = { date: new Date().toISOString(), node: process.version, rows };
  writeFileSync(join(dir, "latest.json"), JSON.stringify(out, null, 2));
  process.exit(0);
}

void main();
