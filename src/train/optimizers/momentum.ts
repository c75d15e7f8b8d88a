/**
 * Momentum: accum = momentum · accum + grad; var -= learningRate · accum (or Nesterov's form),
 * with one "momentum" slot per variable (variable "<var>/Momentum") (ResourceApplyMomentum).
 * @example const train = new tf.train.MomentumOptimizer(0.1, 0.9).minimize(loss);
 */
import type { TensorLike } from "../../graph/convert.js";
import type { Operation } from "../../graph/graph.js";
import { toTensor } from "../../graph/ops/builder-utils.js";
import { cast } from "../../graph/ops/math.js";
import { resourceApplyMomentum } from "../../graph/ops/training.js";
import type { Tensor } from "../../graph/tensor.js";
import type { Variable } from "../../graph/variables.js";
import { Optimizer } from "./optimizer.js";
import type { OptimizerOptions } from "./optimizer.js";

export interface MomentumOptions extends OptimizerOptions {
  useNesterov?: boolean;
}

export class MomentumOptimizer extends Optimizer {
  readonly useNesterov: boolean;
  private tensors: { lr: Tensor; momentum: Tensor } | null = null;

  constructor(
    readonly learningRate: TensorLike,
    readonly momentum: TensorLike,
    options: MomentumOptions = {},
  ) {
    super({ ...options, name: options.name ?? "Momentum" });
    this.useNesterov = options.useNesterov ?? false;
  }

  protected createSlots(vars: Variable[]): void {
    for (const v of vars) this.zerosSlot(v, "momentum", this.name);
  }

  protected prepare(): void {
    this.tensors = { lr: toTensor(this.learningRate, "float32", "learning_rate"), momentum: toTensor(this.momentum, "float32", "momentum") };
  }

  protected applyDense(grad: Tensor, v: Variable): Operation {
    const { lr, momentum } = this.tensors!;
    const accum = this.getSlot(v, "momentum")!;
    return resourceApplyMomentum(v, accum, cast(lr, v.dtype), grad, cast(momentum, v.dtype), { useLocking: this.useLocking, useNesterov: this.useNesterov });
  }
}
