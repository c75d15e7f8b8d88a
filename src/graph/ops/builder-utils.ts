/**
 * Helpers every op builder uses: TF's op-wrapper naming (an op "Sum" and the constants made for
 * its arguments as "Sum/reduction_indices"), input conversion with TF's dtype errors.
 */
import type { DType } from "../../tensor/dtypes.js";
import { convertToTensor } from "../convert.js";
import type { TensorLike } from "../convert.js";
import { getDefaultGraph } from "../graph.js";
import type { Graph } from "../graph.js";
import { isTensorConvertible, Tensor } from "../tensor.js";

/** The graph an op on these inputs belongs to: the first real tensor's, else the default graph. */
export function graphOf(xs: readonly unknown[]): Graph {
  for (const x of xs) {
    if (x instanceof Tensor) return x.graph;
    if (isTensorConvertible(x)) return x.toTensor().graph;
    if (Array.isArray(x)) {
      const g = graphOfNested(x);
      if (g) return g;
    }
  }
  return getDefaultGraph();
}

function graphOfNested(xs: readonly unknown[]): Graph | undefined {
  for (const x of xs) if (x instanceof Tensor) return x.graph;
  return undefined;
}

/**
 * Reserves the unique name of an op about to be built, so helper ops made for its arguments can
 * live under it ("Sum/reduction_indices") and the op itself takes the bare name ("Sum"), the way
 * TF's generated op wrappers name things.
 */
export class OpNamer {
  /** Name to give the final op (relative to the name scope it is built in). */
  readonly name: string;
  /** The op's full name. */
  readonly fullName: string;

  constructor(
    readonly graph: Graph,
    base: string,
  ) {
    const scope = graph.currentNameScope;
    this.fullName = graph.uniqueName(base, false);
    this.name = scope ? this.fullName.slice(scope.length + 1) : this.fullName;
  }

  /** Runs `fn` with the op's name as name scope (and its graph as the default graph). */
  inside<T>(fn: () => T): T {
    return this.graph.asDefault(() => this.graph.withNameScope(`${this.fullName}/`, () => fn()));
  }
}

/** An OpNamer for an op with default name `base`, overridden by `name`, in the inputs' graph. */
export function opNamer(inputs: readonly unknown[], base: string, name?: string): OpNamer {
  return new OpNamer(graphOf(inputs), name ?? base);
}

/** The dtype of a tensor (or tensor-convertible); undefined for plain JS values. */
export function dtypeOf(x: TensorLike): DType | undefined {
  if (x instanceof Tensor) return x.dtype;
  if (isTensorConvertible(x)) return x.toTensor().dtype;
  return undefined;
}

/** A TensorLike as a tensor; a non-tensor becomes a constant `name` of `dtype`. */
export function toTensor(x: TensorLike, dtype?: DType, name?: string): Tensor {
  if (x instanceof Tensor) return x;
  if (isTensorConvertible(x)) return x.toTensor();
  return convertToTensor(x, dtype, name);
}

/**
 * Converts the inputs of an op whose inputs share a type attr: non-tensors take the first tensor's
 * dtype; tensors of another dtype fail with TF's TypeError naming both.
 */
export function sameTypeInputs(opType: string, xs: TensorLike[], names: string[], dtype?: DType): Tensor[] {
  const anchor = dtype ?? xs.map(dtypeOf).find((d) => d !== undefined);
  const out = xs.map((x, i) => toTensor(x, anchor, names[i] ?? `input_${i}`));
  const first = out[0];
  for (let i = 1; i < out.length; i++) {
    if (first && out[i]!.dtype !== first.dtype) {
      throw new TypeError(
        `Input '${names[i] ?? i}' of '${opType}' Op has type ${out[i]!.dtype} that does not match type ${first.dtype} of argument '${names[0] ?? 0}'.`,
      );
    }
  }
  return out;
}

/** An int argument (axis, shape, multiples) as an int32 tensor unless it already is a tensor. */
export function intTensor(x: TensorLike, name: string): Tensor {
  const t = toTensor(x, "int32", name);
  if (t.dtype !== "int32" && t.dtype !== "int64") {
    throw new TypeError(`Value passed to parameter '${name}' has DataType ${t.dtype} not in list of allowed values: int32, int64`);
  }
  return t;
}

/** Throws TypeError unless `t.dtype` is one of `allowed` (TF's op-def type constraint check). */
export function checkDType(opType: string, arg: string, t: Tensor, allowed: readonly DType[]): void {
  if (!allowed.includes(t.dtype)) {
    throw new TypeError(`Value passed to parameter '${arg}' of '${opType}' has DataType ${t.dtype} not in list of allowed values: ${allowed.join(", ")}`);
  }
}

export const FLOAT_TYPES: readonly DType[] = ["float32", "float64"];
export const NUMERIC_TYPES: readonly DType[] = ["float32", "float64", "int32", "int64", "uint8"];
export const SIGNED_TYPES: readonly DType[] = ["float32", "float64", "int32", "int64"];
