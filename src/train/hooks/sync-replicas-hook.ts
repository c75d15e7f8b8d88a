/**
 * The hook of a SyncReplicasOptimizer (TF's _SyncReplicasOptimizerHook, tf-training.md §1.5).
 * `begin` picks the local init op (the chief's also sets the accumulators' steps) and, on the
 * chief, builds the init-tokens op. `afterCreateSession` (after init or restore, and again after
 * every session re-creation) checks the global variables are initialised, runs the local init,
 * and on the chief enqueues the initial tokens and starts the sync loop under the coordinator,
 * whose stop also cancels the loop's blocked step (TF leaves it blocked until the session closes).
 * @example
 * const hook = syncOpt.makeSessionRunHook(isChief);
 * const sess = await tf.train.MonitoredTrainingSession({master, isChief, hooks: [hook]});
 */
import type { Session } from "../../client/session.js";
import type { Operation } from "../../graph/graph.js";
import type { Tensor } from "../../graph/tensor.js";
import { FailedPreconditionError, NotFoundError } from "../../errors/index.js";
import type { Coordinator } from "../coordinator.js";
import type { QueueRunner } from "../queue-runner.js";
import { SessionRunHook } from "./session-run-hook.js";

/** What the hook needs of its optimizer (the SyncReplicasOptimizer). */
export interface SyncReplicasParts {
  readonly gradientsApplied: boolean;
  readonly localStepInitOp: Operation;
  readonly chiefInitOp: Operation;
  readonly readyForLocalInitOp: Tensor;
  getChiefQueueRunner(): QueueRunner;
  getInitTokensOp(numTokens?: number): Operation;
}

interface Plan {
  localInitOp: Operation;
  readyOp: Tensor;
  initTokensOp: Operation | null;
  queueRunner: QueueRunner | null;
}

export class SyncReplicasOptimizerHook extends SessionRunHook {
  private plan: Plan | null = null;

  /** May be made before minimize (Estimator does); begin needs applyGradients to have run. */
  constructor(
    private readonly syncOptimizer: SyncReplicasParts,
    readonly isChief: boolean,
    readonly numTokens: number = -1,
  ) {
    super();
  }

  override begin(): void {
    const opt = this.syncOptimizer;
    if (!opt.gradientsApplied) throw new Error("SyncReplicasOptimizer.apply_gradient should be called before using the hook.");
    this.plan = this.isChief
      ? { localInitOp: opt.chiefInitOp, readyOp: opt.readyForLocalInitOp, initTokensOp: opt.getInitTokensOp(this.numTokens), queueRunner: opt.getChiefQueueRunner() }
      : { localInitOp: opt.localStepInitOp, readyOp: opt.readyForLocalInitOp, initTokensOp: null, queueRunner: null };
  }

  override async afterCreateSession(session: Session, coord: Coordinator): Promise<void> {
    const plan = this.plan;
    if (!plan) throw new Error("SyncReplicasOptimizerHook: begin() must be called before afterCreateSession()");
    const notReady = await this.notReady(session, plan.readyOp, "Model is not ready for SyncReplicasOptimizer local init.");
    if (notReady !== null) {
      throw new Error(`Init operations did not make model ready for SyncReplicasOptimizer local_init. Init op: ${plan.localInitOp.name}, error: ${notReady}`);
    }
    await session.run(plan.localInitOp);
    if (plan.initTokensOp) await session.run(plan.initTokensOp);
    // The sync loop's step waits in takeGrad, which no queue close reaches: TF's chief then sits out
    // the whole stop grace period at close. Its runs carry the coordinator's signal, so a stop ends it.
    const stoppable = { graph: session.graph, run: (op: Operation | Tensor) => session.run(op, { signal: coord.signal }) };
    plan.queueRunner?.createThreads(stoppable, { coord, start: true });
  }

  /** SessionManager._ready: null when `readyOp` reports nothing uninitialised, else why not. */
  private async notReady(session: Session, readyOp: Tensor, message: string): Promise<string | null> {
    try {
      const names = await session.run(readyOp);
      if (names.size === 0) return null;
      return `${message} Variables not initialized: ${(names.toArray() as string[]).join(", ")}`;
    } catch (err) {
      if (err instanceof FailedPreconditionError || err instanceof NotFoundError) return `${message} ${err.message}`;
      throw err;
    }
  }
}
