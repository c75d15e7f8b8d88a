/**
 * Shared by the input helpers: TF's naming idiom `with name_scope(name) as scope: ...; op(name=scope)`
 * (helper ops under "batch/", the result op called "batch"), and the structure of their tensor
 * arguments (one tensor, an array, or an object whose keys are taken in sorted order, as TF's
 * `sorted(keys, key=str)`), rebuilt around the results.
 */
import type { TensorLike } from "../graph/convert.js";
import type { Graph } from "../graph/graph.js";
import { isTensorConvertible, Tensor } from "../graph/tensor.js";
import type { TensorConvertible } from "../graph/tensor.js";
import { NDArray } from "../tensor/ndarray.js";

export interface OwnScope {
  /** The scope's full name, which the result op takes ("input_producer"). */
  readonly full: string;
  /** The same name relative to the enclosing scope, for builders that take a relative name. */
  readonly relative: string;
  /** Runs `fn` inside the scope: ops built there are named "<full>/...". */
  inside<T>(fn: () => T): T;
}

/**
 * Reserves a scope name from `base` without taking it, so that the helper ops built with
 * `scope.inside` live under it and the result op, built afterwards in the enclosing scope with
 * `scope.relative` as its name, takes exactly the scope's name (TF's name_from_scope_name).
 */
export function ownScope<T>(graph: Graph, base: string, body: (scope: OwnScope) => T): T {
  return graph.asDefault(() => {
    const full = graph.uniqueName(base, false);
    const parent = graph.currentNameScope;
    const relative = parent ? full.slice(parent.length + 1) : full;
    return body({ full, relative, inside: (fn) => graph.withNameScope(`${full}/`, fn) });
  });
}

/** One tensor-like value that is not a list or a dictionary of them. */
export type SingleInput = Tensor | TensorConvertible | NDArray;
/** What the batching helpers take: one tensor, an array, or an object of tensors. */
export type TensorStruct = SingleInput | readonly TensorLike[] | { readonly [key: string]: TensorLike };
/** The same structure with a Tensor in each place. */
export type TensorsOf<T> = T extends SingleInput ? Tensor : T extends readonly unknown[] ? Tensor[] : { -readonly [K in keyof T]: Tensor };

export interface Flattened<T> {
  values: TensorLike[];
  /** Sorted keys when the input was an object; null otherwise. */
  keys: string[] | null;
  rebuild(outputs: Tensor[]): TensorsOf<T>;
}

function isSingle(x: unknown): x is SingleInput {
  return x instanceof Tensor || x instanceof NDArray || isTensorConvertible(x);
}

/** The values of `input` in TF's order, and how to put results back in its shape. */
export function flattenStruct<T extends TensorStruct>(input: T): Flattened<T> {
  if (isSingle(input)) return { values: [input], keys: null, rebuild: (out) => out[0] as TensorsOf<T> };
  if (Array.isArray(input)) return { values: [...(input as readonly TensorLike[])], keys: null, rebuild: (out) => [...out] as TensorsOf<T> };
  const dict = input as { readonly [key: string]: TensorLike };
  const keys = Object.keys(dict).sort();
  return {
    values: keys.map((k) => dict[k]!),
    keys,
    rebuild: (out) => Object.fromEntries(keys.map((k, i) => [k, out[i]!])) as TensorsOf<T>,
  };
}
