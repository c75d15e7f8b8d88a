/**
 * The "readers" workload: a sharded input pipeline — each worker task reads its own shard of CSV
 * files (TextLineReader + decodeCsv) and of TFRecord files (TFRecordReader) through a filename
 * queue on that task — while the nemesis crashes and restarts workers and delays messages. File
 * I/O goes through the simulation's gate, so reads complete in the scheduler's order.
 * Invariants (TF's reader rules: a reader hands out each record of its work once per epoch):
 * - no record is read twice in an epoch by one reader (one reader = one task incarnation);
 * - every record read belongs to that reader's shard, and its CSV fields match its key;
 * - a reader that reached the end of its epoch with no ambiguous failure read the whole shard;
 * - no read waits past its deadline, and the run does not deadlock.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Session } from "../client/session.js";
import { DeadlineExceededError, OpError, OutOfRangeError } from "../errors/index.js";
import { encodeRecord } from "../engine/io/tfrecord-format.js";
import { Graph } from "../graph/graph.js";
import type { Operation } from "../graph/graph.js";
import { placeholder } from "../graph/ops/creation.js";
import { FIFOQueue } from "../graph/ops/data-flow.js";
import { decodeCsv, TextLineReader, TFRecordReader } from "../graph/ops/io.js";
import { device } from "../graph/scopes.js";
import type { Tensor } from "../graph/tensor.js";
import type { NDArray } from "../tensor/ndarray.js";
import { SeededRandom } from "../util/env.js";
import type { Random } from "../util/env.js";
import { launch } from "./launch.js";
import type { SimCluster } from "./launch.js";
import { deadlockWatch, runNemesis } from "./workload.js";
import type { Workload, WorkloadResult } from "./workload.js";

const WORKERS = 2;
const READ_TIMEOUT_MS = 2_000;
const DEADLINE_SLACK_MS = 5_000 + 2_000;
type Kind = "csv" | "tfrecord";

/** The same files for every seed, written once per process: the trace names them as <data>/... */
let dataDir: string | null = null;
function shardFiles(): Record<Kind, string[][]> {
  const dir = (dataDir ??= join(tmpdir(), `tfcluster-sim-readers-${process.pid}`));
  const files: Record<Kind, string[][]> = { csv: [], tfrecord: [] };
  mkdirSync(dir, { recursive: true });
  for (let w = 0; w < WORKERS; w++) {
    files.csv.push([0, 1].map((f) => join(dir, `w${w}-${f}.csv`)));
    files.tfrecord.push([join(dir, `w${w}.tfrecord`)]);
    files.csv[w]!.forEach((path, f) => writeFileSync(path, Array.from({ length: 4 }, (_, i) => `${w},${f},${i}\n`).join("")));
    const records = Array.from({ length: 3 }, (_, i) => encodeRecord(new TextEncoder().encode(`w${w} record ${i}`)));
    writeFileSync(files.tfrecord[w]![0]!, Buffer.concat(records));
  }
  if (dataDir && !cleanupArmed) {
    cleanupArmed = true;
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  return files;
}
let cleanupArmed = false;

interface Pipeline {
  worker: number;
  kind: Kind;
  files: string[];
  names: Tensor;
  init: Operation;
  close: Operation;
  key: Tensor;
  fields: Tensor[];
}

function buildGraph(files: Record<Kind, string[][]>): { graph: Graph; pipelines: Pipeline[] } {
  const graph = new Graph();
  const pipelines = graph.asDefault(() => {
    const out: Pipeline[] = [];
    for (let w = 0; w < WORKERS; w++) {
      for (const kind of ["csv", "tfrecord"] as const) {
        out.push(
          device(`/job:worker/task:${w}`, () => {
            const q = new FIFOQueue({ capacity: 8, dtypes: ["string"], shapes: [[]], sharedName: `files_${kind}_${w}` });
            const names = placeholder("string", [null], { name: `names_${kind}_${w}` });
            const reader = kind === "csv" ? new TextLineReader({ sharedName: `reader_${kind}_${w}` }) : new TFRecordReader({ sharedName: `reader_${kind}_${w}` });
            const [key, value] = reader.read(q);
            const fields = kind === "csv" ? decodeCsv(value, [[0], [0], [0]]) : [value];
            return { worker: w, kind, files: files[kind][w]!, names, init: q.enqueueMany([names]), close: q.close(), key, fields };
          }),
        );
      }
    }
    return out;
  });
  return { graph, pipelines };
}

/** One reader incarnation's pass over its shard. */
interface Epoch {
  inc: number;
  keys: Set<string>;
  ambiguous: boolean;
  ended: boolean;
}

class ReaderRun {
  readonly violations: string[] = [];
  readonly stats: Record<string, number> = { records: 0, epochs: 0, completeEpochs: 0, failedOps: 0 };
  private readonly incarnation = new Map<number, number>();
  nemesisDone = false;

  constructor(
    private readonly cluster: SimCluster,
    private readonly graph: Graph,
    private readonly random: Random,
  ) {}

  onCrash(task: string): void {
    const w = Number(/task:(\d+)/.exec(task)?.[1]);
    this.incarnation.set(w, (this.incarnation.get(w) ?? 0) + 1);
  }

  private async timed<T>(what: string, timeoutMs: number, run: () => Promise<T>): Promise<T> {
    const start = this.cluster.clock.nowMs();
    try {
      return await run();
    } finally {
      const took = this.cluster.clock.nowMs() - start;
      if (took > timeoutMs + DEADLINE_SLACK_MS) this.violations.push(`${what} took ${took} ms (virtual), past its ${timeoutMs} ms deadline + slack`);
    }
  }

  private backoff(): Promise<void> {
    return new Promise((resolve) => this.cluster.clock.setTimer(20 + this.random.int(200), resolve));
  }

  /** Reads one pipeline's shard, epoch after epoch (one per incarnation of its task), until the faults are over. */
  async consume(p: Pipeline): Promise<void> {
    const label = `${p.kind} reader of /job:worker/task:${p.worker}`;
    let sess = new Session(this.cluster.target("worker", p.worker), { graph: this.graph, config: { operationTimeoutInMs: 5_000 } });
    let epoch = null as Epoch | null;
    let filled = -1;
    // A fill that timed out may have landed, or not: a second fill would then hand out its files twice.
    let fillUnsure = false;
    const expected = this.expectedKeys(p);
    for (;;) {
      const inc = this.incarnation.get(p.worker) ?? 0;
      if (epoch?.ended && epoch.inc === inc && this.nemesisDone) return;
      try {
        if (epoch?.inc !== inc) {
          // A new incarnation: its filename queue is empty. Fill it once (then close it), as an input producer does.
          if (filled !== inc) {
            fillUnsure = false;
            try {
              await this.timed(`fill ${label}`, READ_TIMEOUT_MS, () => sess.run(p.init, { feedDict: [[p.names, p.files]], options: { timeoutInMs: READ_TIMEOUT_MS } }));
            } catch (err) {
              if (!(err instanceof DeadlineExceededError)) throw err;
              fillUnsure = true;
            }
            filled = inc;
          }
          await this.timed(`close ${label}`, READ_TIMEOUT_MS, () => sess.run(p.close, { options: { timeoutInMs: READ_TIMEOUT_MS } }));
          epoch = { inc, keys: new Set(), ambiguous: fillUnsure, ended: false };
          this.stats.epochs!++;
        }
        if (epoch.ended) {
          await this.backoff();
          continue;
        }
        const [key, ...fields] = (await this.timed(`read ${label}`, READ_TIMEOUT_MS, () => sess.run([p.key, ...p.fields], { options: { timeoutInMs: READ_TIMEOUT_MS } }))) as NDArray[];
        this.record(p, label, epoch, String(key!.item()), fields, expected);
      } catch (err) {
        if (!(err instanceof OpError)) throw err;
        if (err instanceof OutOfRangeError && epoch && epoch.inc === inc) {
          epoch.ended = true;
          this.finishEpoch(label, epoch, expected);
          continue;
        }
        this.stats.failedOps!++;
        if (epoch && err instanceof DeadlineExceededError) epoch.ambiguous = true;
        sess = new Session(this.cluster.target("worker", p.worker), { graph: this.graph, config: { operationTimeoutInMs: 5_000 } });
        await this.backoff();
      }
    }
  }

  private expectedKeys(p: Pipeline): Set<string> {
    if (p.kind === "csv") return new Set(p.files.flatMap((f) => [1, 2, 3, 4].map((line) => `${f}:${line}`)));
    let offset = 0;
    const keys = new Set<string>();
    for (let i = 0; i < 3; i++) {
      keys.add(`${p.files[0]}:${offset}`);
      offset += 16 + new TextEncoder().encode(`w${p.worker} record ${i}`).length;
    }
    return keys;
  }

  private record(p: Pipeline, label: string, epoch: Epoch, key: string, fields: NDArray[], expected: Set<string>): void {
    this.stats.records!++;
    if (epoch.keys.has(key) && !epoch.ambiguous) this.violations.push(`${label} read ${key} twice in one epoch (incarnation ${epoch.inc})`);
    epoch.keys.add(key);
    if (!expected.has(key)) this.violations.push(`${label} read ${key}, which is not in its shard`);
    if (p.kind === "csv") {
      const [w, f, i] = fields.map((t) => Number(t.item()));
      const m = /w(\d+)-(\d+)\.csv:(\d+)$/.exec(key);
      if (!m || Number(m[1]) !== w || Number(m[2]) !== f || Number(m[3]) !== i! + 1) this.violations.push(`${label}: record ${key} decoded as ${w},${f},${i}`);
    }
  }

  private finishEpoch(label: string, epoch: { keys: Set<string>; ambiguous: boolean; inc: number }, expected: Set<string>): void {
    if (epoch.ambiguous) return;
    this.stats.completeEpochs!++;
    const missing = [...expected].filter((k) => !epoch.keys.has(k));
    if (missing.length > 0) this.violations.push(`${label} ended its epoch (incarnation ${epoch.inc}) without ${missing.join(", ")}`);
  }
}

export const readersWorkload: Workload = {
  name: "readers",
  description: "sharded CSV/TFRecord reader pipelines on each worker, with worker crashes, restarts and delays",
  async run(seed: number): Promise<WorkloadResult> {
    const files = shardFiles();
    const random = new SeededRandom(seed ^ 0x7eade7);
    const cluster = await launch({ ps: ["localhost:0"], worker: Array.from({ length: WORKERS }, () => "localhost:0") }, { transport: "inproc", seed, virtualTime: true, trace: true, jitterMs: 2, stuckWarnMs: 0 });
    try {
      const { graph, pipelines } = buildGraph(files);
      const run = new ReaderRun(cluster, graph, random.fork());
      const nemesis = runNemesis(cluster, random.fork(), {
        crashable: Array.from({ length: WORKERS }, (_, task) => ({ job: "worker", task })),
        endpoints: ["client", ...Array.from({ length: WORKERS }, (_, t) => `/job:worker/task:${t}`)],
        kinds: ["crash", "crash", "delay"],
        horizonMs: 3_000,
        faults: 1 + random.int(3),
        onCrash: (t) => run.onCrash(t),
      });
      void nemesis.done.then(() => (run.nemesisDone = true));
      const work = Promise.all([...pipelines.map((p) => run.consume(p)), nemesis.done]);
      const deadlock = await deadlockWatch(cluster, work);
      if (deadlock) run.violations.push(deadlock);
      else await work;
      const trace = cluster.trace.map((line) => line.split(dataDir!).join("<data>"));
      return { violations: run.violations, stats: { ...run.stats, ...nemesis.counts }, trace, virtualMs: cluster.clock.nowMs() };
    } finally {
      await cluster.stop();
    }
  },
};
