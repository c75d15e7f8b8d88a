/**
 * The two ops TF's input producers add to variables and queues:
 * - ResourceCountUpTo (tf.count_up_to on a resource variable): increments an int variable and
 *   returns its value before the increment, failing with OutOfRangeError "Reached limit of N"
 *   once the variable has reached `limit`. `limitEpochs` counts epochs with it.
 * - RandomShuffle (tf.random_shuffle): a fresh permutation along dimension 0 on every run, which
 *   is how a shuffled producer reshuffles each epoch.
 *
 * @example
 * const v = new tf.Variable(0, {dtype: "int32", name: "counter"});
 * const next = tf.countUpTo(v, 3); // 0, 1, 2, then OutOfRangeError "Reached limit of 3"
 */
import type { DType } from "../../tensor/dtypes.js";
import { makeOp, makeTensorOp } from "../convert.js";
import type { NameOption, TensorLike } from "../convert.js";
import type { Tensor } from "../tensor.js";
import type { Variable } from "../variables.js";
import { opNamer, toTensor } from "./builder-utils.js";

const COUNTER_TYPES: readonly DType[] = ["int32", "int64"];

/**
 * Increments `ref` (an int32 or int64 scalar variable) until it reaches `limit`; the tensor holds
 * the value before the increment (ResourceCountUpTo, colocated with the variable).
 * @example const epoch = tf.countUpTo(epochs, 2);
 */
export function countUpTo(ref: Variable, limit: number, options: NameOption = {}): Tensor {
  if (!Number.isInteger(limit)) throw new TypeError(`Expected int for argument 'limit' not ${String(limit)}.`);
  if (!COUNTER_TYPES.includes(ref.dtype)) {
    throw new TypeError(`Value passed to parameter 'T' of 'ResourceCountUpTo' has DataType ${ref.dtype} not in list of allowed values: int32, int64`);
  }
  const attrs = { limit: { i: limit }, T: { type: ref.dtype } };
  return makeOp("ResourceCountUpTo", [ref.handle], attrs, [{ dtype: ref.dtype, shape: [] }], {
    name: options.name ?? "ResourceCountUpTo",
    colocateWith: ref.op,
  }).output;
}

export interface RandomShuffleOptions extends NameOption {
  seed?: number;
}

/**
 * `value` with its rows (dimension 0) in a random order, a new order on every run (RandomShuffle).
 * With a seed (or a graph seed) the sequence of orders repeats from run to run.
 * @example const files = tf.randomShuffle(tf.constant(["a.csv", "b.csv", "c.csv"]), {seed: 7});
 */
export function randomShuffle(value: TensorLike, options: RandomShuffleOptions = {}): Tensor {
  const namer = opNamer([value], "RandomShuffle", options.name);
  const [seed, seed2] = namer.graph.seeds(options.seed);
  const t = namer.inside(() => toTensor(value, undefined, "value"));
  const shape = t.shape === null ? null : [...t.shape];
  return makeTensorOp("RandomShuffle", [t], { seed: { i: seed }, seed2: { i: seed2 }, T: { type: t.dtype } }, t.dtype, shape, { name: namer.name });
}
