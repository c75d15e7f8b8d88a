/**
 * tf.train.SyncReplicasOptimizer (tf-training.md §1): synchronous data-parallel training.
 *
 * - Each replica's step pushes its gradients, stamped with its local step, into one
 *   ConditionalAccumulator per variable (on that variable's ps task, shared as "<var>:0/grad_accum"),
 *   then blocks on the token queue "sync_token_q" (next to the global step) and sets its local
 *   step to the token it got.
 * - The chief's sync loop (the chief queue runner, started by the hook) takes the mean of
 *   `replicasToAggregate` gradients from every accumulator, applies it with the wrapped optimizer
 *   (which increments the global step), and enqueues `max(totalNumReplicas, replicasToAggregate)`
 *   tokens holding the new global step.
 * - A gradient computed at a local step below an accumulator's step is dropped, so late
 *   gradients of backup workers (totalNumReplicas > replicasToAggregate) never count.
 *
 * @example
 * const opt = new tf.train.SyncReplicasOptimizer(new tf.train.GradientDescentOptimizer(0.1), {replicasToAggregate: 2});
 * const train = opt.minimize(loss, {globalStep});
 * const hook = opt.makeSessionRunHook(isChief);
 */
import type { Graph, Operation } from "../graph/graph.js";
import { GraphKeys } from "../graph/graph.js";
import { ConditionalAccumulator } from "../graph/ops/accumulator.js";
import { group, noOp } from "../graph/ops/control.js";
import { fill } from "../graph/ops/creation.js";
import { FIFOQueue } from "../graph/ops/data-flow.js";
import type { Tensor } from "../graph/tensor.js";
import { globalVariables, reportUninitializedVariables, Variable } from "../graph/variables.js";
import { makeOp } from "../graph/convert.js";
import { log, tracer } from "../util/logger.js";
import { SyncReplicasOptimizerHook } from "./hooks/sync-replicas-hook.js";
import type { GradAndVar, MinimizeOptions, Optimizer } from "./optimizers/optimizer.js";
import type { ComputeGradientsOptions } from "./optimizers/optimizer.js";
import { QueueRunner } from "./queue-runner.js";

export interface SyncReplicasOptions {
  /** Gradients averaged into each update. */
  replicasToAggregate: number;
  /** Workers taking part; default replicasToAggregate. More than that makes the extra ones backups. */
  totalNumReplicas?: number;
  useLocking?: boolean;
  /** Name scope of the accumulator ops; default "sync_replicas". */
  name?: string;
}

export interface SyncApplyOptions {
  /** Required: the staleness of every gradient is judged against it. */
  globalStep?: Variable;
  name?: string;
}

/** What applyGradients built, kept for the hook and the init-tokens op. */
interface Built {
  graph: Graph;
  globalStep: Variable;
  localStep: Variable;
  tokenQueue: FIFOQueue;
  chiefQueueRunner: QueueRunner;
  localStepInitOp: Operation;
  chiefInitOp: Operation;
  readyForLocalInitOp: Tensor;
}

const trace = tracer("train");
let deprecationLogged = false;

/** TF's state_ops.assign as an op (AssignVariableOp "Assign"), next to the variable. */
function assignOp(v: Variable, value: Tensor): Operation {
  return makeOp("AssignVariableOp", [v.handle, value], { dtype: { type: v.dtype } }, [], { name: "Assign", colocateWith: v.op });
}

function checkCount(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`${what} must be a positive integer, got ${n}`);
  return n;
}

export class SyncReplicasOptimizer {
  readonly replicasToAggregate: number;
  readonly totalNumReplicas: number;
  /** Tokens the chief enqueues after each update: max(totalNumReplicas, replicasToAggregate). */
  readonly tokensPerStep: number;
  readonly name: string;
  private built: Built | null = null;

  constructor(
    readonly optimizer: Optimizer,
    options: SyncReplicasOptions,
  ) {
    this.replicasToAggregate = checkCount(options.replicasToAggregate, "replicasToAggregate");
    this.totalNumReplicas = checkCount(options.totalNumReplicas ?? options.replicasToAggregate, "totalNumReplicas");
    this.tokensPerStep = Math.max(this.totalNumReplicas, this.replicasToAggregate);
    this.name = options.name ?? "sync_replicas";
    if (!deprecationLogged) {
      deprecationLogged = true;
      log.warn("SyncReplicasOptimizer is deprecated (TF 1.x): consider tf.distribute strategies.");
    }
    trace(`SyncReplicasV2: replicas_to_aggregate=${this.replicasToAggregate}; total_num_replicas=${this.totalNumReplicas}`);
  }

  /** The wrapped optimizer's gradients. */
  computeGradients(loss: Tensor, options: ComputeGradientsOptions = {}): GradAndVar[] {
    return this.optimizer.computeGradients(loss, options);
  }

  /** computeGradients then applyGradients; returns the replica's train op. */
  minimize(loss: Tensor, options: MinimizeOptions = {}): Operation {
    const gradsAndVars = this.computeGradients(loss, options.varList ? { varList: options.varList } : {});
    return this.applyGradients(gradsAndVars, { ...(options.globalStep ? { globalStep: options.globalStep } : {}), ...(options.name ? { name: options.name } : {}) });
  }

  /**
   * Builds the accumulators, the token queue and the chief's sync op (see the file comment) and
   * returns the replica's train op: push every gradient, wait for a token, take it as local step.
   */
  applyGradients(gradsAndVars: GradAndVar[], options: SyncApplyOptions = {}): Operation {
    if (gradsAndVars.length === 0) throw new RangeError("Must supply at least one variable");
    const globalStep = options.globalStep;
    if (!globalStep) throw new RangeError("Global step is required to check staleness");
    const graph = globalStep.graph;
    return graph.asDefault(() => {
      const localStep = this.makeLocalStep(graph, globalStep);
      const localStepInitOp = assignOp(localStep, globalStep.readValue());
      const readyForLocalInitOp = reportUninitializedVariables(globalVariables());
      const pushes: Operation[] = [];
      const accumulators: ConditionalAccumulator[] = [];
      const aggregated = graph.withNameScope(this.name, () =>
        gradsAndVars.map(([grad, v]): GradAndVar => {
          if (grad === null) return [null, v];
          return graph.withDevice(v.device, () => {
            const acc = new ConditionalAccumulator({ dtype: grad.dtype, shape: v.shape, sharedName: `${v.name}/grad_accum` });
            accumulators.push(acc);
            pushes.push(acc.applyGrad(grad, { localStep: localStep.readValue() }));
            return [acc.takeGrad(this.replicasToAggregate), v];
          });
        }),
      );
      const onStepDevice = <T>(fn: () => T): T => graph.withDevice(globalStep.device, () => graph.withNameScope(null, fn));
      const updateOp = onStepDevice(() => this.optimizer.applyGradients(aggregated, { globalStep }));
      const { tokenQueue, dummyQueue } = onStepDevice(() => ({
        tokenQueue: new FIFOQueue({ capacity: -1, dtypes: globalStep.dtype, shapes: [], name: "sync_token_q", sharedName: "sync_token_q" }),
        // The queue runner's close and cancel ops close this one, never the real token queue.
        dummyQueue: new FIFOQueue({ capacity: 1, dtypes: "int32", shapes: [], name: "dummy_queue", sharedName: "dummy_queue" }),
      }));
      const { trainOp, syncOp } = onStepDevice(() => {
        const token = graph.withControlDependencies(pushes, () => tokenQueue.dequeue()[0]!);
        const trainOp = assignOp(localStep, token);
        // A fresh read after the update: the tokens carry the new global step.
        const syncOp = graph.withControlDependencies([updateOp], () => tokenQueue.enqueueMany(fill([this.tokensPerStep], globalStep.readValue())));
        return { trainOp, syncOp };
      });
      const setSteps = accumulators.map((acc) => graph.withDevice(acc.accumulatorRef.op.device, () => acc.setGlobalStep(globalStep.readValue(), { name: "SetGlobalStep" })));
      this.built = {
        graph,
        globalStep,
        localStep,
        tokenQueue,
        chiefQueueRunner: new QueueRunner(dummyQueue, [syncOp]),
        localStepInitOp,
        chiefInitOp: group(localStepInitOp, ...setSteps),
        readyForLocalInitOp,
      };
      return trainOp;
    });
  }

  /** "sync_rep_local_step": a local variable next to the caller's device (the worker), never on the ps. */
  private makeLocalStep(graph: Graph, globalStep: Variable): Variable {
    const anchor = noOp();
    return graph.withDevice(null, () =>
      graph.withDevice(anchor.device || null, () =>
        new Variable(0, { name: "sync_rep_local_step", trainable: false, collections: [GraphKeys.LOCAL_VARIABLES], dtype: globalStep.dtype }),
      ),
    );
  }

  private requireBuilt(message: string): Built {
    if (!this.built) throw new Error(message);
    return this.built;
  }

  /** Whether applyGradients has run. */
  get gradientsApplied(): boolean {
    return this.built !== null;
  }

  /** The replica's local step variable. */
  get localStep(): Variable {
    return this.requireBuilt("Should be called after apply_gradients().").localStep;
  }

  /** local_step = global_step: what every worker runs once its session is ready. */
  get localStepInitOp(): Operation {
    return this.requireBuilt("Should be called after apply_gradients().").localStepInitOp;
  }

  /** The chief's local init: its local step, and every accumulator's step set to the global step. */
  get chiefInitOp(): Operation {
    return this.requireBuilt("Should be called after apply_gradients().").chiefInitOp;
  }

  /** The names of the uninitialised global variables; empty once the chief has initialised them. */
  get readyForLocalInitOp(): Tensor {
    return this.requireBuilt("Should be called after apply_gradients().").readyForLocalInitOp;
  }

  /** The chief's sync loop: a QueueRunner running the sync op (not in QUEUE_RUNNERS; the hook starts it). */
  getChiefQueueRunner(): QueueRunner {
    return this.requireBuilt("Should be called after apply_gradients().").chiefQueueRunner;
  }

  /**
   * The op that puts `numTokens` tokens (the global step) in the token queue so the first round
   * can start; -1 means replicasToAggregate; 0 gives a no-op.
   */
  getInitTokensOp(numTokens = -1): Operation {
    const built = this.requireBuilt("get_init_tokens_op() should be called after apply_gradients().");
    const needed = this.replicasToAggregate - this.totalNumReplicas;
    let n = numTokens;
    if (n === -1) n = this.replicasToAggregate;
    else if (n < needed) throw new RangeError(`Too few tokens to finish the first step: ${n} (given) vs ${needed} (needed)`);
    const { graph, globalStep, tokenQueue } = built;
    return graph.asDefault(() =>
      graph.withDevice(globalStep.device, () =>
        n > 0 ? tokenQueue.enqueueMany(fill([n], globalStep.readValue())) : noOp({ name: "no_init_tokens" }),
      ),
    );
  }

  /** The hook that runs the local init (and, on the chief, the init tokens and the sync loop). */
  makeSessionRunHook(isChief: boolean, numTokens = -1): SyncReplicasOptimizerHook {
    return new SyncReplicasOptimizerHook(this, isChief, numTokens);
  }

  getSlot(v: Variable, name: string): Variable | null {
    return this.optimizer.getSlot(v, name);
  }

  getSlotNames(): string[] {
    return this.optimizer.getSlotNames();
  }

  /** The wrapped optimizer's variables (not the local step). */
  variables(): Variable[] {
    return this.optimizer.variables();
  }
}
