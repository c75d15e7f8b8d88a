/** Flattens nested fetch structures to tensor and target names, and rebuilds results in that shape. */
import { Operation } from "../graph/graph.js";
import type { Graph } from "../graph/graph.js";
import { isTensorConvertible, Tensor } from "../graph/tensor.js";
import type { TensorConvertible } from "../graph/tensor.js";
import type { NDArray } from "../tensor/ndarray.js";

export type FetchLeaf = Tensor | Operation | TensorConvertible | string;
export type Fetches = FetchLeaf | null | undefined | readonly unknown[] | { readonly [key: string]: unknown };
/** The result of a fetch structure: same shape, an NDArray per tensor, null per operation. */
export type FetchResult<F> = F extends Operation
  ? null
  : F extends Tensor | TensorConvertible
    ? NDArray
    : F extends string
      ? NDArray
      : F extends readonly unknown[]
        ? { -readonly [K in keyof F]: FetchResult<F[K]> }
        : F extends Record<string, unknown>
          ? { -readonly [K in keyof F]: FetchResult<F[K]> }
          : null;

type Leaf = { kind: "tensor"; name: string } | { kind: "target"; name: string } | { kind: "none" };

export interface FlatFetches {
  tensors: string[];
  targets: string[];
  rebuild(values: Map<string, NDArray>): unknown;
}

function leafOf(graph: Graph, f: FetchLeaf): Leaf {
  if (f instanceof Tensor) {
    if (f.graph !== graph) throw new TypeError(`Fetch argument ${f.name} is not an element of this session's graph.`);
    return { kind: "tensor", name: f.name };
  }
  if (f instanceof Operation) {
    if (f.graph !== graph) throw new TypeError(`Fetch argument ${f.name} is not an element of this session's graph.`);
    return { kind: "target", name: f.name };
  }
  if (typeof f === "string") {
    if (/:\d+$/.test(f)) return { kind: "tensor", name: graph.getTensorByName(f).name };
    return { kind: "target", name: graph.getOperationByName(f).name };
  }
  return leafOf(graph, f.toTensor());
}

function isLeaf(f: unknown): f is FetchLeaf {
  return typeof f === "string" || f instanceof Tensor || f instanceof Operation || isTensorConvertible(f);
}

export function flattenFetches(graph: Graph, fetches: Fetches): FlatFetches {
  const tensors: string[] = [];
  const targets: string[] = [];
  const walk = (f: unknown): (values: Map<string, NDArray>) => unknown => {
    if (f === null || f === undefined) return () => null;
    if (isLeaf(f)) {
      const leaf = leafOf(graph, f);
      if (leaf.kind === "tensor") {
        if (!tensors.includes(leaf.name)) tensors.push(leaf.name);
        return (v) => v.get(leaf.name) ?? null;
      }
      if (leaf.kind === "target" && !targets.includes(leaf.name)) targets.push(leaf.name);
      return () => null;
    }
    if (Array.isArray(f)) {
      const parts = f.map(walk);
      return (v) => parts.map((p) => p(v));
    }
    if (typeof f === "object") {
      const entries = Object.entries(f as Record<string, Fetches>).map(([k, x]) => [k, walk(x)] as const);
      return (v) => Object.fromEntries(entries.map(([k, p]) => [k, p(v)]));
    }
    throw new TypeError(`Fetch argument ${String(f)} has invalid type ${typeof f}, must be a string, Tensor, Operation or Variable.`);
  };
  const rebuild = walk(fetches);
  return { tensors, targets, rebuild };
}
