/**
 * Benchmark statistics: every figure is the median of at least SAMPLES samples taken after a
 * warm-up, reported with its min-max and a baseline sampled the same way in the same run (these
 * machines are shared and noisy, so only same-run ratios mean anything).
 */
export const SAMPLES = 5;

export interface Timing {
  medianUs: number;
  p90Us: number;
  iterations: number;
}

export async function timeAsync(fn: () => Promise<unknown>, iterations: number, warmup = Math.min(50, iterations)): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fn();
    samples.push((performance.now() - t0) * 1000);
  }
  return summarize(samples);
}

export function timeSync(fn: () => unknown, iterations: number, warmup = Math.min(50, iterations)): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    fn();
    samples.push((performance.now() - t0) * 1000);
  }
  return summarize(samples);
}

export function summarize(samplesUs: number[]): Timing {
  const s = [...samplesUs].sort((a, b) => a - b);
  return { medianUs: s[Math.floor(s.length / 2)] ?? 0, p90Us: s[Math.floor(s.length * 0.9)] ?? 0, iterations: s.length };
}

/** A figure's samples: the median is the figure, min-max its spread. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

export function spreadOf(samples: number[]): Spread {
  if (samples.length === 0) throw new Error("a figure needs at least one sample");
  const s = [...samples].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s[s.length - 1]!, samples };
}

/** Takes `n` samples of `measure` in sequence (each sample does its own warm-up or follows one). */
export async function sampled(measure: () => Promise<number> | number, n = SAMPLES): Promise<Spread> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) samples.push(await measure());
  return spreadOf(samples);
}

/** Runs a measurement that yields several figures `n` times; pick each figure's spread with spreadOf. */
export async function repeat<T>(measure: () => Promise<T>, n = SAMPLES): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(await measure());
  return out;
}

/**
 * What a row is held to: its ratio to the baseline (`ratio`), its own value (`value`, in the row's
 * unit), or nothing (`reference`: the row explains another).
 */
export type Goal =
  | { kind: "ratio"; op: "<=" | ">="; target: number; what: string }
  | { kind: "value"; op: "<=" | ">="; target: number; what?: string }
  | { kind: "reference"; what: string };

export interface BenchRow {
  /** The figure's id in the issue's table (P2, M1, ...), or "ref" for an explanatory row. */
  id: string;
  name: string;
  unit: string;
  value: Spread;
  baselineName: string;
  baselineUnit: string;
  baseline: Spread;
  /** value.median / baseline.median */
  ratio: number;
  goal: string;
  /** Whether the goal is met; null for reference rows. */
  met: boolean | null;
}

export interface RowSpec {
  id: string;
  name: string;
  unit: string;
  value: Spread;
  baselineName: string;
  baseline: Spread;
  /** Defaults to `unit`. */
  baselineUnit?: string;
  goal: Goal;
}

function holds(op: "<=" | ">=", x: number, target: number): boolean {
  return op === "<=" ? x <= target : x >= target;
}

export function row(spec: RowSpec): BenchRow {
  const ratio = spec.value.median / spec.baseline.median;
  const g = spec.goal;
  let goal: string;
  let met: boolean | null;
  if (g.kind === "ratio") {
    met = holds(g.op, ratio, g.target);
    goal = `${g.op === "<=" ? "≤" : "≥"} ${g.target}x ${g.what}`;
  } else if (g.kind === "value") {
    met = holds(g.op, spec.value.median, g.target);
    goal = `${g.op === "<=" ? "≤" : "≥"} ${fmt(g.target)} ${spec.unit}${g.what ? ` ${g.what}` : ""}`;
  } else {
    met = null;
    goal = `reference: ${g.what}`;
  }
  return { id: spec.id, name: spec.name, unit: spec.unit, value: spec.value, baselineName: spec.baselineName, baselineUnit: spec.baselineUnit ?? spec.unit, baseline: spec.baseline, ratio, goal, met };
}

export function fmt(x: number): string {
  const a = Math.abs(x);
  if (a >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (a >= 100) return x.toFixed(0);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

function cell(s: Spread, unit: string): string {
  return `${fmt(s.median)} ${unit} (${fmt(s.min)}–${fmt(s.max)})`;
}

function verdict(r: BenchRow): string {
  return r.met === null ? "—" : r.met ? "met" : "**missed**";
}

/** The Markdown table of bench/RESULTS.md (and of the console). */
export function markdownTable(rows: BenchRow[]): string {
  const lines = [
    "| figure | measurement | value (min–max) | baseline, same run (min–max) | ratio | goal | met |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    lines.push(`| ${r.id} | ${r.name} | ${cell(r.value, r.unit)} | ${r.baselineName}: ${cell(r.baseline, r.baselineUnit)} | ${r.ratio.toFixed(2)}x | ${r.goal} | ${verdict(r)} |`);
  }
  return lines.join("\n");
}
