/**
 * The inproc network's fault table: partitions (pairs of endpoints that cannot reach each other)
 * and per-direction delays. Endpoints are named by address, or "client" for callers outside the cluster.
 */
export class FaultTable {
  private readonly cut = new Set<string>();
  private readonly delays = new Map<string, number>();

  /** Cuts every link between a member of `a` and a member of `b`, both directions. */
  partition(a: readonly string[], b: readonly string[]): void {
    for (const x of a) for (const y of b) if (x !== y) this.cut.add(pairKey(x, y));
  }

  /** Restores every link (delays stay). */
  heal(): void {
    this.cut.clear();
  }

  isCut(from: string, to: string): boolean {
    return this.cut.size > 0 && this.cut.has(pairKey(from, to));
  }

  /** Adds `ms` to every message from `from` to `to`; 0 removes the delay. */
  delay(from: string, to: string, ms: number): void {
    if (ms > 0) this.delays.set(`${from}>${to}`, ms);
    else this.delays.delete(`${from}>${to}`);
  }

  delayOf(from: string, to: string): number {
    return this.delays.size > 0 ? (this.delays.get(`${from}>${to}`) ?? 0) : 0;
  }
}

function pairKey(x: string, y: string): string {
  return x < y ? `${x}|${y}` : `${y}|${x}`;
}
