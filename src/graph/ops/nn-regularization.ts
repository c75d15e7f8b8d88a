/**
 * tf.nn.l2Loss (TF's L2Loss op, sum(x²) / 2, whose gradient is x) and tf.nn.dropout in TF 1.15's
 * form (dropout_v2): keep each element with probability 1 − rate, scaled by 1 / (1 − rate), so
 * the expected sum is unchanged. Gradients flow through the kept elements only.
 */
import { log } from "../../util/logger.js";
import { makeTensorOp } from "../convert.js";
import type { NameOption, TensorLike } from "../convert.js";
import type { Tensor } from "../tensor.js";
import { shape as shapeOf } from "./array.js";
import { checkDType, FLOAT_TYPES, opNamer, toTensor } from "./builder-utils.js";
import { randomUniform } from "./creation.js";
import { cast, div, greaterEqual, mul, sub } from "./math.js";
import { isFullyDefined, shapeString } from "./shape-utils.js";

/**
 * Half the sum of squares of `t`, a scalar of t's dtype (L2Loss): weight decay's usual term.
 * @example const decay = tf.mul(1e-4, tf.nn.l2Loss(weights));
 */
export function l2Loss(t: TensorLike, options: NameOption = {}): Tensor {
  const namer = opNamer([t], "L2Loss", options.name);
  const x = namer.inside(() => toTensor(t, undefined, "t"));
  checkDType("L2Loss", "t", x, FLOAT_TYPES);
  return makeTensorOp("L2Loss", [x], { T: { type: x.dtype } }, x.dtype, [], { name: namer.name });
}

export interface DropoutOptions extends NameOption {
  /** The probability that each element is dropped, in [0, 1) (a number or a scalar tensor). */
  rate: TensorLike;
  /** The shape of the keep/drop mask, broadcast against x; default x's shape. */
  noiseShape?: TensorLike;
  seed?: number;
}

let largeRateWarnings = 0;

/** A JS number rate is checked at build time, as TF checks a Python float. */
function checkRate(rate: TensorLike): void {
  if (typeof rate !== "number") return;
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`rate must be a scalar tensor or a float in the range [0, 1), got ${rate}`);
  if (rate > 0.5 && largeRateWarnings++ < 5) {
    log.warn(`Large dropout rate: ${rate} (>0.5). In TensorFlow 2.x, dropout() uses dropout rate instead of keep_prob. Please ensure that this is intended.`);
  }
}

/**
 * `x` with each element zeroed with probability `rate` and the rest divided by 1 − rate.
 * @example const h = tf.nn.dropout(tf.relu(z), {rate: 0.5, seed: 1});
 */
export function dropout(x: TensorLike, options: DropoutOptions): Tensor {
  checkRate(options.rate);
  const namer = opNamer([x], "dropout", options.name);
  return namer.inside(() => {
    const t = toTensor(x, undefined, "x");
    if (t.dtype !== "float32" && t.dtype !== "float64") {
      throw new TypeError(`x has to be a floating point tensor since it's going to be scaled. Got a ${t.dtype} tensor instead.`);
    }
    if (options.rate === 0) return t; // nothing to drop
    const rate = toTensor(options.rate, t.dtype, "rate");
    if (rate.shape !== null && rate.shape.length !== 0) throw new RangeError(`Shapes ${shapeString(rate.shape)} and () are incompatible`);
    const noiseShape = options.noiseShape ?? (isFullyDefined(t.shape) ? [...t.shape] : shapeOf(t));
    const random = randomUniform(noiseShape, { dtype: t.dtype, ...(options.seed !== undefined ? { seed: options.seed } : {}) });
    const scale = div(1, sub(1, rate));
    const keep = cast(greaterEqual(random, rate), t.dtype);
    const out = mul(mul(t, scale), keep);
    out.shape = t.shape === null ? null : [...t.shape];
    return out;
  });
}
