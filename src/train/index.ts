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
export { getOrCreateGlobalStep, getGlobalStep, createGlobalStep, globalStep, globalStepReadTensor } from "./global-step.js";
export { Saver } from "./saver.js";
export type { SaverOptions, SaveOptions, VarList } from "./saver.js";
export { getCheckpointState, latestCheckpoint, updateCheckpointState, checkpointExists } from "./checkpoint-state.js";
export type { CheckpointState, UpdateCheckpointStateOptions } from "./checkpoint-state.js";
export { SessionRunHook, SessionRunArgs, SessionRunContext, SessionRunValues, isClockUser } from "./hooks/session-run-hook.js";
export type { ClockUser } from "./hooks/session-run-hook.js";
export { SecondOrStepTimer } from "./hooks/second-or-step-timer.js";
export type { SecondOrStepTimerOptions } from "./hooks/second-or-step-timer.js";
export { StopAtStepHook } from "./hooks/stop-at-step-hook.js";
export type { StopAtStepHookOptions } from "./hooks/stop-at-step-hook.js";
export { CheckpointSaverHook, CheckpointSaverListener } from "./hooks/checkpoint-saver-hook.js";
export type { CheckpointSaverHookOptions } from "./hooks/checkpoint-saver-hook.js";
export { StepCounterHook } from "./hooks/step-counter-hook.js";
export type { StepCounterHookOptions } from "./hooks/step-counter-hook.js";
export { LoggingTensorHook } from "./hooks/logging-tensor-hook.js";
export type { LoggingTensorHookOptions, LoggedTensors } from "./hooks/logging-tensor-hook.js";
export { NanTensorHook, NanLossDuringTrainingError } from "./hooks/nan-tensor-hook.js";
export { GlobalStepWaiterHook } from "./hooks/global-step-waiter-hook.js";
export type { GlobalStepWaiterHookOptions } from "./hooks/global-step-waiter-hook.js";
export { FinalOpsHook } from "./hooks/final-ops-hook.js";
export { FeedFnHook } from "./hooks/feed-fn-hook.js";
export { registerSummaryWriterFactory, registerSummarySaverHookFactory, summaryWriterFor } from "./hooks/summary-writer.js";
export type { SummaryWriterLike, SummaryValueLike, SessionLogLike, SummarySaverHookArgs } from "./hooks/summary-writer.js";
export { Scaffold } from "./scaffold.js";
export type { ScaffoldOptions, InitFn } from "./scaffold.js";
export { SessionManager } from "./session-manager.js";
export type { SessionManagerOptions, PrepareSessionOptions, RestoreOptions } from "./session-manager.js";
export { ChiefSessionCreator, WorkerSessionCreator } from "./session-creators.js";
export type { SessionCreator, SessionCreatorOptions, ChiefSessionCreatorOptions, WorkerSessionCreatorOptions } from "./session-creators.js";
export { MonitoredSession, isPreemptionError } from "./monitored-session.js";
export type { MonitoredSessionOptions } from "./monitored-session.js";
export { SingularMonitoredSession } from "./singular-monitored-session.js";
export type { SingularMonitoredSessionOptions } from "./singular-monitored-session.js";
export { MonitoredTrainingSession } from "./monitored-training-session.js";
export type { MonitoredTrainingSessionOptions } from "./monitored-training-session.js";
export { SyncReplicasOptimizer } from "./sync-replicas-optimizer.js";
export type { SyncReplicasOptions, SyncApplyOptions } from "./sync-replicas-optimizer.js";
export type { SyncReplicasOptimizerHook } from "./hooks/sync-replicas-hook.js";
export { exponentialDecay } from "./learning-rate-decay.js";
export type { ExponentialDecayOptions } from "./learning-rate-decay.js";
