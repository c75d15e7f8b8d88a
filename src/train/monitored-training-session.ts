/**
 * tf.train.MonitoredTrainingSession: a MonitoredSession set up for distributed training. The chief
 * restores from `checkpointDir` (or initializes) and runs, in this order, `chiefOnlyHooks`, a
 * StepCounterHook and a SummarySaverHook (with a summary directory), a CheckpointSaverHook (with a
 * checkpoint directory), then `hooks`; other workers wait for the chief's model and run only
 * `hooks`. Preempted sessions are recreated (reference/tf-training.md 3.1).
 * @example
 * const sess = await tf.train.MonitoredTrainingSession({master: server.target, isChief: taskIndex === 0,
 *   checkpointDir: "/train", hooks: [new tf.train.StopAtStepHook({lastStep: 1000})]});
 * while (!sess.shouldStop()) await sess.run(trainOp);
 * await sess.close();
 */
import type { Graph } from "../graph/graph.js";
import type { ConfigProto } from "../transport/messages.js";
import { InprocNetwork } from "../transport/inproc/inproc-transport.js";
import type { Clock } from "../util/env.js";
import { CheckpointSaverHook } from "./hooks/checkpoint-saver-hook.js";
import type { SessionRunHook } from "./hooks/session-run-hook.js";
import { StepCounterHook } from "./hooks/step-counter-hook.js";
import { SummarySaverHook } from "./hooks/summary-saver-hook.js";
import { summarySaverHookFactory } from "./hooks/summary-writer.js";
import { MonitoredSession } from "./monitored-session.js";
import { Scaffold } from "./scaffold.js";
import { ChiefSessionCreator, WorkerSessionCreator } from "./session-creators.js";

export interface MonitoredTrainingSessionOptions {
  master?: string;
  isChief?: boolean;
  checkpointDir?: string | null;
  scaffold?: Scaffold;
  hooks?: SessionRunHook[];
  chiefOnlyHooks?: SessionRunHook[];
  /** 600 unless saveCheckpointSteps is given; 0 or null: no periodic checkpoints. */
  saveCheckpointSecs?: number | null;
  saveCheckpointSteps?: number | null;
  /** 100 unless saveSummariesSecs is given. */
  saveSummariesSteps?: number | null;
  saveSummariesSecs?: number | null;
  config?: ConfigProto;
  stopGracePeriodSecs?: number;
  /** StepCounterHook's period (100); 0 or less: none. */
  logStepCountSteps?: number;
  /** How long a worker waits for the chief's model (7200 s). */
  maxWaitSecs?: number;
  /** Where the step counter and summaries go (checkpointDir by default). */
  summaryDir?: string | null;
  /** Between a worker's polls for the chief's model, and the chief's for a checkpoint (TF: 30 s). */
  recoveryWaitSecs?: number;
  /** How long one recovery may keep failing to create a session (7200 s). */
  maxRecoverySecs?: number;
  /** Pause between attempts to create a session after a preemption (0.5 s). */
  recoveryRetrySecs?: number;
  /** The clock of every hook timer and wait (a simulator's virtual clock, say). */
  clock?: Clock;
  graph?: Graph;
}

/** TF's USE_DEFAULT resolution: both unset → the default for one; otherwise unset means none. */
function resolvePeriods(steps: number | null | undefined, secs: number | null | undefined, defaults: { steps: number | null; secs: number | null }): { steps: number | null; secs: number | null } {
  if (steps === undefined && secs === undefined) return defaults;
  return { steps: steps ?? null, secs: secs ?? null };
}

function chiefHooks(o: MonitoredTrainingSessionOptions, scaffold: Scaffold): SessionRunHook[] {
  const hooks: SessionRunHook[] = [...(o.chiefOnlyHooks ?? [])];
  const summaryDir = o.summaryDir ?? o.checkpointDir ?? null;
  if (summaryDir) {
    const logSteps = o.logStepCountSteps ?? 100;
    if (logSteps > 0) hooks.push(new StepCounterHook({ outputDir: summaryDir, everyNSteps: logSteps }));
    const summaries = resolvePeriods(o.saveSummariesSteps, o.saveSummariesSecs, { steps: 100, secs: null });
    if ((summaries.steps ?? 0) > 0 || (summaries.secs ?? 0) > 0) {
      const args = { scaffold, outputDir: summaryDir, saveSteps: summaries.steps, saveSecs: summaries.secs };
      const registered = summarySaverHookFactory();
      hooks.push(registered ? registered(args) : new SummarySaverHook(args));
    }
  }
  const checkpoints = resolvePeriods(o.saveCheckpointSteps, o.saveCheckpointSecs, { steps: null, secs: 600 });
  if (o.checkpointDir && ((checkpoints.steps ?? 0) > 0 || (checkpoints.secs ?? 0) > 0)) {
    hooks.push(new CheckpointSaverHook(o.checkpointDir, { saveSteps: checkpoints.steps, saveSecs: checkpoints.secs, scaffold }));
  }
  return [...hooks, ...(o.hooks ?? [])];
}

/**
 * Creates the session (restoring or waiting as the task's role says) and resolves once it exists.
 */
export async function MonitoredTrainingSession(options: MonitoredTrainingSessionOptions = {}): Promise<MonitoredSession> {
  const scaffold = options.scaffold ?? new Scaffold();
  const common = {
    scaffold,
    master: options.master ?? "",
    ...(options.config ? { config: options.config } : {}),
    ...(options.graph ? { graph: options.graph } : {}),
    ...(options.recoveryWaitSecs !== undefined ? { recoveryWaitSecs: options.recoveryWaitSecs } : {}),
  };
  const isChief = options.isChief ?? true;
  const sessionCreator = isChief
    ? new ChiefSessionCreator({ ...common, checkpointDir: options.checkpointDir ?? null })
    : new WorkerSessionCreator({ ...common, maxWaitSecs: options.maxWaitSecs ?? 7200 });
  return MonitoredSession.create({
    sessionCreator,
    hooks: isChief ? chiefHooks(options, scaffold) : [...(options.hooks ?? [])],
    stopGracePeriodSecs: options.stopGracePeriodSecs ?? 120,
    ...(options.maxRecoverySecs !== undefined ? { maxRecoverySecs: options.maxRecoverySecs } : {}),
    ...(options.recoveryRetrySecs !== undefined ? { recoveryRetrySecs: options.recoveryRetrySecs } : {}),
    ...(clockOf(options) ? { clock: clockOf(options)! } : {}),
    ...(options.graph ? { graph: options.graph } : {}),
  });
}

/**
 * The clock of hooks and waits: the caller's, else a simulated cluster's virtual clock when the
 * master is one of its tasks (so hooks run on simulated time with no extra option), else none
 * (MonitoredSession's real clock).
 */
function clockOf(options: MonitoredTrainingSessionOptions): Clock | undefined {
  if (options.clock) return options.clock;
  const master = options.master ?? "";
  if (!master.startsWith("inproc://")) return undefined;
  const clock = InprocNetwork.owner(master.slice("inproc://".length))?.clock;
  return clock?.virtual ? clock : undefined;
}
