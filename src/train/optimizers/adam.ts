/**
 * Adam (Kingma & Ba): slots "m" and "v" per variable ("<var>/Adam", "<var>/Adam_1"), and the
 * non-slot variables beta1_power and beta2_power next to the first variable by name, multiplied
 * by β₁ and β₂ after each step's updates (ResourceApplyAdam).
 * @example const train = new tf.train.AdamOptimizer(0.01).minimize(loss, {globalStep});
 */
import type { TensorLike } from "../../graph/convert.js";
import type { Operation } from "../../graph/graph.js";
import { toTensor } from "../../graph/ops/builder-utils.js";
import { cast, mul } from "../../graph/ops/math.js";
import { resourceApplyAdam } from "../../graph/ops/training.js";
import type { Tensor } from "../../graph/tensor.js";
import type { Variable } from "../../graph/variables.js";
import { colocatedWith, groupNamed, Optimizer } from "./optimizer.js";
import type { OptimizerOptions } from "./optimizer.js";

export interface AdamOptions extends OptimizerOptions {
  beta1?: TensorLike;
  beta2?: TensorLike;
  epsilon?: TensorLike;
  useNesterov?: boolean;
}

interface AdamTensors {
  lr: Tensor;
  beta1: Tensor;
  beta2: Tensor;
  epsilon: Tensor;
}

export class AdamOptimizer extends Optimizer {
  readonly beta1: TensorLike;
  readonly beta2: TensorLike;
  readonly epsilon: TensorLike;
  readonly useNesterov: boolean;
  private tensors: AdamTensors | null = null;

  constructor(
    readonly learningRate: TensorLike = 0.001,
    options: AdamOptions = {},
  ) {
    super({ ...options, name: options.name ?? "Adam" });
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.useNesterov = options.useNesterov ?? false;
  }

  protected createSlots(vars: Variable[]): void {
    const first = [...vars].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))[0]!;
    this.nonSlotVariable("beta1_power", this.beta1, first);
    this.nonSlotVariable("beta2_power", this.beta2, first);
    for (const v of vars) {
      this.zerosSlot(v, "m", this.name);
      this.zerosSlot(v, "v", `${this.name}_1`);
    }
  }

  protected prepare(): void {
    this.tensors = {
      lr: toTensor(this.learningRate, "float32", "learning_rate"),
      beta1: toTensor(this.beta1, "float32", "beta1"),
      beta2: toTensor(this.beta2, "float32", "beta2"),
      epsilon: toTensor(this.epsilon, "float32", "epsilon"),
    };
  }

  /** [beta1_power, beta2_power] of the graph of `v`. */
  betaAccumulators(v: Variable): [Variable, Variable] {
    return [this.getNonSlotVariable("beta1_power", v.graph), this.getNonSlotVariable("beta2_power", v.graph)];
  }

  protected applyDense(grad: Tensor, v: Variable): Operation {
    const t = this.tensors!;
    const [b1p, b2p] = this.betaAccumulators(v);
    const operands = {
      beta1Power: cast(b1p.value(), v.dtype),
      beta2Power: cast(b2p.value(), v.dtype),
      lr: cast(t.lr, v.dtype),
      beta1: cast(t.beta1, v.dtype),
      beta2: cast(t.beta2, v.dtype),
      epsilon: cast(t.epsilon, v.dtype),
      grad,
    };
    return resourceApplyAdam(v, this.getSlot(v, "m")!, this.getSlot(v, "v")!, operands, { useLocking: this.useLocking, useNesterov: this.useNesterov });
  }

  /** After the updates: beta1_power *= β₁ and beta2_power *= β₂, next to them. */
  protected override finish(updates: Operation[], fullName: string): Operation {
    const graph = updates[0]!.graph;
    const t = this.tensors!;
    const powers = [this.getNonSlotVariable("beta1_power", graph), this.getNonSlotVariable("beta2_power", graph)];
    const assigns = graph.withControlDependencies(updates, () =>
      powers.map((p, i) => colocatedWith(p, () => p.assign(mul(p.readValue(), cast(i === 0 ? t.beta1 : t.beta2, p.dtype)), { name: `update_beta${i + 1}` }).op)),
    );
    return groupNamed(graph, [...updates, ...assigns], fullName);
  }
}
