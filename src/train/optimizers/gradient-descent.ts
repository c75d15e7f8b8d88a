/**
 * Plain gradient descent: var -= learningRate · grad (ResourceApplyGradientDescent).
 * @example const train = new tf.train.GradientDescentOptimizer(0.5).minimize(loss, {globalStep});
 */
import type { TensorLike } from "../../graph/convert.js";
import type { Operation } from "../../graph/graph.js";
import { cast } from "../../graph/ops/math.js";
import { toTensor } from "../../graph/ops/builder-utils.js";
import { resourceApplyGradientDescent } from "../../graph/ops/training.js";
import type { Tensor } from "../../graph/tensor.js";
import type { Variable } from "../../graph/variables.js";
import { Optimizer } from "./optimizer.js";
import type { OptimizerOptions } from "./optimizer.js";

export class GradientDescentOptimizer extends Optimizer {
  private learningRateTensor: Tensor | null = null;

  constructor(
    readonly learningRate: TensorLike,
    options: OptimizerOptions = {},
  ) {
    super({ ...options, name: options.name ?? "GradientDescent" });
  }

  protected createSlots(): void {}

  protected prepare(): void {
    this.learningRateTensor = toTensor(this.learningRate, "float32", "learning_rate");
  }

  protected applyDense(grad: Tensor, v: Variable): Operation {
    return resourceApplyGradientDescent(v, cast(this.learningRateTensor!, v.dtype), grad, { useLocking: this.useLocking });
  }
}
