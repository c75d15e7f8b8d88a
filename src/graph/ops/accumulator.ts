/**
 * tf.ConditionalAccumulator (TF's data_flow_ops.py, the resource form of 1.15): an accumulator
 * op whose output is the accumulator's handle, and methods that build the ops using it, each
 * colocated with it. Rules: tf-training.md §2 (stale gradients dropped, MEAN over the count
 * accumulated, a blocking takeGrad).
 *
 * @example
 * const acc = new tf.ConditionalAccumulator({dtype: "float32", shape: [2], sharedName: "w_grad"});
 * const apply = acc.applyGrad([1, 2], {localStep: 0});
 * const mean = acc.takeGrad(2); // waits until two gradients are in
 */
import type { DType } from "../../tensor/dtypes.js";
import { isDType } from "../../tensor/dtypes.js";
import { convertToTensor, makeOp } from "../convert.js";
import type { NameOption, TensorLike } from "../convert.js";
import type { Shape } from "../graph-def.js";
import type { Operation } from "../graph.js";
import type { Tensor } from "../tensor.js";
import { OpNamer } from "./builder-utils.js";
import { cast } from "./math.js";
import { assertCompatible } from "./queue-shapes.js";

export type ReductionType = "MEAN" | "SUM";

export interface ConditionalAccumulatorOptions extends NameOption {
  /** The gradients' dtype (TF has kernels for float32 and float64). */
  dtype: DType;
  /** The gradients' shape; null dims vary; omitted: the first gradient of each round fixes it. */
  shape?: Shape;
  /** Accumulators with the same shared name (and container) on one device are one accumulator. */
  sharedName?: string;
  /** "MEAN" (default) divides the sum by the number of gradients taken; "SUM" does not. */
  reductionType?: ReductionType;
}

export interface ApplyGradOptions extends NameOption {
  /** The step the gradient was computed at; stale ones (below the accumulator's step) are dropped. Default 0. */
  localStep?: TensorLike;
}

export class ConditionalAccumulator {
  readonly dtype: DType;
  readonly shape: Shape;
  readonly reductionType: ReductionType;
  /** The accumulator's resource handle (ResourceConditionalAccumulator). */
  readonly accumulatorRef: Tensor;

  constructor(options: ConditionalAccumulatorOptions) {
    if (!isDType(options.dtype) || options.dtype === "resource") throw new TypeError(`Expected DataType for argument 'dtype' not ${String(options.dtype)}.`);
    const reduction = options.reductionType ?? "MEAN";
    const name = options.name ?? "conditional_accumulator";
    if (reduction !== "MEAN" && reduction !== "SUM") {
      throw new RangeError(`Attr 'reduction_type' of 'ResourceConditionalAccumulator' Op passed string '${String(reduction)}' not in: "MEAN", "SUM".`);
    }
    this.dtype = options.dtype;
    this.shape = options.shape === undefined || options.shape === null ? null : [...options.shape];
    this.reductionType = reduction;
    this.accumulatorRef = makeOp(
      "ResourceConditionalAccumulator",
      [],
      {
        dtype: { type: this.dtype },
        shape: { shape: this.shape },
        container: { s: "" },
        shared_name: { s: options.sharedName ?? "" },
        reduction_type: { s: reduction },
      },
      [{ dtype: "resource", shape: [] }],
      { name },
    ).output;
  }

  /** The accumulator op's full name. */
  get name(): string {
    return this.accumulatorRef.op.name;
  }

  private get baseName(): string {
    return this.name.split("/").pop()!;
  }

  /**
   * Adds `grad` computed at `localStep` (ResourceAccumulatorApplyGradient); a gradient whose shape
   * cannot be the accumulator's fails here (TF's ValueError).
   */
  applyGrad(grad: TensorLike, options: ApplyGradOptions = {}): Operation {
    const namer = new OpNamer(this.accumulatorRef.graph, options.name ?? "ResourceAccumulatorApplyGradient");
    const [g, step] = namer.inside(() => [convertToTensor(grad, this.dtype, "grad"), this.int64(options.localStep ?? 0, "local_step")]);
    if (g.dtype !== this.dtype) throw new TypeError(`Gradient dtype ${g.dtype} does not match the accumulator's ${this.dtype}`);
    assertCompatible(g.shape, this.shape);
    return this.handleOp("ResourceAccumulatorApplyGradient", namer, [step, g], [], {});
  }

  /** The mean (or sum) of at least `numRequired` gradients; blocks until they are in (ResourceAccumulatorTakeGradient). */
  takeGrad(numRequired: TensorLike, options: NameOption = {}): Tensor {
    const namer = new OpNamer(this.accumulatorRef.graph, options.name ?? "ResourceAccumulatorTakeGradient");
    const n = namer.inside(() => convertToTensor(numRequired, "int32", "num_required"));
    return this.handleOp("ResourceAccumulatorTakeGradient", namer, [n], [{ dtype: this.dtype, shape: this.shape }], {}).output;
  }

  /** How many gradients are in now, an int32 scalar (ResourceAccumulatorNumAccumulated). */
  numAccumulated(options: NameOption = {}): Tensor {
    const namer = new OpNamer(this.accumulatorRef.graph, options.name ?? `${this.baseName}_NumAccumulated`);
    return this.handleOp("ResourceAccumulatorNumAccumulated", namer, [], [{ dtype: "int32", shape: [] }], {}, false).output;
  }

  /** Sets the accumulator's step, below which gradients are stale (ResourceAccumulatorSetGlobalStep). */
  setGlobalStep(newGlobalStep: TensorLike, options: NameOption = {}): Operation {
    const namer = new OpNamer(this.accumulatorRef.graph, options.name ?? "ResourceAccumulatorSetGlobalStep");
    const step = namer.inside(() => this.int64(newGlobalStep, "new_global_step"));
    return this.handleOp("ResourceAccumulatorSetGlobalStep", namer, [step], [], {}, false);
  }

  private int64(x: TensorLike, name: string): Tensor {
    const t = typeof x === "number" || typeof x === "bigint" ? convertToTensor(x, "int64", name) : convertToTensor(x, undefined, name);
    return cast(t, "int64");
  }

  private handleOp(type: string, namer: OpNamer, inputs: Tensor[], outputs: { dtype: DType; shape: Shape }[], attrs: object, typed = true): Operation {
    return makeOp(type, [this.accumulatorRef, ...inputs], { ...attrs, ...(typed ? { dtype: { type: this.dtype } } : {}) }, outputs, {
      name: namer.name,
      colocateWith: this.accumulatorRef.op,
    });
  }
}
