/**
 * tf.clipByGlobalNorm and tf.globalNorm (TF's clip_ops.py): the global norm is
 * √(2 · Σ L2Loss(t)) over every tensor of the list, and each tensor is scaled by
 * clipNorm / max(globalNorm, clipNorm), so the list's direction is kept. A null entry stays
 * null; an infinite norm makes every output NaN, as in TF. Gradients flow through both.
 */
import type { NameOption, TensorLike } from "../convert.js";
import type { Tensor } from "../tensor.js";
import { identity, stack } from "./array.js";
import { opNamer, toTensor } from "./builder-utils.js";
import { add, cast, div, minimum, mul, sqrt, sub } from "./math.js";
import { reduceSum } from "./math-reduce.js";
import { l2Loss } from "./nn-regularization.js";

type MaybeTensor = TensorLike | null;

function present(list: readonly MaybeTensor[]): TensorLike[] {
  return list.filter((t): t is TensorLike => t !== null);
}

function checkList(tList: unknown): asserts tList is readonly MaybeTensor[] {
  if (!Array.isArray(tList)) throw new TypeError("t_list should be a sequence");
}

/** Each tensor's L2Loss (next to it), stacked and summed: √(2 · Σ). */
function globalNormOf(tensors: Tensor[]): Tensor {
  const halves = tensors.map((t, i) => t.graph.withDevice(t.op.device || null, () => l2Loss(t, { name: `L2Loss_${i}` })));
  const half = reduceSum(stack(halves));
  return sqrt(mul(half, 2), { name: "global_norm" });
}

/**
 * The global norm of `tList`: √(Σ ‖t‖²) over its non-null tensors.
 * @example const norm = tf.globalNorm(grads);
 */
export function globalNorm(tList: readonly MaybeTensor[], options: NameOption = {}): Tensor {
  checkList(tList);
  const values = present(tList);
  const namer = opNamer(values, "global_norm", options.name);
  return namer.inside(() => globalNormOf(values.map((t, i) => toTensor(t, undefined, `t_${i}`))));
}

export interface ClipByGlobalNormOptions extends NameOption {
  /** The global norm to use instead of computing it. */
  useNorm?: TensorLike;
}

/**
 * The tensors of `tList` scaled by clipNorm / max(globalNorm, clipNorm), and the global norm
 * before clipping. Gradient clipping: `const [clipped, norm] = tf.clipByGlobalNorm(grads, 5)`.
 * @example
 * const [clipped, norm] = tf.clipByGlobalNorm(gradsAndVars.map(([g]) => g), 5.0);
 */
export function clipByGlobalNorm(tList: readonly MaybeTensor[], clipNorm: TensorLike, options: ClipByGlobalNormOptions = {}): [(Tensor | null)[], Tensor] {
  checkList(tList);
  const namer = opNamer(present(tList), "clip_by_global_norm", options.name);
  return namer.inside(() => {
    const values = tList.map((t, i) => (t === null ? null : toTensor(t, undefined, `t_${i}`)));
    const tensors = values.filter((t): t is Tensor => t !== null);
    const norm = options.useNorm !== undefined ? toTensor(options.useNorm, "float32", "use_norm") : globalNormOf(tensors);
    const clip = toTensor(clipNorm, norm.dtype, "clip_norm");
    // (norm − norm) is 0 for a finite norm and NaN for an infinite one, which then poisons every output.
    const scale = add(mul(clip, minimum(div(1, norm), div(1, clip))), sub(norm, norm));
    const clipped = values.map((v, i) =>
      v === null ? null : v.graph.withDevice(v.op.device || null, () => identity(mul(v, cast(scale, v.dtype)), { name: `${namer.name.split("/").pop()}_${i}` })),
    );
    return [clipped, norm];
  });
}
