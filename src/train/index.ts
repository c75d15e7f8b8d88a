export { ClusterSpec } from "./cluster-spec.js";
export type { ClusterSpecLike, ClusterDict } from "./cluster-spec.js";
export { parseTfConfig } from "./tf-config.js";
export type { TfConfig } from "./tf-config.js";
export { replicaDeviceSetter, RoundRobinStrategy, STANDARD_PS_OPS } from "./device-setter.js";
export type { ReplicaDeviceSetterOptions, PsStrategy } from "./device-setter.js";
export { GreedyLoadBalancingStrategy, byteSizeLoadFn, RandomStrategy } from "./ps-strategies.js";
export type { LoadFn } from "./ps-strategies.js";
export { Server } from "./server.js";
export type { ServerOptions, ServerDef } from "./server.js";
export { Coordinator, ThreadsStillRunningError } from "./coordinator.js";
export type { CoordinatorOptions, JoinOptions, ErrorClass } from "./coordinator.js";
export { LoopThread } from "./loop-thread.js";
export type { ThreadTarget, LoopThreadOptions } from "./loop-thread.js";
export {
  QueueRunner,
  addQueueRunner,
  startQueueRunners,
  unstartedQueueRunners,
  warnIfBlockedOnUnstartedQueueRunners,
} from "./queue-runner.js";
export type { QueueRunnerOptions, CreateThreadsOptions, StartQueueRunnersOptions } from "./queue-runner.js";
export { limitEpochs, inputProducer, stringInputProducer, rangeInputProducer, sliceInputProducer } from "./input.js";
export type { ProducerOptions, InputProducerOptions } from "./input.js";
export { batch, batchJoin, shuffleBatch, shuffleBatchJoin } from "./input-batch.js";
export type { BatchOptions, BatchJoinOptions, ShuffleBatchOptions, ShuffleBatchJoinOptions } from "./input-batch.js";
export { Optimizer, GradientDescentOptimizer, MomentumOptimizer, AdamOptimizer, AdagradOptimizer, RMSPropOptimizer } from "./optimizers/index.js";
export type { GradAndVar, MinimizeOptions, OptimizerOptions, MomentumOptions, AdamOptions, AdagradOptions, RMSPropOptions } from "./optimizers/index.js";
export { getOrCreateGlobalStep, getGlobalStep, createGlobalStep } from "./global-step.js";
export { Saver } from "./saver.js";
export type { SaverOptions, SaveOptions } from "./saver.js";
export { SessionRunHook, SessionRunArgs, SessionRunContext, SessionRunValues } from "./hooks/session-run-hook.js";
export { SyncReplicasOptimizer } from "./sync-replicas-optimizer.js";
export type { SyncReplicasOptions, SyncApplyOptions } from "./sync-replicas-optimizer.js";
export type { SyncReplicasOptimizerHook } from "./hooks/sync-replicas-hook.js";
export { exponentialDecay } from "./learning-rate-decay.js";
export type { ExponentialDecayOptions } from "./learning-rate-decay.js";
