/**
 * Element-wise math kernels on TensorFlow.js (AddV2, Sub, Mul, RealDiv, FloorDiv, comparisons,
 * logical ops, unary functions) and Cast. Outputs keep the inputs' dtype; int64 and float64 are
 * computed exactly on the host (host64.ts), uint8 in int32 and converted back. Matrix ops and reductions: math-reduce.ts.
 */
import { UnimplementedError } from "../../errors/index.js";
import type { DType } from "../../tensor/dtypes.js";
import { isFloating } from "../../tensor/dtypes.js";
import { NDArray, sizeOf } from "../../tensor/ndarray.js";
import { compute, tfc } from "../compute/backend.js";
import { alloc, broadcastIndex, broadcastOrThrow, input, invalidArg, toNumbers } from "./kernel-utils.js";
import { registerKernel } from "./registry.js";
import { BINARY64, UNARY64, binary64, is64, unary64 } from "./host64.js";
import type { KernelContext } from "./registry.js";

type TfBinary = (a: tfc.Tensor, b: tfc.Tensor) => tfc.Tensor;
type TfUnary = (a: tfc.Tensor) => tfc.Tensor;

function operands(ctx: KernelContext): [NDArray, NDArray] {
  const [a, b] = [input(ctx, 0), input(ctx, 1)];
  if (a.dtype !== b.dtype) throw invalidArg(ctx, `${ctx.node.op} expects inputs of one dtype, got ${a.dtype} and ${b.dtype}`);
  broadcastOrThrow(ctx, a.shape, b.shape);
  return [a, b];
}

type HostBinary = (x: number, y: number) => number;

/**
 * Tiny float32 operands are computed on the host: a TensorFlow.js call costs ~20 µs of fixed
 * overhead, which dominates small steps. IEEE float32 add/sub/mul/div of float32 values computed
 * in double and rounded once give the same bits, so the two paths agree exactly.
 */
const HOST_MAX_ELEMENTS = 64;

function hostBinary(ctx: KernelContext, a: NDArray, b: NDArray, op: HostBinary): NDArray[] {
  const shape = broadcastOrThrow(ctx, a.shape, b.shape);
  const [da, db] = [a.data as Float32Array, b.data as Float32Array];
  const out = new Float32Array(sizeOf(shape));
  if (da.length === out.length && db.length === out.length) {
    for (let i = 0; i < out.length; i++) out[i] = op(da[i]!, db[i]!);
  } else {
    const [ia, ib] = [broadcastIndex(shape, a.shape), broadcastIndex(shape, b.shape)];
    for (let i = 0; i < out.length; i++) out[i] = op(da[ia[i]!]!, db[ib[i]!]!);
  }
  return [new NDArray("float32", shape, out)];
}

function registerBinary(
  type: string,
  fn: TfBinary,
  outDType?: DType,
  check?: (ctx: KernelContext, a: NDArray, b: NDArray) => void,
  host?: HostBinary,
): void {
  registerKernel(type, (ctx) => {
    const [a, b] = operands(ctx);
    if (a.dtype === "string" || a.dtype === "resource") throw invalidArg(ctx, `${type} does not support dtype ${a.dtype}`);
    if (is64(a.dtype) && BINARY64[type]) return [binary64(ctx, a, b, BINARY64[type]!)];
    check?.(ctx, a, b);
    if (host && a.dtype === "float32" && a.size <= HOST_MAX_ELEMENTS && b.size <= HOST_MAX_ELEMENTS) return hostBinary(ctx, a, b, host);
    return compute([a, b], [outDType ?? a.dtype], (x, y) => fn(x!, y!));
  });
}

function noZeroDivisor(ctx: KernelContext, _a: NDArray, b: NDArray): void {
  if (!isFloating(b.dtype) && toNumbers(b).includes(0)) throw invalidArg(ctx, "Integer division by zero");
}

function noNegativeIntPower(ctx: KernelContext, _a: NDArray, b: NDArray): void {
  if (!isFloating(b.dtype) && toNumbers(b).some((v) => v < 0)) throw invalidArg(ctx, "Integers to negative integer powers are not allowed");
}

registerBinary("AddV2", tfc.add, undefined, undefined, (x, y) => x + y);
registerBinary("Add", tfc.add, undefined, undefined, (x, y) => x + y);
registerBinary("Sub", tfc.sub, undefined, undefined, (x, y) => x - y);
registerBinary("Mul", tfc.mul, undefined, undefined, (x, y) => x * y);
registerBinary(
  "RealDiv",
  (a, b) => (a.dtype === "float32" ? tfc.div(a, b) : tfc.div(tfc.cast(a, "float32"), tfc.cast(b, "float32"))),
  undefined,
  undefined,
  (x, y) => x / y,
);
registerBinary("FloorDiv", tfc.floorDiv, undefined, noZeroDivisor);
registerBinary("Maximum", tfc.maximum);
registerBinary("Minimum", tfc.minimum);
registerBinary("Pow", tfc.pow, undefined, noNegativeIntPower);
registerBinary("Less", tfc.less, "bool");
registerBinary("LessEqual", tfc.lessEqual, "bool");
registerBinary("Greater", tfc.greater, "bool");
registerBinary("GreaterEqual", tfc.greaterEqual, "bool");
registerBinary("LogicalAnd", tfc.logicalAnd, "bool");
registerBinary("LogicalOr", tfc.logicalOr, "bool");

function bytesEqual(x: Uint8Array, y: Uint8Array): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Equal / NotEqual: strings compare bytes on the host, everything else on TensorFlow.js. */
function registerEquality(type: "Equal" | "NotEqual"): void {
  const want = type === "Equal";
  registerKernel(type, (ctx) => {
    const [a, b] = operands(ctx);
    if (a.dtype === "string") {
      const shape = broadcastOrThrow(ctx, a.shape, b.shape);
      const [ia, ib] = [broadcastIndex(shape, a.shape), broadcastIndex(shape, b.shape)];
      const [da, db] = [a.data as Uint8Array[], b.data as Uint8Array[]];
      const out = Uint8Array.from(ia, (k, i) => (bytesEqual(da[k]!, db[ib[i]!]!) === want ? 1 : 0));
      return [new NDArray("bool", shape, out)];
    }
    if (is64(a.dtype)) return [binary64(ctx, a, b, BINARY64[type]!)];
    return compute([a, b], ["bool"], (x, y) => (want ? tfc.equal(x!, y!) : tfc.notEqual(x!, y!)));
  });
}

registerEquality("Equal");
registerEquality("NotEqual");

function registerUnary(type: string, fn: TfUnary, floatOnly = false): void {
  registerKernel(type, (ctx) => {
    const x = input(ctx, 0);
    if (x.dtype === "string" || x.dtype === "resource" || (floatOnly && !isFloating(x.dtype))) {
      throw invalidArg(ctx, `${type} does not support dtype ${x.dtype}`);
    }
    if (is64(x.dtype) && UNARY64[type]) return [unary64(x, UNARY64[type]!)];
    return compute([x], [x.dtype], (t) => fn(t!));
  });
}

registerUnary("Neg", tfc.neg);
registerUnary("Abs", tfc.abs);
registerUnary("Square", tfc.square);
registerUnary("Relu", tfc.relu);
registerUnary("Sqrt", tfc.sqrt, true);
registerUnary("Exp", tfc.exp, true);
registerUnary("Log", tfc.log, true);
registerUnary("Log1p", tfc.log1p, true);
registerUnary("Sigmoid", tfc.sigmoid, true);
registerUnary("Tanh", tfc.tanh, true);
registerUnary("LogicalNot", tfc.logicalNot);
registerUnary("Floor", tfc.floor, true);

/** One element of a numeric/bool NDArray converted for a `to` buffer (C++ static_cast rules). */
function castElements(src: NDArray, to: DType): NDArray["data"] {
  const n = src.size;
  const out = alloc(to, n);
  if (src.dtype === "int64" && (to === "int64" || to === "int32" || to === "uint8")) {
    const s = src.data as BigInt64Array;
    for (let i = 0; i < n; i++) {
      if (to === "int64") (out as BigInt64Array)[i] = s[i]!;
      else (out as Int32Array)[i] = Number(to === "int32" ? BigInt.asIntN(32, s[i]!) : BigInt.asUintN(8, s[i]!));
    }
    return out;
  }
  const values = toNumbers(src);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    switch (to) {
      case "float32":
      case "float64":
        (out as Float64Array)[i] = v;
        break;
      case "bool":
        (out as Uint8Array)[i] = v !== 0 ? 1 : 0;
        break;
      case "int64":
        (out as BigInt64Array)[i] = Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
        break;
      case "int32":
        (out as Int32Array)[i] = Math.trunc(v) | 0;
        break;
      case "uint8":
        (out as Uint8Array)[i] = Math.trunc(v) & 255;
        break;
      default:
        break;
    }
  }
  return out;
}

// Cast runs on the host: it is a per-element conversion, and int64 must stay exact.
registerKernel("Cast", (ctx) => {
  const x = input(ctx, 0);
  const to = ctx.attrs.type("DstT");
  if (x.dtype === to) return [x];
  if (x.dtype === "string" || to === "string" || x.dtype === "resource" || to === "resource") {
    throw new UnimplementedError(`Cast ${x.dtype} to ${to} is not supported`, { nodeName: ctx.node.name });
  }
  return [new NDArray(to, [...x.shape], castElements(x, to))];
});
