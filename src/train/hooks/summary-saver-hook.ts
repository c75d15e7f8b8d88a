/**
 * SummarySaverHook (basic_session_run_hooks.py; tf-training.md §5.7): fetches the summary op
 * every `saveSteps` steps or `saveSecs` seconds (SecondOrStepTimer) and writes each result at the
 * global step, with SessionLog START on the first run; the writer is the given one or the shared
 * FileWriter of `outputDir`. Loading this module also hands the hooks of tf.train the
 * FileWriterCache and MonitoredTrainingSession this hook as its default summary hook.
 * @example const hook = new tf.train.SummarySaverHook({saveSteps: 100, outputDir: "/train", summaryOp: tf.summary.mergeAll()!});
 */
import type { Session } from "../../client/session.js";
import { getDefaultGraph } from "../../graph/graph.js";
import { mergeAll } from "../../graph/ops/summary.js";
import { Tensor } from "../../graph/tensor.js";
import { FileWriterCache } from "../../io/summary-file-writer-cache.js";
import type { FileWriter } from "../../io/summary-file-writer.js";
import type { NDArray } from "../../tensor/ndarray.js";
import type { Clock } from "../../util/env.js";
import type { Scaffold } from "../scaffold.js";
import { SUMMARY_OP } from "../scaffold.js";
import { readStep, requireGlobalStepRead, stepOf } from "./hook-utils.js";
import { SecondOrStepTimer } from "./second-or-step-timer.js";
import { SessionRunArgs, SessionRunHook } from "./session-run-hook.js";
import type { ClockUser, SessionRunContext, SessionRunValues } from "./session-run-hook.js";
import { registerSummarySaverHookFactory, registerSummaryWriterFactory } from "./summary-writer.js";

/** What the hook writes with: a FileWriter, or anything with its addSummary / addSessionLog. */
export type SummaryWriterForHook = Pick<FileWriter, "addSummary" | "addSessionLog" | "flush">;

export interface SummarySaverHookOptions {
  saveSteps?: number | null;
  saveSecs?: number | null;
  /** The event files' directory (its shared FileWriter), unless `summaryWriter` is given. */
  outputDir?: string;
  summaryWriter?: SummaryWriterForHook;
  /** Exactly one of scaffold (its summaryOp) and summaryOp. */
  scaffold?: Scaffold;
  summaryOp?: Tensor | Tensor[];
  clock?: Clock;
}

type Requests = {
  global_step: Tensor;
  summary?: Tensor[];
};

export class SummarySaverHook extends SessionRunHook implements ClockUser {
  private readonly timer: SecondOrStepTimer;
  private readonly ownClock: boolean;
  private writer: SummaryWriterForHook | null = null;
  private stepTensor: Tensor | null = null;
  private nextStep: number | null = null;
  private requestSummary = false;

  constructor(private readonly options: SummarySaverHookOptions = {}) {
    super();
    if ((options.scaffold === undefined) === (options.summaryOp === undefined)) {
      throw new RangeError("Exactly one of scaffold or summary_op must be provided.");
    }
    this.timer = new SecondOrStepTimer({ everySecs: options.saveSecs ?? null, everySteps: options.saveSteps ?? null, ...(options.clock ? { clock: options.clock } : {}) });
    this.ownClock = options.clock !== undefined;
  }

  useClock(clock: Clock): void {
    if (!this.ownClock) this.timer.clock = clock;
  }

  override begin(): void {
    this.writer = this.options.summaryWriter ?? (this.options.outputDir ? FileWriterCache.get(this.options.outputDir) : null);
    this.nextStep = null;
    this.stepTensor = requireGlobalStepRead("SummarySaverHook");
    this.defaultScaffoldSummaryOp();
  }

  /**
   * TF's Scaffold takes `summary_op` from its collection or else makes it with merge_all; while
   * the graph is still open this adds that op to the collection the Scaffold reads.
   */
  private defaultScaffoldSummaryOp(): void {
    const scaffold = this.options.scaffold;
    const graph = getDefaultGraph();
    if (!scaffold || scaffold.summaryOp || graph.isFinalized || graph.getCollection(SUMMARY_OP).length > 0) return;
    const merged = mergeAll({ graph });
    if (merged) graph.addToCollection(SUMMARY_OP, merged);
  }

  private summaryOps(): Tensor[] | null {
    const op = this.options.summaryOp ?? this.options.scaffold?.summaryOp ?? null;
    if (op === null) return null;
    return op instanceof Tensor ? [op] : [...op];
  }

  override beforeRun(): SessionRunArgs {
    this.requestSummary = this.nextStep === null || this.timer.shouldTriggerForStep(this.nextStep);
    const requests: Requests = { global_step: this.stepTensor! };
    const ops = this.summaryOps();
    if (this.requestSummary && ops) requests.summary = ops;
    return new SessionRunArgs(requests);
  }

  override async afterRun(runContext: SessionRunContext, runValues: SessionRunValues): Promise<void> {
    const writer = this.writer;
    if (!writer) return;
    const results = runValues.results as { global_step: NDArray; summary?: NDArray[] };
    let globalStep = stepOf(results.global_step) + 1;
    // The fetched step is the one before the train op ran: read it again when it matters.
    if (this.nextStep === null || this.requestSummary) globalStep = await readStep(runContext.session, this.stepTensor!);
    if (this.nextStep === null) writer.addSessionLog({ status: "START" }, globalStep);
    if (this.requestSummary) {
      this.timer.updateLastTriggeredStep(globalStep);
      for (const s of results.summary ?? []) writer.addSummary(s, globalStep);
    }
    this.nextStep = globalStep + 1;
  }

  override async end(_session: Session): Promise<void> {
    if (this.writer) await this.writer.flush();
  }
}

registerSummaryWriterFactory((logdir) => FileWriterCache.get(logdir));
registerSummarySaverHookFactory(
  (args) => new SummarySaverHook({ scaffold: args.scaffold as Scaffold, outputDir: args.outputDir, saveSteps: args.saveSteps, saveSecs: args.saveSecs }),
);
