/** TensorLike → symbolic Tensor, and the small helpers every op builder uses. */
import type { DType } from "../tensor/dtypes.js";
import { NDArray, ndarray } from "../tensor/ndarray.js";
import type { AttrValue, Shape } from "./graph-def.js";
import { getDefaultGraph, Operation } from "./graph.js";
import type { Graph, OutputSpec } from "./graph.js";
import { isTensorConvertible, Tensor } from "./tensor.js";
import type { TensorConvertible } from "./tensor.js";

export type TensorLike =
  | Tensor
  | TensorConvertible
  | NDArray
  | number
  | bigint
  | boolean
  | string
  | Uint8Array
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array
  | TensorLike[];

export interface NameOption {
  name?: string;
}

/** Adds a Const op holding `value`. */
export function constantOp(value: NDArray, name = "Const", graph: Graph = getDefaultGraph()): Tensor {
  return graph.addOp({
    type: "Const",
    name,
    attrs: { value: { tensor: value }, dtype: { type: value.dtype } },
    outputs: [{ dtype: value.dtype, shape: [...value.shape] }],
  }).output;
}

/** Any TensorLike as a Tensor of the default graph; non-tensors become constants of `dtype`. */
export function convertToTensor(x: TensorLike, dtype?: DType, name?: string): Tensor {
  if (x instanceof Tensor) {
    if (dtype && x.dtype !== dtype && !(x.dtype === "resource")) {
      throw new TypeError(`Tensor conversion requested dtype ${dtype} for Tensor with dtype ${x.dtype}: ${x.name}`);
    }
    return x;
  }
  if (isTensorConvertible(x)) return convertToTensor(x.toTensor(), dtype, name);
  const value = x instanceof NDArray ? (dtype && dtype !== x.dtype ? ndarray(x.toArray(), { dtype }) : x) : ndarray(x, dtype ? { dtype } : {});
  return constantOp(value, name ?? "Const");
}

/** Converts several TensorLikes, giving the non-tensors the dtype of the first real tensor. */
export function convertAll(xs: TensorLike[], dtype?: DType): Tensor[] {
  const anchor = dtype ?? xs.map((x) => (x instanceof Tensor ? x.dtype : isTensorConvertible(x) ? x.toTensor().dtype : undefined)).find((d) => d !== undefined);
  return xs.map((x) => convertToTensor(x, anchor));
}

/** Adds an op to the inputs' graph (or the default one) and returns it. */
export function makeOp(
  type: string,
  inputs: Tensor[],
  attrs: Record<string, AttrValue>,
  outputs: OutputSpec[],
  options: NameOption & { controlInputs?: Operation[]; colocateWith?: Operation } = {},
): Operation {
  const graph = inputs[0]?.graph ?? getDefaultGraph();
  return graph.addOp({
    type,
    inputs,
    attrs,
    outputs,
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.controlInputs ? { controlInputs: options.controlInputs } : {}),
    ...(options.colocateWith ? { colocateWith: options.colocateWith } : {}),
  });
}

/** A one-output op; returns its tensor. */
export function makeTensorOp(
  type: string,
  inputs: Tensor[],
  attrs: Record<string, AttrValue>,
  dtype: DType,
  shape: Shape,
  options: NameOption = {},
): Tensor {
  return makeOp(type, inputs, attrs, [{ dtype, shape }], options).output;
}

/** An Operation from an op, a tensor or anything tensor-convertible (for control deps / fetches). */
export function asOperation(x: Operation | Tensor | TensorConvertible): Operation {
  if (x instanceof Operation) return x;
  if (x instanceof Tensor) return x.op;
  return x.toTensor().op;
}
