/**
 * Static shape inference shared by the op builders: broadcasting, merging, axis normalisation and
 * TF's constant_value / constant_value_as_shape (what a graph knows about a tensor's value
 * without running it). Unknown stays `null`, never a guess.
 */
import type { NDArray } from "../../tensor/ndarray.js";
import type { Shape } from "../graph-def.js";
import type { Tensor } from "../tensor.js";

/** "[2,?,3]" (or "<unknown>") for messages, as TF prints partial shapes. */
export function shapeString(shape: Shape): string {
  if (shape === null) return "<unknown>";
  return `[${shape.map((d) => (d === null ? "?" : d)).join(",")}]`;
}

/** Number of elements, or null when any dimension (or the rank) is unknown. */
export function numElements(shape: Shape): number | null {
  if (shape === null) return null;
  let n = 1;
  for (const d of shape) {
    if (d === null) return null;
    n *= d;
  }
  return n;
}

export function isFullyDefined(shape: Shape): shape is number[] {
  return shape !== null && shape.every((d) => d !== null);
}

/**
 * The shape of a broadcast binary op (numpy rules), as TF's BroadcastBinaryOpShapeFn infers it.
 * Throws RangeError when two known dimensions clash, naming the op as TF's ValueError does.
 */
export function broadcastShapes(a: Shape, b: Shape, what = "'broadcast'"): Shape {
  if (a === null || b === null) return null;
  const rank = Math.max(a.length, b.length);
  const out: (number | null)[] = [];
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)]!;
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)]!;
    if (da === 1) out.push(db);
    else if (db === 1) out.push(da);
    else if (da === null) out.push(db);
    else if (db === null || da === db) out.push(da);
    else {
      throw new RangeError(
        `Dimensions must be equal, but are ${da} and ${db} for ${what} with input shapes: ${shapeString(a)}, ${shapeString(b)}.`,
      );
    }
  }
  return out;
}

/** The most specific shape compatible with both; RangeError when they clash. */
export function mergeShapes(a: Shape, b: Shape, what = "'merge'"): Shape {
  if (a === null) return b === null ? null : [...b];
  if (b === null) return [...a];
  if (a.length !== b.length) {
    throw new RangeError(`Shapes must be equal rank, but are ${a.length} and ${b.length} for ${what}: ${shapeString(a)} vs. ${shapeString(b)}`);
  }
  return a.map((d, i) => {
    const e = b[i]!;
    if (d === null) return e;
    if (e !== null && e !== d) {
      throw new RangeError(`Dimension ${i} in both shapes must be equal, but are ${d} and ${e} for ${what}: ${shapeString(a)} vs. ${shapeString(b)}`);
    }
    return d;
  });
}

/** "'name' (op: 'Type')", how TF's shape errors name an op. */
export function opContext(name: string, type: string): string {
  return `'${name}' (op: '${type}')`;
}

/** A possibly negative axis as an index in [0, rank); RangeError outside [-rank, rank). */
export function normalizeAxis(axis: number, rank: number, what = "axis"): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new RangeError(`${what} ${axis} is out of range for a tensor of rank ${rank}: expected an integer in [${-rank}, ${rank})`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Dims with `k` more or fewer nulls: an unknown shape of a known rank. */
export function unknownShapeOfRank(rank: number | null): Shape {
  return rank === null ? null : new Array<number | null>(rank).fill(null);
}

function ndarrayNumbers(a: NDArray): number[] | null {
  if (a.dtype === "string" || a.dtype === "resource") return null;
  return Array.from(a.data as ArrayLike<number | bigint>, (v) => Number(v));
}

/**
 * The value of `t` when the graph alone determines it (TF's constant_value): a Const, a Shape/Size/
 * Rank of a tensor whose static shape answers it, Identity of one of those, a Pack of scalars.
 * Returned as plain numbers, flattened; null when not known statically.
 */
export function constantNumbers(t: Tensor): number[] | null {
  const op = t.op;
  switch (op.type) {
    case "Const": {
      const v = op.attrs.value;
      return v && "tensor" in v ? ndarrayNumbers(v.tensor) : null;
    }
    case "Shape": {
      const s = op.inputs[0]!.shape;
      return isFullyDefined(s) ? [...s] : null;
    }
    case "Size": {
      const n = numElements(op.inputs[0]!.shape);
      return n === null ? null : [n];
    }
    case "Rank": {
      const r = op.inputs[0]!.rank;
      return r === null ? null : [r];
    }
    case "Identity":
    case "Cast":
      return constantNumbers(op.inputs[0]!);
    case "Pack": {
      const out: number[] = [];
      for (const x of op.inputs) {
        const v = constantNumbers(x);
        if (v === null || v.length !== 1) return null;
        out.push(v[0]!);
      }
      return out;
    }
    default:
      return null;
  }
}

/**
 * A shape described by a 1-D int tensor, as far as the graph knows it (TF's
 * constant_value_as_shape): -1 and unknown elements become null; unknown length gives null.
 */
export function shapeFromTensor(t: Tensor): Shape {
  const op = t.op;
  if (op.type === "Shape") return op.inputs[0]!.shape === null ? null : [...op.inputs[0]!.shape];
  if (op.type === "Pack") {
    return op.inputs.map((x) => {
      const v = constantNumbers(x);
      return v !== null && v.length === 1 && v[0]! >= 0 ? v[0]! : null;
    });
  }
  if (op.type === "ConcatV2") {
    const parts = op.inputs.slice(0, -1).map(shapeFromTensor);
    if (parts.some((p) => p === null)) return null;
    return parts.flatMap((p) => p as (number | null)[]);
  }
  const v = constantNumbers(t);
  if (v !== null) return v.map((d) => (d < 0 ? null : d));
  if (t.shape !== null && t.shape.length === 1 && t.shape[0] !== null) return unknownShapeOfRank(t.shape[0]!);
  return null;
}
