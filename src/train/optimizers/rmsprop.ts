/**
 * RMSProp: ms += (grad² − ms)(1 − decay); mom = momentum · mom + lr · grad / √(ms + ε);
 * var -= mom. Slots per variable: "rms" (starting at 1, "<var>/RMSProp"), "momentum" (zeros),
 * and with `centered` "mg" (zeros), which subtracts the squared mean gradient from ms
 * (ResourceApplyRMSProp / ResourceApplyCenteredRMSProp).
 * @example const train = new tf.train.RMSPropOptimizer(0.01, {decay: 0.9}).minimize(loss);
 */
import type { TensorLike } from "../../graph/convert.js";
import type { Operation } from "../../graph/graph.js";
import { toTensor } from "../../graph/ops/builder-utils.js";
import { cast } from "../../graph/ops/math.js";
import { resourceApplyCenteredRMSProp, resourceApplyRMSProp } from "../../graph/ops/training.js";
import type { Tensor } from "../../graph/tensor.js";
import type { Variable } from "../../graph/variables.js";
import { Optimizer } from "./optimizer.js";
import type { OptimizerOptions } from "./optimizer.js";

export interface RMSPropOptions extends OptimizerOptions {
  /** The discount of the moving average of squared gradients (ρ). Default 0.9. */
  decay?: TensorLike;
  /** Default 0. */
  momentum?: TensorLike;
  /** Default 1e-10. */
  epsilon?: TensorLike;
  /** Normalise by the estimated variance of the gradient instead of its second moment. Default false. */
  centered?: boolean;
}

export class RMSPropOptimizer extends Optimizer {
  readonly decay: TensorLike;
  readonly momentum: TensorLike;
  readonly epsilon: TensorLike;
  readonly centered: boolean;
  private tensors: { lr: Tensor; rho: Tensor; momentum: Tensor; epsilon: Tensor } | null = null;

  constructor(
    readonly learningRate: TensorLike,
    options: RMSPropOptions = {},
  ) {
    super({ ...options, name: options.name ?? "RMSProp" });
    this.decay = options.decay ?? 0.9;
    this.momentum = options.momentum ?? 0;
    this.epsilon = options.epsilon ?? 1e-10;
    this.centered = options.centered ?? false;
  }

  /** TF names all three slots after the optimizer, so the graph numbers them in creation order. */
  protected createSlots(vars: Variable[]): void {
    for (const v of vars) {
      this.filledSlot(v, "rms", this.name, 1);
      if (this.centered) this.zerosSlot(v, "mg", `${this.name}_1`);
      this.zerosSlot(v, "momentum", this.centered ? `${this.name}_2` : `${this.name}_1`);
    }
  }

  protected prepare(): void {
    this.tensors = {
      lr: toTensor(this.learningRate, "float32", "learning_rate"),
      rho: toTensor(this.decay, "float32", "decay"),
      momentum: toTensor(this.momentum, "float32", "momentum"),
      epsilon: toTensor(this.epsilon, "float32", "epsilon"),
    };
  }

  protected applyDense(grad: Tensor, v: Variable): Operation {
    const t = this.tensors!;
    const operands = { lr: cast(t.lr, v.dtype), rho: cast(t.rho, v.dtype), momentum: cast(t.momentum, v.dtype), epsilon: cast(t.epsilon, v.dtype), grad };
    const [rms, mom] = [this.getSlot(v, "rms")!, this.getSlot(v, "momentum")!];
    const options = { useLocking: this.useLocking };
    if (this.centered) return resourceApplyCenteredRMSProp(v, this.getSlot(v, "mg")!, rms, mom, operands, options);
    return resourceApplyRMSProp(v, rms, mom, operands, options);
  }
}
