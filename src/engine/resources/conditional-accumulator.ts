/**
 * TF's ConditionalAccumulator (dense; tf-training.md §2.2–2.3): a resource that sums the
 * gradients applied to it and hands out their mean (or sum) once enough have arrived.
 *
 * - ApplyGrad never blocks. A gradient whose local step is below the accumulator's own step is
 *   dropped silently, before any validation; otherwise its shape is checked, it is added, and the
 *   pending takes are retried.
 * - TakeGrad(n) waits in a FIFO list (the queues' attempt machinery: strictly in arrival order,
 *   cancelled by its step's signal with "TakeGrad operation was cancelled", or the step's deadline
 *   error). It completes once at least n gradients are in: the step rises by one, MEAN divides by
 *   the count actually accumulated, and the count goes back to 0.
 * - SetGlobalStep always sets the step (a smaller value only warns).
 *
 * Sums are kept in the accumulator's dtype, so float32 results round as TF's do.
 */
import { CancelledError, InvalidArgumentError, cancellationError } from "../../errors/index.js";
import type { OpError } from "../../errors/index.js";
import type { DType } from "../../tensor/dtypes.js";
import { NDArray } from "../../tensor/ndarray.js";
import type { Clock } from "../../util/env.js";
import { log } from "../../util/logger.js";
import { AttemptLists } from "./queue-attempt.js";
import type { AttemptKind } from "./queue-attempt.js";
import type { PartialShape } from "./queue-elements.js";
import { compatibleShape, sameShape, shapeString } from "./queue-elements.js";
import type { AttemptOptions, QueueWaiter } from "./queue-types.js";
import type { Resource } from "./resource-manager.js";

export const ACCUMULATOR_RESOURCE_KIND = "ConditionalAccumulator";

export type ReductionType = "MEAN" | "SUM";

/** The dtypes TF registers accumulator kernels for (half has no counterpart here). */
export const ACCUMULATOR_DTYPES: readonly DType[] = ["float32", "float64"];

export interface AccumulatorConfig {
  /** The resource name (shared or private), used in status reports. */
  name: string;
  dtype: DType;
  /** The declared shape: -1 for an unknown dim; null for an unknown rank. */
  shape: PartialShape | null;
  reductionType: ReductionType;
  clock: Clock;
}

export type AccumulatorDescription = {
  name: string;
  type: "ConditionalAccumulator";
  dtype: DType;
  shape: string;
  reductionType: ReductionType;
  numAccumulated: number;
  globalStep: string;
  waiting: QueueWaiter[];
};

type Floats = Float32Array | Float64Array;

/** TF's PartialTensorShape::DebugString: "<unknown>" for an unknown rank. */
function partialShapeString(shape: PartialShape | null): string {
  return shape === null ? "<unknown>" : shapeString(shape);
}

export class ConditionalAccumulator extends AttemptLists implements Resource {
  readonly kind = ACCUMULATOR_RESOURCE_KIND;
  readonly name: string;
  readonly dtype: DType;
  readonly shape: PartialShape | null;
  readonly reductionType: ReductionType;
  private counter = 0;
  private globalStep = 0n;
  /** The running sum while counter > 0, with the shape the first accepted gradient fixed. */
  private sum: { values: Floats; shape: number[] } | null = null;

  constructor(config: AccumulatorConfig) {
    super(config.clock);
    this.name = config.name;
    this.dtype = config.dtype;
    this.shape = config.shape === null ? null : [...config.shape];
    this.reductionType = config.reductionType;
  }

  /** Adds `grad` when `localStep` is not stale; a stale gradient is dropped unchecked, as in TF. */
  applyGrad(localStep: bigint, grad: NDArray): void {
    if (localStep < this.globalStep) return;
    this.validateShape(grad.shape);
    const values = grad.data as Floats;
    if (this.sum === null || this.counter === 0) {
      this.sum = { values: values.slice(), shape: [...grad.shape] };
    } else {
      const acc = this.sum.values;
      for (let i = 0; i < acc.length; i++) acc[i] = acc[i]! + values[i]!;
    }
    this.counter++;
    this.flush();
  }

  /** The mean (or sum) of at least `numRequired` gradients, once they have been applied. */
  takeGrad(numRequired: number, options: AttemptOptions = {}): Promise<NDArray> {
    if (!Number.isInteger(numRequired) || numRequired <= 0) {
      return Promise.reject(new InvalidArgumentError(`Argument num_required must be positive, but was ${numRequired}`));
    }
    return this.startAttempt<NDArray>("dequeue", numRequired, options, (a) => {
      if (this.counter < numRequired) return "noProgress";
      a.succeed(this.collect());
      return "complete";
    });
  }

  numAccumulated(): number {
    return this.counter;
  }

  currentGlobalStep(): bigint {
    return this.globalStep;
  }

  setGlobalStep(step: bigint): void {
    if (step < this.globalStep) {
      log.warn(`Attempt to set current_global_step_ to smaller value: current_global_step_ = ${this.globalStep} >= ${step} = new_global_step.`);
    }
    this.globalStep = step;
  }

  describe(): AccumulatorDescription {
    return {
      name: this.name,
      type: ACCUMULATOR_RESOURCE_KIND,
      dtype: this.dtype,
      shape: partialShapeString(this.shape),
      reductionType: this.reductionType,
      numAccumulated: this.counter,
      globalStep: String(this.globalStep),
      waiting: this.waiters(),
    };
  }

  /** The container was cleared: every waiting take fails. */
  destroy(reason: string): void {
    this.abandonAll("dequeue", new CancelledError(`TakeGrad operation was cancelled: accumulator '${this.name}' was destroyed (${reason})`));
  }

  protected override cancelledError(_kind: AttemptKind, reason: unknown): OpError {
    return cancellationError(reason, "TakeGrad operation was cancelled");
  }

  /** Takes hold nothing back: there is nothing to put back. */
  protected restoreElements(): void {}

  /** TF's ValidateShape: the accumulated shape while counter > 0, and always the declared one. */
  private validateShape(shape: readonly number[]): void {
    if (this.counter > 0 && this.sum !== null && !sameShape(this.sum.shape, shape)) {
      throw new InvalidArgumentError(`Shape mismatch: expected ${shapeString(this.sum.shape)}, got ${shapeString(shape)}`);
    }
    if (this.shape !== null && !compatibleShape(this.shape, shape)) {
      throw new InvalidArgumentError(`Shape mismatch: expected ${partialShapeString(this.shape)}, got ${shapeString(shape)}`);
    }
  }

  /** Ends a round: the step rises, the count resets, and the mean (or sum) comes out. */
  private collect(): NDArray {
    const { values, shape } = this.sum!;
    const out = values.slice();
    if (this.reductionType === "MEAN") for (let i = 0; i < out.length; i++) out[i] = out[i]! / this.counter;
    this.globalStep++;
    this.counter = 0;
    this.sum = null;
    return new NDArray(this.dtype, shape, out);
  }
}
