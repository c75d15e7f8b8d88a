/**
 * Build-time shape rules of TF's Python queue classes (data_flow_ops.py `_as_shape_list` and the
 * static checks of enqueue / enqueue_many), with Python's texts. TF raises ValueError/TypeError
 * while building the graph; here a malformed argument is a TypeError and a count or shape that
 * does not fit is a RangeError.
 */
import type { DType } from "../../tensor/dtypes.js";
import { isDType } from "../../tensor/dtypes.js";
import type { Shape } from "../graph-def.js";

/** One static shape as a user writes it: dims, `null` (or -1) for an unknown dim. */
export type ShapeLike = readonly (number | null)[];

/**
 * The `shapes` argument: one shape (a flat list of dims, so `[]` is one scalar component and
 * `[3, 2]` one 3×2 component), or a list with one shape per component (`null` = unknown rank).
 */
export type ShapesArg = ShapeLike | readonly (ShapeLike | null)[];

/** Python's TensorShape text, TF1 style: "(3, ?)", "(3,)", "()", "<unknown>". */
export function pyShape(shape: Shape): string {
  if (shape === null) return "<unknown>";
  const dims = shape.map((d) => (d === null ? "?" : String(d)));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(", ")})`;
}

function isDim(x: unknown): x is number | null {
  return x === null || typeof x === "number";
}

function toShape(s: ShapeLike | null): Shape {
  if (s === null) return null;
  return s.map((d) => {
    if (d !== null && (!Number.isInteger(d) || d < -1)) throw new TypeError(`Dimension value must be an integer or None, got ${d}`);
    return d === null || d === -1 ? null : d;
  });
}

/**
 * TF's `_as_shape_list`: null for "no shapes", else one Shape per component.
 * `partial` (PaddingFIFOQueue) requires a list of shapes and allows unknown dims.
 */
export function asShapeList(shapes: ShapesArg | null | undefined, partial: boolean): Shape[] | null {
  if (partial) {
    if (!Array.isArray(shapes) || shapes.length === 0 || shapes.some(isDim)) {
      throw new RangeError("When providing partial shapes, a list of shapes must be provided.");
    }
  }
  if (shapes === null || shapes === undefined) return null;
  if (!Array.isArray(shapes)) throw new TypeError("shapes must be a TensorShape or a list or tuple of TensorShapes.");
  const list: (ShapeLike | null)[] = shapes.every(isDim) ? [shapes as ShapeLike] : (shapes as (ShapeLike | null)[]);
  for (const s of list) {
    if (s !== null && !Array.isArray(s)) throw new TypeError("shapes must be a TensorShape or a list or tuple of TensorShapes.");
  }
  const out = list.map(toShape);
  const text = `[${out.map(pyShape).join(", ")}]`;
  if (!partial && out.some((s) => s !== null && s.some((d) => d === null))) throw new RangeError(`All shapes must be fully defined: ${text}`);
  if (out.some((s) => s === null)) throw new RangeError(`All shapes must have a defined rank: ${text}`);
  return out;
}

/** The `dtypes` argument: one dtype or a non-empty list (the op attr has minimum length 1). */
export function asTypeList(dtypes: DType | readonly DType[], opType: string, minLength = 1): DType[] {
  const list = Array.isArray(dtypes) ? [...(dtypes as readonly DType[])] : [dtypes as DType];
  for (const d of list) if (!isDType(d) || d === "resource") throw new TypeError(`Expected DataType for argument 'dtypes' not ${String(d)}.`);
  if (list.length < minLength) {
    throw new RangeError(`Attr 'component_types' of '${opType}' Op passed list of length ${list.length} less than minimum ${minLength}.`);
  }
  return list;
}

/** TensorShape.is_compatible_with. */
export function shapesCompatible(a: Shape, b: Shape): boolean {
  if (a === null || b === null) return true;
  return a.length === b.length && a.every((d, i) => d === null || b[i] === null || d === b[i]);
}

/** TensorShape.assert_is_compatible_with, with Python's text. */
export function assertCompatible(value: Shape, component: Shape): void {
  if (!shapesCompatible(value, component)) throw new RangeError(`Shapes ${pyShape(value)} and ${pyShape(component)} are incompatible`);
}

/**
 * enqueue_many's static checks: every value has rank ≥ 1, the batch dims agree, and each
 * `shape[1:]` fits its component. Returns the batch dim when known.
 */
export function checkEnqueueManyShapes(values: readonly Shape[], components: readonly Shape[]): number | null {
  let batch: number | null = null;
  values.forEach((shape, i) => {
    if (shape === null) return;
    if (shape.length < 1) throw new RangeError(`Shape ${pyShape(shape)} must have rank at least 1`);
    const dim = shape[0]!;
    if (dim !== null) {
      if (batch !== null && batch !== dim) throw new RangeError(`Dimensions ${batch} and ${dim} are not compatible`);
      batch = dim;
    }
    assertCompatible(shape.slice(1), components[i] ?? null);
  });
  return batch;
}

/** `[batch] + shape`, or unknown when the component shape is. */
export function batchShape(batch: number | null, shape: Shape): Shape {
  return shape === null ? null : [batch, ...shape];
}
