/**
 * The "training" workload: asynchronous between-graph training — two workers apply gradient
 * descent to variables and the global step on a ps task; the chief checkpoints every few steps
 * and, when the ps comes back empty after a crash, restores the latest checkpoint — while the
 * nemesis crashes and restarts the ps (and workers) and delays messages.
 * Invariants (TF's recovery rules):
 * - within one ps incarnation the global step never goes backwards for a worker;
 * - a restored incarnation starts from at least the step of the checkpoint it restored;
 * - training resumes: after the faults, the chief's steps move the global step on;
 * - no op outlives its deadline, and the run does not deadlock.
 */
import { mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Session } from "../client/session.js";
import { FailedPreconditionError, OpError } from "../errors/index.js";
import { Graph } from "../graph/graph.js";
import type { Operation } from "../graph/graph.js";
import { constant } from "../graph/ops/creation.js";
import { reduceSum } from "../graph/ops/math-reduce.js";
import { square, sub } from "../graph/ops/math.js";
import { device } from "../graph/scopes.js";
import type { Tensor } from "../graph/tensor.js";
import { globalVariablesInitializer, Variable } from "../graph/variables.js";
import { latestCheckpoint } from "../train/checkpoint-state.js";
import { getOrCreateGlobalStep } from "../train/global-step.js";
import { GradientDescentOptimizer } from "../train/optimizers/gradient-descent.js";
import { Saver } from "../train/saver.js";
import { SeededRandom } from "../util/env.js";
import type { Random } from "../util/env.js";
import { launch } from "./launch.js";
import type { SimCluster } from "./launch.js";
import { deadlockWatch, runNemesis } from "./workload.js";
import type { Workload, WorkloadResult } from "./workload.js";

const STEP_TIMEOUT_MS = 2_000;
const DEADLINE_SLACK_MS = 5_000 + 2_000;
const SAVE_EVERY = 3;

interface Model {
  graph: Graph;
  train: Operation;
  step: Tensor;
  init: Operation;
  saver: Saver;
}

function buildModel(random: Random, cluster: SimCluster): Model {
  const graph = new Graph();
  return graph.asDefault(() => {
    const { w, gs } = device("/job:ps/task:0", () => ({ w: new Variable(constant([0, 0]), { name: "w" }), gs: getOrCreateGlobalStep(graph) }));
    const loss = device("/job:worker/task:0", () => reduceSum(square(sub(w.value(), constant([1, -1])))));
    const train = new GradientDescentOptimizer(0.05).minimize(loss, { globalStep: gs });
    return { graph, train, step: gs.value(), init: globalVariablesInitializer(), saver: new Saver({ clock: cluster.clock, random }) };
  });
}

class TrainingRun {
  readonly violations: string[] = [];
  readonly stats: Record<string, number> = { steps: 0, saves: 0, restores: 0, inits: 0, failedOps: 0 };
  private readonly psIncarnation = { value: 0 };
  /** The step each ps incarnation was restored to (or 0 when initialized). */
  private readonly startedAt = new Map<number, number>();
  nemesisDone = false;

  constructor(
    private readonly cluster: SimCluster,
    private readonly model: Model,
    private readonly dir: string,
    private readonly random: Random,
  ) {}

  onCrash(task: string): void {
    if (task === "/job:ps/task:0") this.psIncarnation.value++;
  }

  private session(worker: number): Session {
    return new Session(this.cluster.target("worker", worker), { graph: this.model.graph, config: { operationTimeoutInMs: 5_000 } });
  }

  private async timed<T>(what: string, run: () => Promise<T>, timeoutMs = STEP_TIMEOUT_MS): Promise<T> {
    const start = this.cluster.clock.nowMs();
    try {
      return await run();
    } finally {
      const took = this.cluster.clock.nowMs() - start;
      if (took > timeoutMs + DEADLINE_SLACK_MS) this.violations.push(`${what} took ${took} ms (virtual), past its deadline`);
    }
  }

  private backoff(): Promise<void> {
    return new Promise((resolve) => this.cluster.clock.setTimer(20 + this.random.int(200), resolve));
  }

  /** The chief makes an empty ps ready: the latest checkpoint, or fresh values when there is none. */
  private async prepare(sess: Session, inc: number): Promise<void> {
    const latest = await latestCheckpoint(this.dir);
    if (latest) {
      await this.timed("restore", () => this.model.saver.restore(sess, latest), 10_000);
      this.stats.restores!++;
      this.startedAt.set(inc, Number(/-(\d+)$/.exec(latest)?.[1] ?? 0));
    } else {
      await this.timed("init", () => sess.run(this.model.init, { options: { timeoutInMs: STEP_TIMEOUT_MS } }));
      this.stats.inits!++;
      this.startedAt.set(inc, 0);
    }
  }

  /** One worker's loop: train, read the step, (chief) checkpoint; recover from whatever the faults did. */
  async work(worker: number, steps: number): Promise<void> {
    let sess = this.session(worker);
    let last: { inc: number; step: number } | null = null;
    let done = 0;
    let afterFaults = 0;
    while (done < steps || (worker === 0 && afterFaults < 2)) {
      const inc = this.psIncarnation.value;
      try {
        await this.timed(`train step of worker ${worker}`, () => sess.run(this.model.train, { options: { timeoutInMs: STEP_TIMEOUT_MS } }));
        const step = Number((await this.timed("read step", () => sess.run(this.model.step, { options: { timeoutInMs: STEP_TIMEOUT_MS } }))).item());
        this.stats.steps!++;
        done++;
        if (this.nemesisDone) afterFaults++;
        if (inc === this.psIncarnation.value) this.check(worker, inc, step, last);
        last = { inc, step };
        if (worker === 0 && done % SAVE_EVERY === 0) {
          await this.timed("save", () => this.model.saver.save(sess, join(this.dir, "model.ckpt"), { globalStep: step }), 10_000);
          this.stats.saves!++;
        }
      } catch (err) {
        if (!(err instanceof OpError)) throw err;
        this.stats.failedOps!++;
        if (err instanceof FailedPreconditionError && worker === 0) {
          // The ps came back empty: the chief restores it; the others wait for that.
          await this.prepare(sess, inc).catch((e: unknown) => {
            if (!(e instanceof OpError)) throw e;
          });
        } else {
          sess = this.session(worker);
        }
        await this.backoff();
      }
    }
  }

  private check(worker: number, inc: number, step: number, last: { inc: number; step: number } | null): void {
    if (last && last.inc === inc && step <= last.step) this.violations.push(`worker ${worker}: the global step went from ${last.step} to ${step} within ps incarnation ${inc}`);
    const from = this.startedAt.get(inc);
    if (from !== undefined && step <= from) this.violations.push(`worker ${worker}: step ${step} in ps incarnation ${inc}, which was restored to ${from}`);
  }

  finalCheck(): void {
    if (this.stats.steps === 0) this.violations.push("no training step ever succeeded");
  }
}

export const trainingWorkload: Workload = {
  name: "training",
  description: "async between-graph training with checkpoints, ps crashes and restores, worker crashes and delays",
  async run(seed: number): Promise<WorkloadResult> {
    const dir = join(tmpdir(), `tfcluster-sim-training-${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const random = new SeededRandom(seed ^ 0x7a1e);
    const cluster = await launch({ ps: ["localhost:0"], worker: ["localhost:0", "localhost:0"] }, { transport: "inproc", seed, virtualTime: true, trace: true, jitterMs: 2, stuckWarnMs: 0 });
    try {
      const model = buildModel(random.fork(), cluster);
      const run = new TrainingRun(cluster, model, dir, random.fork());
      const nemesis = runNemesis(cluster, random.fork(), {
        crashable: [{ job: "ps", task: 0 }, { job: "ps", task: 0 }, { job: "worker", task: 1 }],
        endpoints: ["client", "/job:ps/task:0", "/job:worker/task:0", "/job:worker/task:1"],
        kinds: ["crash", "crash", "delay"],
        horizonMs: 2_000,
        faults: 1 + random.int(3),
        onCrash: (t) => run.onCrash(t),
      });
      void nemesis.done.then(() => (run.nemesisDone = true));
      // The ps starts empty: the chief's first step fails FailedPrecondition and it initializes, as after a crash.
      const work = Promise.all([run.work(0, 6), run.work(1, 6), nemesis.done]);
      const deadlock = await deadlockWatch(cluster, work);
      if (deadlock) run.violations.push(deadlock);
      else {
        await work;
        run.finalCheck();
      }
      return { violations: run.violations, stats: { ...run.stats, ...nemesis.counts }, trace: [...cluster.trace], virtualMs: cluster.clock.nowMs() };
    } finally {
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
