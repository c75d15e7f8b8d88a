/**
 * CheckpointSaverHook: saves a checkpoint when each session is created, then every `saveSecs`
 * seconds or `saveSteps` steps, and at the end. Files are `<checkpointDir>/model.ckpt-<step>.*`.
 * @example const hook = new tf.train.CheckpointSaverHook("/train", {saveSteps: 100});
 */
import { join } from "node:path";
import type { Session } from "../../client/session.js";
import { getDefaultGraph } from "../../graph/graph.js";
import type { Graph } from "../../graph/graph.js";
import type { Tensor } from "../../graph/tensor.js";
import type { Clock } from "../../util/env.js";
import { tracer } from "../../util/logger.js";
import { Saver } from "../saver.js";
import type { Scaffold } from "../scaffold.js";
import { readStep, requireGlobalStepRead, stepOf } from "./hook-utils.js";
import { SecondOrStepTimer } from "./second-or-step-timer.js";
import { SessionRunArgs, SessionRunHook } from "./session-run-hook.js";
import type { ClockUser, SessionRunContext, SessionRunValues } from "./session-run-hook.js";
import { summaryWriterFor } from "./summary-writer.js";
import type { SummaryWriterLike } from "./summary-writer.js";

/** INFO-level messages of TF (hidden by default there too): TFCLUSTER_TRACE=train shows them. */
const trace = tracer("train");

/** Called around each save; `afterSave` returning true asks training to stop. */
export class CheckpointSaverListener {
  begin(): void | Promise<void> {}
  beforeSave(_session: Session, _globalStep: number): void | Promise<void> {}
  afterSave(_session: Session, _globalStep: number): boolean | void | Promise<boolean | void> {}
  end(_session: Session, _globalStep: number): void | Promise<void> {}
}

export interface CheckpointSaverHookOptions {
  saveSecs?: number | null;
  saveSteps?: number | null;
  saver?: Saver;
  checkpointBasename?: string;
  scaffold?: Scaffold;
  listeners?: CheckpointSaverListener[];
  clock?: Clock;
}

export class CheckpointSaverHook extends SessionRunHook implements ClockUser {
  readonly checkpointDir: string;
  private readonly savePath: string;
  private readonly timer: SecondOrStepTimer;
  private readonly ownClock: boolean;
  private readonly listeners: CheckpointSaverListener[];
  private stepTensor: Tensor | null = null;
  private writer: SummaryWriterLike | null = null;
  private graph: Graph | null = null;

  constructor(checkpointDir: string, private readonly options: CheckpointSaverHookOptions = {}) {
    super();
    trace("Create CheckpointSaverHook.");
    if (options.saver && options.scaffold) throw new Error("You cannot provide both saver and scaffold.");
    this.checkpointDir = checkpointDir;
    this.savePath = join(checkpointDir, options.checkpointBasename ?? "model.ckpt");
    this.timer = new SecondOrStepTimer({ everySecs: options.saveSecs ?? null, everySteps: options.saveSteps ?? null, ...(options.clock ? { clock: options.clock } : {}) });
    this.ownClock = options.clock !== undefined;
    this.listeners = options.listeners ?? [];
  }

  useClock(clock: Clock): void {
    if (!this.ownClock) this.timer.clock = clock;
  }

  override async begin(): Promise<void> {
    this.graph = getDefaultGraph();
    this.writer = summaryWriterFor(this.checkpointDir);
    this.stepTensor = requireGlobalStepRead("CheckpointSaverHook");
    for (const l of this.listeners) await l.begin();
  }

  override async afterCreateSession(session: Session): Promise<void> {
    // TF saves at every session (re)creation, so a restart never loses what the restore gave.
    const step = await readStep(session, this.stepTensor!);
    await this.save(session, step);
    this.timer.updateLastTriggeredStep(step);
  }

  override beforeRun(): SessionRunArgs {
    return new SessionRunArgs(this.stepTensor);
  }

  override async afterRun(runContext: SessionRunContext, runValues: SessionRunValues): Promise<void> {
    if (!this.timer.shouldTriggerForStep(stepOf(runValues.results) + 1)) return;
    const step = await readStep(runContext.session, this.stepTensor!);
    if (!this.timer.shouldTriggerForStep(step)) return;
    this.timer.updateLastTriggeredStep(step);
    if (await this.save(runContext.session, step)) runContext.requestStop();
  }

  override async end(session: Session): Promise<void> {
    const last = await readStep(session, this.stepTensor!);
    if (last !== this.timer.lastTriggeredStep()) await this.save(session, last);
    for (const l of this.listeners) await l.end(session, last);
    await this.writer?.flush?.();
  }

  /** Saves at `step`; true when a listener asked to stop. */
  private async save(session: Session, step: number): Promise<boolean> {
    trace(`Saving checkpoints for ${step} into ${this.savePath}.`);
    for (const l of this.listeners) await l.beforeSave(session, step);
    await this.saver().save(session, this.savePath, { globalStep: step });
    // As in TF, the session log names the base path, without the step.
    await this.writer?.addSessionLog?.({ status: "CHECKPOINT", checkpointPath: this.savePath }, step);
    let stop = false;
    for (const l of this.listeners) {
      if ((await l.afterSave(session, step)) === true) {
        trace(`A CheckpointSaverListener requested that training be stopped. listener: ${l.constructor.name}`);
        stop = true;
      }
    }
    return stop;
  }

  private saver(): Saver {
    if (this.options.saver) return this.options.saver;
    const fromScaffold = this.options.scaffold?.saver;
    if (fromScaffold) return fromScaffold;
    const savers = (this.graph ?? getDefaultGraph()).getCollection<unknown>("savers").filter((s): s is Saver => s instanceof Saver);
    if (savers.length === 0) throw new Error("No items in collection savers. Please add a saver to the collection or provide a saver or scaffold.");
    if (savers.length > 1) throw new Error("More than one item in collection savers. Please indicate which one to use by passing it to the constructor.");
    return savers[0]!;
  }
}
