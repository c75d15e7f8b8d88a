/** Small timing helpers for benchmarks: medians of repeated runs after a warm-up. */
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

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  baselineName: string;
  baseline: number;
  ratio: number;
  goal?: string;
}

export function printTable(rows: BenchRow[]): void {
  const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toFixed(4));
  console.log("| measurement | value | baseline (same run) | ratio | goal |");
  console.log("|---|---|---|---|---|");
  for (const r of rows) {
    console.log(`| ${r.name} | ${fmt(r.value)} ${r.unit} | ${r.baselineName}: ${fmt(r.baseline)} ${r.unit} | ${r.ratio.toFixed(2)}x | ${r.goal ?? ""} |`);
  }
}
