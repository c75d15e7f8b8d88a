/**
 * Element-wise math, comparisons and Cast, with TF's op types (AddV2, RealDiv, ...) and
 * broadcast shape inference. Matrix ops and reductions live in math-reduce.ts.
 */
import type { DType } from "../../tensor/dtypes.js";
import { isDType, isFloating } from "../../tensor/dtypes.js";
import { makeTensorOp } from "../convert.js";
import type { AttrValue } from "../graph-def.js";
import type { NameOption, TensorLike } from "../convert.js";
import type { Tensor } from "../tensor.js";
import { checkDType, dtypeOf, FLOAT_TYPES, NUMERIC_TYPES, opNamer, SIGNED_TYPES, toTensor, sameTypeInputs } from "./builder-utils.js";
import { broadcastShapes, opContext } from "./shape-utils.js";

export type BinaryOp = (x: TensorLike, y: TensorLike, options?: NameOption) => Tensor;
export type UnaryOp = (x: TensorLike, options?: NameOption) => Tensor;

const BOOL: readonly DType[] = ["bool"];
const ALL_COMPARABLE: readonly DType[] = [...NUMERIC_TYPES, "bool", "string"];

/** The T attr; the logical ops (bool only) have none in TF's op defs, so a GraphDef must not carry one. */
function typeAttr(dtype: DType, allowed: readonly DType[]): Record<string, AttrValue> {
  return allowed === BOOL ? {} : { T: { type: dtype } };
}

/** A broadcasting binary op; `out` is the output dtype when it is not the inputs' (comparisons). */
function binaryOp(type: string, base: string, allowed: readonly DType[], out?: DType): BinaryOp {
  return (x, y, options = {}) => {
    const namer = opNamer([x, y], base, options.name);
    const [a, b] = namer.inside(() => sameTypeInputs(type, [x, y], ["x", "y"]));
    checkDType(type, "x", a!, allowed);
    const shape = broadcastShapes(a!.shape, b!.shape, opContext(namer.fullName, type));
    return makeTensorOp(type, [a!, b!], typeAttr(a!.dtype, allowed), out ?? a!.dtype, shape, { name: namer.name });
  };
}

function unaryOp(type: string, allowed: readonly DType[]): UnaryOp {
  return (x, options = {}) => {
    const namer = opNamer([x], type, options.name);
    const t = namer.inside(() => toTensor(x, undefined, "x"));
    checkDType(type, "x", t, allowed);
    return makeTensorOp(type, [t], typeAttr(t.dtype, allowed), t.dtype, t.shape === null ? null : [...t.shape], { name: namer.name });
  };
}

/**
 * x + y, element-wise with broadcasting (AddV2).
 * @example tf.add(a, 1) // a tensor of a's dtype
 */
export const add: BinaryOp = binaryOp("AddV2", "Add", NUMERIC_TYPES);
/**
 * x - y with broadcasting (Sub).
 * @example tf.sub(a, b)
 */
export const sub: BinaryOp = binaryOp("Sub", "Sub", NUMERIC_TYPES);
/**
 * x * y with broadcasting (Mul).
 * @example tf.mul(w, 0.5)
 */
export const mul: BinaryOp = binaryOp("Mul", "Mul", NUMERIC_TYPES);
/**
 * max(x, y) element-wise (Maximum).
 * @example tf.maximum(x, 0)
 */
export const maximum: BinaryOp = binaryOp("Maximum", "Maximum", NUMERIC_TYPES);
/**
 * min(x, y) element-wise (Minimum).
 * @example tf.minimum(x, 6)
 */
export const minimum: BinaryOp = binaryOp("Minimum", "Minimum", NUMERIC_TYPES);
/**
 * x ** y element-wise (Pow).
 * @example tf.pow(x, 2)
 */
export const pow: BinaryOp = binaryOp("Pow", "Pow", SIGNED_TYPES);
/**
 * x == y element-wise, a bool tensor (Equal).
 * @example tf.equal(tf.argMax(y, 1), tf.argMax(labels, 1))
 */
export const equal: BinaryOp = binaryOp("Equal", "Equal", ALL_COMPARABLE, "bool");
/**
 * x != y element-wise (NotEqual).
 * @example tf.notEqual(x, 0)
 */
export const notEqual: BinaryOp = binaryOp("NotEqual", "NotEqual", ALL_COMPARABLE, "bool");
/**
 * x < y element-wise (Less).
 * @example tf.less(x, 0.5)
 */
export const less: BinaryOp = binaryOp("Less", "Less", NUMERIC_TYPES, "bool");
/**
 * x <= y element-wise (LessEqual).
 * @example tf.lessEqual(x, 0.5)
 */
export const lessEqual: BinaryOp = binaryOp("LessEqual", "LessEqual", NUMERIC_TYPES, "bool");
/**
 * x > y element-wise (Greater).
 * @example tf.greater(x, 0)
 */
export const greater: BinaryOp = binaryOp("Greater", "Greater", NUMERIC_TYPES, "bool");
/**
 * x >= y element-wise (GreaterEqual).
 * @example tf.greaterEqual(logits, 0)
 */
export const greaterEqual: BinaryOp = binaryOp("GreaterEqual", "GreaterEqual", NUMERIC_TYPES, "bool");
/**
 * x && y for bool tensors (LogicalAnd).
 * @example tf.logicalAnd(a, b)
 */
export const logicalAnd: BinaryOp = binaryOp("LogicalAnd", "LogicalAnd", BOOL);
/**
 * x || y for bool tensors (LogicalOr).
 * @example tf.logicalOr(a, b)
 */
export const logicalOr: BinaryOp = binaryOp("LogicalOr", "LogicalOr", BOOL);

const realDiv = binaryOp("RealDiv", "div", FLOAT_TYPES);
const floorDiv = binaryOp("FloorDiv", "div", ["int32", "int64", "uint8"]);

/**
 * x / y as TF 1.x's tf.div: RealDiv for floats, FloorDiv (rounding down) for integers.
 * @example tf.div(tf.constant([7], {dtype: "int32"}), 2) // [3]
 */
export function div(x: TensorLike, y: TensorLike, options: NameOption = {}): Tensor {
  const dtype = [x, y].map(dtypeOf).find((d) => d !== undefined);
  return dtype !== undefined && !isFloating(dtype) ? floorDiv(x, y, options) : realDiv(x, y, options);
}

/**
 * -x (Neg).
 * @example tf.neg(x)
 */
export const neg: UnaryOp = unaryOp("Neg", SIGNED_TYPES);
/**
 * |x| (Abs).
 * @example tf.abs(x)
 */
export const abs: UnaryOp = unaryOp("Abs", SIGNED_TYPES);
/**
 * x * x (Square).
 * @example tf.reduceSum(tf.square(err))
 */
export const square: UnaryOp = unaryOp("Square", SIGNED_TYPES);
/**
 * Square root (Sqrt).
 * @example tf.sqrt(x)
 */
export const sqrt: UnaryOp = unaryOp("Sqrt", FLOAT_TYPES);
/**
 * e ** x (Exp).
 * @example tf.exp(x)
 */
export const exp: UnaryOp = unaryOp("Exp", FLOAT_TYPES);
/**
 * Natural logarithm (Log).
 * @example tf.log(p)
 */
export const log: UnaryOp = unaryOp("Log", FLOAT_TYPES);
/**
 * log(1 + x), accurate near 0 (Log1p).
 * @example tf.log1p(tf.exp(x))
 */
export const log1p: UnaryOp = unaryOp("Log1p", FLOAT_TYPES);
/**
 * 1 / (1 + e ** -x) (Sigmoid).
 * @example tf.sigmoid(logits)
 */
export const sigmoid: UnaryOp = unaryOp("Sigmoid", FLOAT_TYPES);
/**
 * Hyperbolic tangent (Tanh).
 * @example tf.tanh(x)
 */
export const tanh: UnaryOp = unaryOp("Tanh", FLOAT_TYPES);
/**
 * max(x, 0) (Relu).
 * @example tf.relu(tf.add(tf.matMul(x, w), b))
 */
export const relu: UnaryOp = unaryOp("Relu", SIGNED_TYPES);
/**
 * The largest integer not greater than x, element-wise, in x's float dtype (Floor).
 * @example tf.floor(tf.div(step, 100))
 */
export const floor: UnaryOp = unaryOp("Floor", FLOAT_TYPES);
/**
 * !x for a bool tensor (LogicalNot).
 * @example tf.logicalNot(mask)
 */
export const logicalNot: UnaryOp = unaryOp("LogicalNot", BOOL);

/**
 * `x` converted to `dtype` (Cast; float → int truncates toward zero). A tensor that already has
 * `dtype` is returned as it is, as in TF.
 * @example tf.cast(tf.equal(a, b), "float32")
 */
export function cast(x: TensorLike, dtype: DType, options: NameOption = {}): Tensor {
  if (!isDType(dtype)) throw new TypeError(`cast: unknown dtype ${String(dtype)}`);
  const namer = opNamer([x], "Cast", options.name);
  const t = namer.inside(() => toTensor(x, undefined, "x"));
  if (t.dtype === dtype) return t;
  if (t.dtype === "string" || dtype === "string" || t.dtype === "resource" || dtype === "resource") {
    throw new TypeError(`Cast from ${t.dtype} to ${dtype} is not supported`);
  }
  return makeTensorOp(
    "Cast",
    [t],
    { SrcT: { type: t.dtype }, DstT: { type: dtype }, Truncate: { b: false } },
    dtype,
    t.shape === null ? null : [...t.shape],
    { name: namer.name },
  );
}
