/**
 * Adagrad: accum += grad²; var -= learningRate · grad / √accum, with one "accumulator" slot per
 * variable (variable "<var>/Adagrad", starting at initialAccumulatorValue) (ResourceApplyAdagrad).
 * @example const train = new tf.train.AdagradOptimizer(0.1).minimize(loss, {globalStep});
 */
import type { TensorLike } from "../../graph/convert.js";
import type { Operation } from "../../graph/graph.js";
import { toTensor } from "../../graph/ops/builder-utils.js";
import { cast } from "../../graph/ops/math.js";
import { resourceApplyAdagrad } from "../../graph/ops/training.js";
import type { Tensor } from "../../graph/tensor.js";
import type { Variable } from "../../graph/variables.js";
import { Optimizer } from "./optimizer.js";
import type { OptimizerOptions } from "./optimizer.js";

export interface AdagradOptions extends OptimizerOptions {
  /** The accumulators' starting value; must be positive. Default 0.1. */
  initialAccumulatorValue?: number;
}

export class AdagradOptimizer extends Optimizer {
  readonly initialAccumulatorValue: number;
  private lr: Tensor | null = null;

  constructor(
    readonly learningRate: TensorLike,
    options: AdagradOptions = {},
  ) {
    super({ ...options, name: options.name ?? "Adagrad" });
    const init = options.initialAccumulatorValue ?? 0.1;
    if (!(init > 0)) throw new RangeError(`initial_accumulator_value must be positive: ${init}`);
    this.initialAccumulatorValue = init;
  }

  protected createSlots(vars: Variable[]): void {
    for (const v of vars) this.filledSlot(v, "accumulator", this.name, this.initialAccumulatorValue);
  }

  protected prepare(): void {
    this.lr = toTensor(this.learningRate, "float32", "learning_rate");
  }

  protected applyDense(grad: Tensor, v: Variable): Operation {
    return resourceApplyAdagrad(v, this.getSlot(v, "accumulator")!, cast(this.lr!, v.dtype), grad, { useLocking: this.useLocking });
  }
}
