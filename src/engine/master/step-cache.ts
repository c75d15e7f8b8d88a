/**
 * The per-session cache of reified steps (pruned, placed, partitioned, registered), keyed by the
 * (feeds, fetches, targets) signature: a least-recently-used map of at most STEP_CACHE_MAX
 * entries. TF's master caches every signature for the session's life; a program that builds a
 * new fetch list per step would then register graphs on its workers without bound. An evicted
 * entry's graphs are deregistered once no run uses it (a later run of it registers again).
 */

/** Signatures a session keeps registered at once (README, "Differences"). */
export const STEP_CACHE_MAX = 64;

interface Entry<T> {
  value: Promise<T>;
  /** Runs using the entry now: it is never evicted under them. */
  users: number;
}

export class StepCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly onEvict: (value: Promise<T>) => void,
    private readonly max = STEP_CACHE_MAX,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * The entry for `key` (made by `make` when missing), held by the caller until `release`.
   * A failed `make` is dropped, so the next run retries it.
   */
  acquire(key: string, make: () => Promise<T>): { value: Promise<T>; release: () => void } {
    let entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key); // re-insert: most recently used last
    } else {
      const value = make();
      entry = { value, users: 0 };
      const made = entry;
      value.catch(() => {
        if (this.entries.get(key) === made) this.entries.delete(key);
      });
    }
    this.entries.set(key, entry);
    entry.users++;
    const held = entry;
    let released = false;
    this.evictOverflow();
    return {
      value: entry.value,
      release: () => {
        if (released) return;
        released = true;
        held.users--;
        this.evictOverflow();
      },
    };
  }

  /** Every cached value (for close). */
  values(): Promise<T>[] {
    return [...this.entries.values()].map((e) => e.value);
  }

  /** Drops the oldest unused entries while over the bound. */
  private evictOverflow(): void {
    if (this.entries.size <= this.max) return;
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.max) return;
      if (entry.users > 0) continue;
      this.entries.delete(key);
      this.onEvict(entry.value);
    }
  }
}
