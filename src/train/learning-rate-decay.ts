/**
 * Learning-rate schedules (TF's learning_rate_decay.py). exponentialDecay gives
 * lr · decayRate^(globalStep / decaySteps), the exponent floored with `staircase`, computed in
 * the learning rate's dtype from a fresh read of the step each run.
 */
import type { NameOption, TensorLike } from "../graph/convert.js";
import { opNamer, toTensor } from "../graph/ops/builder-utils.js";
import { cast, div, floor, mul, pow } from "../graph/ops/math.js";
import type { Tensor } from "../graph/tensor.js";
import { Variable } from "../graph/variables.js";

export interface ExponentialDecayOptions extends NameOption {
  /** Decay in whole intervals of decaySteps (a step function). Default false. */
  staircase?: boolean;
}

/**
 * The decayed learning rate, a scalar tensor to hand to an optimizer.
 * @example
 * const lr = tf.train.exponentialDecay(0.1, globalStep, 100000, 0.96, {staircase: true});
 * const train = new tf.train.GradientDescentOptimizer(lr).minimize(loss, {globalStep});
 */
export function exponentialDecay(
  learningRate: TensorLike,
  globalStep: TensorLike | null | undefined,
  decaySteps: TensorLike,
  decayRate: TensorLike,
  options: ExponentialDecayOptions = {},
): Tensor {
  if (globalStep === null || globalStep === undefined) throw new RangeError("global_step is required for exponential_decay.");
  const namer = opNamer([learningRate, globalStep, decaySteps, decayRate], "ExponentialDecay", options.name);
  const parts = namer.inside(() => {
    const lr = toTensor(learningRate, "float32", "learning_rate");
    const dtype = lr.dtype;
    const step = globalStep instanceof Variable ? globalStep.readValue() : toTensor(globalStep, undefined, "global_step");
    const asDtype = (x: TensorLike, name: string) => cast(toTensor(x, typeof x === "number" ? dtype : undefined, name), dtype);
    let p = div(cast(step, dtype), asDtype(decaySteps, "decay_steps"));
    if (options.staircase) p = floor(p);
    return { lr, factor: pow(asDtype(decayRate, "decay_rate"), p) };
  });
  return mul(parts.lr, parts.factor, { name: namer.name });
}
