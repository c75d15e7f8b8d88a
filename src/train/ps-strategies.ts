/**
 * Placement strategies for replicaDeviceSetter's `psStrategy` (TF's contrib/training
 * device_setter.py, tf-training.md §8.2): GreedyLoadBalancingStrategy puts each ps op on the
 * least-loaded ps task (ties to the lowest index), byteSizeLoadFn weighs a variable by its bytes,
 * and RandomStrategy hashes the op's name. Results depend on the order variables are created.
 */
import { createHash } from "node:crypto";
import type { Operation } from "../graph/graph.js";
import { bytesPerElement } from "../tensor/dtypes.js";
import type { DType } from "../tensor/dtypes.js";
import type { Shape } from "../graph/graph-def.js";
import { isFullyDefined, shapeString } from "../graph/ops/shape-utils.js";

export type LoadFn = (op: Operation) => number;

function checkTasks(numTasks: number, what: string): void {
  if (!Number.isSafeInteger(numTasks) || numTasks <= 0) throw new RangeError(`${what} needs a positive number of tasks, got ${numTasks}`);
}

/**
 * Each op goes to the ps task with the smallest load so far, which then grows by `loadFn(op)`.
 * @example
 * const strategy = new tf.train.GreedyLoadBalancingStrategy(2, tf.train.byteSizeLoadFn);
 * tf.device(tf.train.replicaDeviceSetter({psTasks: 2, psStrategy: strategy}), build);
 */
export class GreedyLoadBalancingStrategy {
  private readonly loads: number[];

  constructor(
    readonly numTasks: number,
    readonly loadFn: LoadFn,
  ) {
    checkTasks(numTasks, "GreedyLoadBalancingStrategy");
    this.loads = new Array<number>(numTasks).fill(0);
  }

  /** The task for `op` (numpy argmin: the first of equal loads). */
  choose(op: Operation): number {
    let task = 0;
    for (let i = 1; i < this.loads.length; i++) if (this.loads[i]! < this.loads[task]!) task = i;
    this.loads[task] = this.loads[task]! + this.loadFn(op);
    return task;
  }

  /** The load of each task so far. */
  get currentLoads(): number[] {
    return [...this.loads];
  }
}

/**
 * The bytes of a single-output op's value: elements × dtype size. A resource variable's handle
 * stands for its value, so its `dtype` and `shape` attrs are used (TF falls back to the `shape`
 * attr the same way when the output's shape is not fully defined).
 * @example tf.train.byteSizeLoadFn(new tf.Variable(tf.zeros([2, 2])).op) // 16
 */
export function byteSizeLoadFn(op: Operation): number {
  if (op.outputs.length !== 1) throw new RangeError(`Op ${op.name} must have a single output`);
  const output = op.outputs[0]!;
  let dtype: DType = output.dtype;
  let shape: Shape = output.shape;
  if (dtype === "resource") {
    const d = op.getAttr("dtype");
    if (d && "type" in d) dtype = d.type;
  }
  if (output.dtype === "resource" || !isFullyDefined(shape)) {
    const s = op.getAttr("shape");
    if (s && "shape" in s) shape = s.shape;
  }
  if (!isFullyDefined(shape)) throw new RangeError(`Shape ${shapeString(shape)} is not fully defined`);
  return shape.reduce((n, d) => n * d, 1) * bytesPerElement(dtype);
}

/**
 * A task from the MD5 of "<op name>_<seed>", so placement does not depend on creation order.
 * @example new tf.train.RandomStrategy(2).choose(op)
 */
export class RandomStrategy {
  constructor(
    readonly numTasks: number,
    readonly seed = 0,
  ) {
    checkTasks(numTasks, "RandomStrategy");
  }

  choose(op: Operation): number {
    const digest = createHash("md5").update(`${op.name}_${this.seed}`, "utf8").digest("hex");
    return Number(BigInt(`0x${digest}`) % BigInt(this.numTasks));
  }
}
