/**
 * tf.train.replica_device_setter: variables (and other ps ops) round-robin over the parameter
 * server tasks, every other op on the worker device (tf-queues-cluster.md §1.5).
 */
import { DeviceSpec } from "../graph/device-spec.js";
import type { DeviceFunction, Operation } from "../graph/graph.js";
import { log } from "../util/logger.js";
import { ClusterSpec } from "./cluster-spec.js";
import type { ClusterSpecLike } from "./cluster-spec.js";

/** The op types placed on the ps job by default (TF's STANDARD_PS_OPS). */
export const STANDARD_PS_OPS: readonly string[] = Object.freeze([
  "Variable",
  "VariableV2",
  "AutoReloadVariable",
  "MutableHashTable",
  "MutableHashTableV2",
  "MutableHashTableOfTensors",
  "MutableHashTableOfTensorsV2",
  "MutableDenseHashTable",
  "MutableDenseHashTableV2",
  "VarHandleOp",
]);

/** Picks the ps task of an op; TF's ps_strategy is any callable, here a function or a `choose` method. */
export type PsStrategy = ((op: Operation) => number) | { choose(op: Operation): number };

/**
 * Cycles over tasks 0..numTasks-1 (TF's _RoundRobinStrategy). For a sparse ps job it cycles over
 * the count of tasks, not their real indices, as TF does.
 * @example const s = new RoundRobinStrategy(2); [s.choose(), s.choose(), s.choose()] // [0, 1, 0]
 */
export class RoundRobinStrategy {
  private nextTask = 0;

  constructor(readonly numTasks: number) {
    if (!Number.isSafeInteger(numTasks) || numTasks <= 0) {
      throw new RangeError(`RoundRobinStrategy needs a positive number of tasks, got ${numTasks}`);
    }
  }

  /** The next task index; the op is ignored. */
  choose(_op?: Operation): number {
    const task = this.nextTask;
    this.nextTask = (this.nextTask + 1) % this.numTasks;
    return task;
  }
}

export interface ReplicaDeviceSetterOptions {
  /** Number of ps tasks; ignored when `cluster` is given. Default 0. */
  psTasks?: number;
  /** The cluster; the ps job (the job of `psDevice`) is counted from it. */
  cluster?: ClusterSpecLike | null;
  /** Default "/job:ps". */
  psDevice?: string | DeviceSpec | null;
  /** Default "/job:worker". */
  workerDevice?: string | DeviceSpec | null;
  /** When false, an op that already has a device keeps it unchanged. Default true. */
  mergeDevices?: boolean;
  /** Op types placed on ps; default (also for null) STANDARD_PS_OPS. */
  psOps?: readonly string[] | null;
  /** Default (also for null): round-robin over the ps tasks. */
  psStrategy?: PsStrategy | null;
}

let mergeDevicesWarned = false;

function asDeviceString(d: string | DeviceSpec | null | undefined, dflt: string): string {
  if (d === undefined) return dflt;
  if (d === null) return "";
  return typeof d === "string" ? d : d.toString();
}

function strategyFunction(strategy: unknown): (op: Operation) => number {
  if (typeof strategy === "function") return strategy as (op: Operation) => number;
  if (typeof strategy === "object" && strategy !== null) {
    const choose = (strategy as { choose?: unknown }).choose;
    if (typeof choose === "function") return (op) => (choose as (op: Operation) => number).call(strategy, op);
  }
  throw new TypeError("ps_strategy must be callable");
}

/** The number of tasks of the ps job in `cluster`, or null when the job is absent. */
function countPsTasks(cluster: ClusterSpecLike, psDevice: string): number | null {
  const spec = cluster instanceof ClusterSpec ? cluster : new ClusterSpec(cluster);
  const psJob = DeviceSpec.fromString(psDevice).job;
  if (psJob === null || !spec.jobs.includes(psJob)) return null;
  return spec.numTasks(psJob);
}

/**
 * A device function for `tf.device` that puts variables on the ps tasks round-robin and every
 * other op on the worker device, merging any device the op already has (which wins). Returns
 * `null` when there is no ps job or `psTasks` is 0 — and `tf.device(null, ...)` then clears the
 * enclosing device scopes, as in TF.
 * @example
 * tf.device(tf.train.replicaDeviceSetter({psTasks: 2}), () => {
 *   const v = new tf.Variable(1); // "/job:ps/task:0"
 *   const w = new tf.Variable(2); // "/job:ps/task:1"
 *   tf.add(v, w);                 // "/job:worker"
 * });
 */
export function replicaDeviceSetter(options: ReplicaDeviceSetterOptions = {}): DeviceFunction | null {
  const psDevice = asDeviceString(options.psDevice, "/job:ps");
  const workerDevice = asDeviceString(options.workerDevice, "/job:worker");
  const mergeDevices = options.mergeDevices ?? true;
  let psTasks = options.psTasks ?? 0;
  if (options.cluster !== undefined && options.cluster !== null) {
    const counted = countPsTasks(options.cluster, psDevice);
    if (counted === null) return null;
    psTasks = counted;
  } else if (!Number.isSafeInteger(psTasks) || psTasks < 0) {
    throw new RangeError(`ps_tasks must be a non-negative integer, got ${psTasks}`);
  }
  if (psTasks === 0) return null;

  const psOps = new Set(options.psOps ?? STANDARD_PS_OPS);
  if (!mergeDevices && !mergeDevicesWarned) {
    mergeDevicesWarned = true;
    log.warn("DEPRECATION: It is recommended to set mergeDevices=true in replicaDeviceSetter");
  }
  const strategy = strategyFunction(options.psStrategy ?? new RoundRobinStrategy(psTasks));
  // Parse once so a bad device string fails here rather than at the first op.
  DeviceSpec.fromString(psDevice);
  DeviceSpec.fromString(workerDevice);

  return (op: Operation): string => {
    // Without merging, an op that already has a device keeps it; otherwise merging is a no-op.
    if (!mergeDevices && op.device) return op.device;
    const current = DeviceSpec.fromString(op.device);
    if (psDevice && psOps.has(op.type)) {
      const ps = DeviceSpec.fromString(psDevice);
      // The strategy runs only when the task it picks is kept, so round-robin skips no task.
      if (ps.job && (!current.job || current.job === ps.job)) ps.task = chooseTask(strategy, op);
      return ps.mergeFrom(current).toString();
    }
    return DeviceSpec.fromString(workerDevice).mergeFrom(current).toString();
  };
}

function chooseTask(strategy: (op: Operation) => number, op: Operation): number {
  const task = strategy(op);
  if (!Number.isSafeInteger(task) || task < 0) {
    throw new TypeError(`ps_strategy must return a non-negative integer task index, got ${String(task)}`);
  }
  return task;
}
