/**
 * Network faults of the thread transport: a table in shared memory that the launcher writes and
 * every task thread reads, so a partition or delay takes effect in all threads at once. Each
 * cell (from, to) is 0 (a healthy link), -1 (cut: messages are lost, calls wait for their
 * deadline) or a delay in ms. "client" is the launching thread.
 */
export const CUT = -1;

export interface FaultTableInit {
  /** Int32 n×n cells. */
  buffer: SharedArrayBuffer;
  /** Endpoint addresses in table order ("client" first). */
  addresses: string[];
}

export class ThreadFaultTable {
  private readonly cells: Int32Array;
  private readonly index: Map<string, number>;

  constructor(readonly init: FaultTableInit) {
    this.cells = new Int32Array(init.buffer);
    this.index = new Map(init.addresses.map((a, i) => [a, i]));
  }

  static create(addresses: string[]): ThreadFaultTable {
    return new ThreadFaultTable({ buffer: new SharedArrayBuffer(4 * addresses.length * addresses.length), addresses });
  }

  private cell(from: string, to: string): number {
    const f = this.index.get(from);
    const t = this.index.get(to);
    return f === undefined || t === undefined ? -2 : f * this.init.addresses.length + t;
  }

  /** The link's state: CUT, a delay in ms, or 0. */
  get(from: string, to: string): number {
    const c = this.cell(from, to);
    return c < 0 ? 0 : Atomics.load(this.cells, c);
  }

  partition(a: readonly string[], b: readonly string[]): void {
    for (const x of a) {
      for (const y of b) {
        if (x === y) continue;
        for (const [f, t] of [
          [x, y],
          [y, x],
        ] as const) {
          const c = this.cell(f, t);
          if (c >= 0) Atomics.store(this.cells, c, CUT);
        }
      }
    }
  }

  heal(): void {
    for (let c = 0; c < this.cells.length; c++) if (Atomics.load(this.cells, c) === CUT) Atomics.store(this.cells, c, 0);
  }

  delay(from: string, to: string, ms: number): void {
    const c = this.cell(from, to);
    if (c >= 0 && Atomics.load(this.cells, c) !== CUT) Atomics.store(this.cells, c, Math.max(0, Math.round(ms)));
  }


  has(address: string): boolean {
    return this.index.has(address);
  }
}

/** This thread's views: a table and its own name in it (one in a task thread; one per cluster in a launcher). */
const installed: { table: ThreadFaultTable; self: string }[] = [];

/** Makes this thread's calls obey `table` as endpoint `self` (a task's address, or "client"); returns an uninstall. */
export function installThreadFaults(init: FaultTableInit, self: string): { table: ThreadFaultTable; uninstall: () => void } {
  const entry = { table: new ThreadFaultTable(init), self };
  installed.push(entry);
  return {
    table: entry.table,
    uninstall: () => {
      const i = installed.indexOf(entry);
      if (i >= 0) installed.splice(i, 1);
    },
  };
}

/** The state of the link from this thread to `address`, and back. */
export function linkTo(address: string): { out: number; back: number } {
  for (const { table, self } of installed) {
    if (table.has(address)) return { out: table.get(self, address), back: table.get(address, self) };
  }
  return { out: 0, back: 0 };
}
