/**
 * `npm run fuzz`'s summary: one table of every suite's case count and outcomes, read from the
 * reports the suites wrote to TFCLUSTER_FUZZ_REPORT_DIR. Exits 1 when a suite ran fewer cases
 * than asked (a failed property stops its suite early).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

interface Report {
  suite: string;
  seed: number;
  cases: number;
  outcomes: Record<string, number>;
}

const dir = process.argv[2] ?? ".fuzz-report";
const wanted = Number(process.env.TFCLUSTER_FUZZ_RUNS ?? 0);
const reports = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as Report);
let short = false;
console.log(`\n${"suite".padEnd(16)} ${"cases".padStart(7)}  ${"seed".padStart(11)}  outcomes`);
for (const r of reports) {
  const outcomes = Object.entries(r.outcomes)
    .map(([k, v]) => `${k}: ${v}`)
    .join(", ");
  console.log(`${r.suite.padEnd(16)} ${String(r.cases).padStart(7)}  ${String(r.seed).padStart(11)}  ${outcomes}`);
  if (r.cases < wanted) short = true;
}
if (reports.length === 0 || short) {
  console.log(reports.length === 0 ? "no fuzz reports found" : `a suite ran fewer than ${wanted} cases: it failed`);
  process.exit(1);
}
