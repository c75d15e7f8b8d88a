/**
 * What every fuzz suite shares: how many cases to run (a few hundred in CI; `npm run fuzz` sets
 * TFCLUSTER_FUZZ_RUNS=10000), the seed (TFCLUSTER_FUZZ_SEED reproduces a run; each suite prints
 * its own), the tally of outcomes per suite, printed as a table and, under `npm run fuzz`, written
 * to TFCLUSTER_FUZZ_REPORT_DIR for the summary table of every suite.
 *
 * The outcome model (issue 8): a bad input gets a typed OpError — never a JS TypeError/RangeError,
 * nor an UnknownError that merely wraps one.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "../../src/index.js";

export const CI_RUNS = 200;

export function fuzzRuns(): number {
  const n = Number(process.env.TFCLUSTER_FUZZ_RUNS ?? CI_RUNS);
  return Number.isInteger(n) && n > 0 ? n : CI_RUNS;
}

export function fuzzSeed(): number {
  const env = process.env.TFCLUSTER_FUZZ_SEED;
  // Tests may vary their seed run to run; it is printed so that any failure replays.
  return env !== undefined ? Number(env) : (Math.random() * 2 ** 31) | 0;
}

/** A JS engine error leaking through where a typed OpError was owed. */
const JS_ERROR = /\b(TypeError|RangeError|ReferenceError|SyntaxError)\b|is not a function|Cannot read propert|undefined is not|Maximum call stack|Invalid (typed )?array length/;

/**
 * The outcome name of one case: "ok", or the OpError class. Throws (failing the property) for a
 * non-OpError, and for an UnknownError/InternalError whose message is a JS engine error.
 */
export function classify(err: unknown): string {
  if (err === undefined) return "ok";
  if (!(err instanceof tf.errors.OpError)) {
    throw new Error(`untyped failure (not an OpError): ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  }
  if ((err.code === 2 || err.code === 13) && JS_ERROR.test(err.message)) {
    throw new Error(`${err.name} wrapping a JS error: ${err.message}`);
  }
  return err.name;
}

export class Tally {
  readonly counts = new Map<string, number>();
  cases = 0;

  constructor(readonly suite: string, readonly seed: number) {}

  add(outcome: string): void {
    this.cases++;
    this.counts.set(outcome, (this.counts.get(outcome) ?? 0) + 1);
  }

  /** Prints `suite: N cases, seed S` and the outcome table; writes the report file when asked. */
  report(): void {
    const rows = [...this.counts].sort((a, b) => b[1] - a[1]);
    const lines = rows.map(([k, v]) => `  ${k.padEnd(28)} ${String(v).padStart(7)}`);
    console.log(`[fuzz] ${this.suite}: ${this.cases} cases, seed ${this.seed} (TFCLUSTER_FUZZ_SEED=${this.seed} replays)\n${lines.join("\n")}`);
    const dir = process.env.TFCLUSTER_FUZZ_REPORT_DIR;
    if (dir) {
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${this.suite.replace(/[^a-z0-9-]+/gi, "-")}.json`);
      writeFileSync(file, JSON.stringify({ suite: this.suite, seed: this.seed, cases: this.cases, outcomes: Object.fromEntries(rows) }));
    }
  }
}

/** Runs `fn`, returning its error (undefined when it succeeded). */
export async function outcomeOf(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
    return undefined;
  } catch (err) {
    return err ?? new Error("threw a nullish value");
  }
}
