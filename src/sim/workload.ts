/**
 * What a seeded fault run is made of: a workload (a scenario on a simulated cluster plus the
 * invariants checked after it) and the nemesis that injects faults at times drawn from the seed.
 */
import { hostTurn } from "../util/env.js";
import type { Random } from "../util/env.js";
import type { SimCluster } from "./launch.js";

export interface WorkloadResult {
  /** Invariants that did not hold, each one line. */
  violations: string[];
  /** Counts worth printing (elements acked, lost with a crash, faults injected...). */
  stats: Record<string, number>;
  /** The run's event trace. */
  trace: readonly string[];
  /** Virtual milliseconds the run took. */
  virtualMs: number;
}

export interface Workload {
  readonly name: string;
  readonly description: string;
  run(seed: number): Promise<WorkloadResult>;
}

/** A task as faults name it. */
export interface FaultTarget {
  job: string;
  task: number;
}

export interface NemesisOptions {
  /** Tasks that may crash (and come back after a while). */
  crashable: readonly FaultTarget[];
  /** Tasks (or "client") that partitions and delays may cut off. */
  endpoints: readonly string[];
  /** Faults start within [0, horizonMs) of virtual time. */
  horizonMs: number;
  faults: number;
  /** Which faults to draw (default all three). */
  kinds?: readonly ("crash" | "partition" | "delay")[];
  /** Told of each crash ("/job:ps/task:0") as it happens. */
  onCrash?: (task: string) => void;
}

/**
 * Schedules `faults` faults on the cluster's clock: crashes (restarted 50–500 ms later),
 * partitions (healed 100–1500 ms later) and one-way delays (10–300 ms, for up to 1 s).
 * Resolves once every fault has been undone (every crashed task restarted, links healed).
 */
export function runNemesis(cluster: SimCluster, random: Random, options: NemesisOptions): { done: Promise<void>; counts: Record<string, number> } {
  const counts: Record<string, number> = { crashes: 0, partitions: 0, delays: 0 };
  const pending: Promise<void>[] = [];
  const down = new Set<string>();
  let partitions = 0;
  const after = (ms: number, fn: () => Promise<void> | void) =>
    new Promise<void>((resolve, reject) => cluster.clock.setTimer(ms, () => Promise.resolve().then(fn).then(resolve, reject)));
  for (let i = 0; i < options.faults; i++) {
    const at = random.int(options.horizonMs);
    const kinds = options.kinds ?? ["crash", "partition", "delay"];
    const kind = ["crash", "partition", "delay"].indexOf(kinds[random.int(kinds.length)]!);
    if (kind === 0 && options.crashable.length > 0) {
      const t = options.crashable[random.int(options.crashable.length)]!;
      const backAfter = 50 + random.int(451);
      pending.push(
        after(at, async () => {
          const key = `/job:${t.job}/task:${t.task}`;
          if (down.has(key)) return;
          down.add(key);
          counts.crashes!++;
          cluster.note(`fault crash ${key}`);
          options.onCrash?.(key);
          await cluster.kill(t.job, t.task);
          await after(backAfter, async () => {
            cluster.note(`fault restart ${key}`);
            await cluster.restart(t.job, t.task);
            down.delete(key);
          });
        }),
      );
    } else if (kind === 1 && options.endpoints.length > 1) {
      const side = options.endpoints[random.int(options.endpoints.length)]!;
      const rest = options.endpoints.filter((e) => e !== side);
      const healAfter = 100 + random.int(1401);
      pending.push(
        after(at, async () => {
          counts.partitions!++;
          partitions++;
          cluster.note(`fault partition ${side} | ${rest.join(",")}`);
          cluster.partition([side], rest);
          await after(healAfter, () => {
            // heal() ends every partition: only the last one open does it.
            if (--partitions === 0) {
              cluster.note("fault heal");
              cluster.heal();
            }
          });
        }),
      );
    } else if (options.endpoints.length > 1) {
      const from = options.endpoints[random.int(options.endpoints.length)]!;
      const others = options.endpoints.filter((e) => e !== from);
      const to = others[random.int(others.length)]!;
      const ms = 10 + random.int(291);
      const forMs = random.int(1000);
      pending.push(
        after(at, async () => {
          counts.delays!++;
          cluster.note(`fault delay ${from}>${to} ${ms}ms`);
          cluster.delay(from, to, ms);
          await after(forMs, () => cluster.delay(from, to, 0));
        }),
      );
    }
  }
  return { done: Promise.all(pending).then(() => undefined), counts };
}

/**
 * Resolves with a message when the cluster goes idle while `work` is still pending: a wait that
 * nothing will ever end. Idleness is confirmed over two host turns (a session may be between
 * host callbacks), so a run that is merely between events is not taken for a deadlock.
 */
export function deadlockWatch(cluster: SimCluster, work: Promise<unknown>): Promise<string | null> {
  let finished = false;
  void work.then(
    () => (finished = true),
    () => (finished = true),
  );
  return new Promise((resolve) => {
    void work.then(
      () => resolve(null),
      () => resolve(null),
    );
    const arm = (): void => {
      void cluster.whenIdle().then(() => {
        if (finished) return;
        const seen = cluster.trace.length;
        hostTurn(() =>
          hostTurn(() => {
            if (finished) return;
            if (cluster.trace.length === seen) resolve(`deadlock: the cluster went idle at ${cluster.clock.nowMs()} ms (virtual) with operations still waiting`);
            else arm();
          }),
        );
      });
    };
    arm();
  });
}
