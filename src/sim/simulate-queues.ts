/**
 * The "queues" workload: producers and consumers in several sessions over shared FIFO,
 * RandomShuffle and Padding queues on two ps tasks, while the nemesis crashes and restarts tasks,
 * partitions links and delays messages. Invariants, checked after the run (TF's queue rules):
 * - no element is dequeued twice, and none is dequeued that nobody enqueued;
 * - every element whose enqueue reported success is dequeued, still in its queue at the end, or
 *   was lost with its queue's task when that task crashed (counted); the only other loss allowed
 *   is a dequeue whose reply was lost (timed out, unavailable: counted, one batch each);
 * - no operation waits past its deadline (its timeout, the session's RPC deadline and slack);
 * - the run does not deadlock: every operation ends.
 */
import { AbortedError, CancelledError, DeadlineExceededError, OpError, OutOfRangeError, UnavailableError } from "../errors/index.js";
import { Session } from "../client/session.js";
import { device } from "../graph/scopes.js";
import { Graph } from "../graph/graph.js";
import { placeholder } from "../graph/ops/creation.js";
import { FIFOQueue, PaddingFIFOQueue, RandomShuffleQueue } from "../graph/ops/data-flow.js";
import type { QueueBase } from "../graph/ops/data-flow.js";
import type { Operation } from "../graph/graph.js";
import type { Tensor } from "../graph/tensor.js";
import type { NDArray } from "../tensor/ndarray.js";
import { SeededRandom } from "../util/env.js";
import type { Random } from "../util/env.js";
import { launch } from "./launch.js";
import type { SimCluster } from "./launch.js";
import { deadlockWatch, runNemesis } from "./workload.js";
import type { Workload, WorkloadResult } from "./workload.js";

const RPC_TIMEOUT_MS = 5_000;
/** A runStep's own deadline is its timeout + 2 s (client/session.ts); createSession may take one RPC timeout first. */
const DEADLINE_SLACK_MS = RPC_TIMEOUT_MS + 2_000;
const CAPACITY = 6;

interface QueueOps {
  name: string;
  task: string;
  padded: boolean;
  enqueue: Operation;
  input: Tensor;
  dequeue: Tensor;
  dequeueMany: Tensor;
  close: Operation;
  drain: Tensor;
}

function buildGraph(): { graph: Graph; queues: QueueOps[] } {
  const graph = new Graph();
  const queues = graph.asDefault(() => {
    const specs: [string, string, (name: string) => QueueBase][] = [
      ["fifo", "/job:ps/task:0", (n) => new FIFOQueue({ capacity: CAPACITY, dtypes: ["int32"], shapes: [[]], sharedName: n })],
      ["shuffle", "/job:ps/task:1", (n) => new RandomShuffleQueue({ capacity: CAPACITY, minAfterDequeue: 0, dtypes: ["int32"], shapes: [[]], sharedName: n })],
      ["padding", "/job:ps/task:0", (n) => new PaddingFIFOQueue({ capacity: CAPACITY, dtypes: ["int32"], shapes: [[null]], sharedName: n })],
    ];
    return specs.map(([name, task, make]) =>
      device(task, () => {
        const q = make(`sim_${name}`);
        const padded = name === "padding";
        const input = placeholder("int32", padded ? [null] : [], { name: `${name}_in` });
        return {
          name,
          task,
          padded,
          input,
          enqueue: q.enqueue([input]),
          dequeue: (q.dequeue() as Tensor[])[0]!,
          dequeueMany: (q.dequeueMany(2) as Tensor[])[0]!,
          close: q.close(),
          drain: (q.dequeueUpTo(CAPACITY * 4) as Tensor[])[0]!,
        };
      }),
    );
  });
  return { graph, queues };
}

/** The ids in a dequeued value: a scalar, a batch of scalars, or (padding) rows whose first entry is the id. */
function idsOf(v: NDArray, padded: boolean, batched: boolean): number[] {
  const a = v.toArray() as unknown;
  if (!batched) return [padded ? (a as number[])[0]! : (a as number)];
  return (a as unknown[]).map((row) => (padded ? (row as number[])[0]! : (row as number)));
}

/** Errors after which the caller cannot know whether the operation took effect. */
function ambiguous(err: unknown): boolean {
  return err instanceof DeadlineExceededError || err instanceof UnavailableError || err instanceof AbortedError || err instanceof CancelledError;
}

class QueueRun {
  readonly violations: string[] = [];
  readonly stats: Record<string, number> = { enqueued: 0, dequeued: 0, drained: 0, lostWithCrash: 0, lostInFlight: 0, failedOps: 0 };
  private readonly acked = new Map<number, { queue: string; task: string; incarnation: number }>();
  private readonly attempted = new Set<number>();
  private readonly seen = new Map<number, string>();
  private readonly ambiguousTakes = new Map<string, number>();
  private readonly crashes = new Map<string, number>();
  private producing = 0;

  constructor(
    private readonly cluster: SimCluster,
    private readonly graph: Graph,
    private readonly queues: QueueOps[],
    private readonly random: Random,
  ) {}

  onCrash(task: string): void {
    this.crashes.set(task, (this.crashes.get(task) ?? 0) + 1);
  }

  private session(worker: number): Session {
    return new Session(this.cluster.target("worker", worker), { graph: this.graph, config: { operationTimeoutInMs: RPC_TIMEOUT_MS } });
  }

  /** Runs one op, checking it ended within its deadline; a failed session is replaced. */
  private async op<T>(who: { sess: Session; worker: number }, what: string, timeoutMs: number, run: (s: Session) => Promise<T>): Promise<T> {
    const start = this.cluster.clock.nowMs();
    try {
      return await run(who.sess);
    } catch (err) {
      this.stats.failedOps!++;
      if (!(err instanceof OpError)) throw err;
      if (err instanceof UnavailableError || err instanceof AbortedError || err instanceof DeadlineExceededError) {
        // The session's master may be gone or stuck: carry on in a new one (the old one is abandoned, as a client would).
        who.sess = this.session(who.worker);
      }
      // Back off before the next try, as a client does: an instant retry of a dead task would spin at one instant.
      await new Promise<void>((resolve) => this.cluster.clock.setTimer(10 + this.random.int(91), resolve));
      throw err;
    } finally {
      const took = this.cluster.clock.nowMs() - start;
      if (took > timeoutMs + DEADLINE_SLACK_MS) this.violations.push(`${what} took ${took} ms (virtual), past its ${timeoutMs} ms deadline + ${DEADLINE_SLACK_MS} ms slack`);
    }
  }

  async producer(id: number, count: number): Promise<void> {
    const who = { sess: this.session(id % 2), worker: id % 2 };
    this.producing++;
    try {
      for (let k = 0; k < count; k++) {
        const value = id * 1000 + k;
        const q = this.queues[this.random.int(this.queues.length)]!;
        const timeoutMs = 100 + this.random.int(3000);
        const feed = q.padded ? Array.from({ length: 1 + this.random.int(3) }, () => value) : value;
        this.attempted.add(value);
        try {
          await this.op(who, `enqueue ${value} on ${q.name}`, timeoutMs, (s) => s.run(q.enqueue, { feedDict: [[q.input, feed]], options: { timeoutInMs: timeoutMs } }));
          this.stats.enqueued!++;
          this.acked.set(value, { queue: q.name, task: q.task, incarnation: this.crashes.get(q.task) ?? 0 });
        } catch (err) {
          if (!(err instanceof OpError)) throw err;
        }
      }
    } finally {
      this.producing--;
    }
  }

  async consumer(id: number): Promise<void> {
    const who = { sess: this.session(id % 2), worker: id % 2 };
    while (this.producing > 0) {
      const q = this.queues[this.random.int(this.queues.length)]!;
      const many = this.random.int(4) === 0;
      const timeoutMs = 100 + this.random.int(2000);
      try {
        const v = await this.op(who, `dequeue${many ? "Many" : ""} on ${q.name}`, timeoutMs, (s) => s.run(many ? q.dequeueMany : q.dequeue, { options: { timeoutInMs: timeoutMs } }));
        for (const x of idsOf(v as NDArray, q.padded, many)) this.see(x, q.name, "dequeued");
      } catch (err) {
        if (!(err instanceof OpError)) throw err;
        if (ambiguous(err)) this.ambiguousTakes.set(q.name, (this.ambiguousTakes.get(q.name) ?? 0) + (many ? 2 : 1));
      }
    }
  }

  private see(x: number, queue: string, how: "dequeued" | "drained"): void {
    const before = this.seen.get(x);
    if (before !== undefined) this.violations.push(`element ${x} ${how} from ${queue} twice (first from ${before})`);
    if (!this.attempted.has(x)) this.violations.push(`element ${x} ${how} from ${queue} was never enqueued`);
    this.seen.set(x, queue);
    this.stats[how]!++;
  }

  /** After the faults: close each queue and take what is left. */
  async drain(): Promise<void> {
    const who = { sess: this.session(0), worker: 0 };
    for (const q of this.queues) {
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await this.op(who, `close ${q.name}`, 10_000, (s) => s.run(q.close, { options: { timeoutInMs: 10_000 } }));
          const v = await this.op(who, `drain ${q.name}`, 10_000, (s) => s.run(q.drain, { options: { timeoutInMs: 10_000 } }));
          for (const x of idsOf(v as NDArray, q.padded, true)) this.see(x, q.name, "drained");
          break;
        } catch (err) {
          if (err instanceof OutOfRangeError) break; // closed and empty
          if (attempt === 2) this.violations.push(`could not drain ${q.name} after the faults healed: ${String(err)}`);
        }
      }
    }
  }

  /** Every acked element is accounted for; the losses have a cause. */
  check(): void {
    const missing = new Map<string, number>();
    for (const [x, a] of this.acked) {
      if (this.seen.has(x)) continue;
      if ((this.crashes.get(a.task) ?? 0) > a.incarnation) this.stats.lostWithCrash!++;
      else missing.set(a.queue, (missing.get(a.queue) ?? 0) + 1);
    }
    for (const [queue, n] of missing) {
      const allowed = this.ambiguousTakes.get(queue) ?? 0;
      this.stats.lostInFlight! += Math.min(n, allowed);
      if (n > allowed) this.violations.push(`${n} acked element(s) of ${queue} vanished with no crash of its task and only ${allowed} dequeue(s) whose reply was lost`);
    }
  }
}

export const queuesWorkload: Workload = {
  name: "queues",
  description: "producers and consumers over shared FIFO/RandomShuffle/Padding queues, with crashes, restarts, partitions and delays",
  async run(seed: number): Promise<WorkloadResult> {
    const random = new SeededRandom(seed ^ 0x5eed);
    const cluster = await launch(
      { ps: ["localhost:0", "localhost:0"], worker: ["localhost:0", "localhost:0"] },
      { transport: "inproc", seed, virtualTime: true, trace: true, jitterMs: 2, stuckWarnMs: 0 },
    );
    try {
      const { graph, queues } = buildGraph();
      const run = new QueueRun(cluster, graph, queues, random.fork());
      const endpoints = ["client", "/job:ps/task:0", "/job:ps/task:1", "/job:worker/task:0", "/job:worker/task:1"];
      const crashable = [
        { job: "ps", task: 0 },
        { job: "ps", task: 1 },
        { job: "worker", task: random.int(2) },
      ];
      const nemesis = runNemesis(cluster, random.fork(), { crashable, endpoints, horizonMs: 4_000, faults: 1 + random.int(4), onCrash: (t) => run.onCrash(t) });
      const work = (async () => {
        await Promise.all([run.producer(1, 8), run.producer(2, 8), run.consumer(1), run.consumer(2), nemesis.done]);
        await run.drain();
      })();
      const deadlock = await deadlockWatch(cluster, work);
      if (deadlock) run.violations.push(deadlock);
      else {
        await work;
        run.check();
      }
      return { violations: run.violations, stats: { ...run.stats, ...nemesis.counts }, trace: [...cluster.trace], virtualMs: cluster.clock.nowMs() };
    } finally {
      await cluster.stop();
    }
  },
};
