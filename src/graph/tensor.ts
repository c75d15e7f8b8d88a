import type { DType } from "../tensor/dtypes.js";
import type { Shape } from "./graph-def.js";
import type { Graph, Operation } from "./graph.js";

/**
 * A symbolic tensor: one output of an operation. Its value exists only inside a step.
 * @example const c = tf.add(a, b); c.name // "Add:0"
 */
export class Tensor {
  constructor(
    readonly op: Operation,
    readonly index: number,
    readonly dtype: DType,
    public shape: Shape,
  ) {}

  get name(): string {
    return `${this.op.name}:${this.index}`;
  }

  get device(): string {
    return this.op.device;
  }

  get graph(): Graph {
    return this.op.graph;
  }

  /** Static rank, or null when unknown. */
  get rank(): number | null {
    return this.shape === null ? null : this.shape.length;
  }

  toString(): string {
    const s = this.shape === null ? "<unknown>" : `(${this.shape.map((d) => (d === null ? "?" : d)).join(", ")})`;
    return `Tensor("${this.name}", shape=${s}, dtype=${this.dtype})`;
  }
}

/** Objects that stand for a tensor wherever one is expected (Variables do). */
export interface TensorConvertible {
  toTensor(): Tensor;
}

export function isTensorConvertible(x: unknown): x is TensorConvertible {
  return typeof x === "object" && x !== null && typeof (x as TensorConvertible).toTensor === "function" && !(x instanceof Tensor);
}
