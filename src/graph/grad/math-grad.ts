/**
 * Gradients of the element-wise math ops (TF's math_grad.py): broadcasting binary ops sum their
 * gradient back to each input's shape; unary ops multiply by their derivative, through the
 * fused *Grad ops where TF has one (SigmoidGrad, TanhGrad, ReluGrad).
 */
import type { Operation } from "../graph.js";
import { where } from "../ops/array-index.js";
import { zerosLike, onesLike } from "../ops/creation.js";
import { add, cast, div, greater, greaterEqual, less, lessEqual, log, mul, neg, pow, sub } from "../ops/math.js";
import type { Tensor } from "../tensor.js";
import { reluGrad, sigmoidGrad, tanhGrad, unbroadcast } from "./grad-ops.js";
import { registerGradient, registerNotDifferentiable } from "./registry.js";
import type { GradFn } from "./registry.js";

function inputsOf(op: Operation): [Tensor, Tensor] {
  return [op.inputs[0]!, op.inputs[1]!];
}

/** A binary op's gradient from the two full-shape gradients, summed back to each input. */
function binaryGrad(partials: (op: Operation, g: Tensor) => [Tensor | null, Tensor | null]): GradFn {
  return (op, [g]) => {
    if (!g) return [null, null];
    const [x, y] = inputsOf(op);
    const [gx, gy] = partials(op, g);
    return [gx && unbroadcast(gx, x, y), gy && unbroadcast(gy, y, x)];
  };
}

const addGrad = binaryGrad((_op, g) => [g, g]);
registerGradient("AddV2", addGrad);
registerGradient("Add", addGrad);
registerGradient("Sub", binaryGrad((_op, g) => [g, neg(g)]));
registerGradient(
  "Mul",
  binaryGrad((op, g) => {
    const [x, y] = inputsOf(op);
    return [mul(g, y), mul(x, g)];
  }),
);
registerGradient(
  "RealDiv",
  binaryGrad((op, g) => {
    const [x, y] = inputsOf(op);
    return [div(g, y), mul(g, div(div(neg(x), y), y))];
  }),
);
registerGradient(
  "Pow",
  binaryGrad((op, g) => {
    const [x, y] = inputsOf(op);
    const z = op.outputs[0]!;
    const gx = mul(mul(g, y), pow(x, sub(y, 1)));
    // log(x) only where x > 0: the derivative in y is taken as 0 elsewhere, as TF does.
    const positive = greater(x, zerosLike(x));
    const logX = where(positive, log(where(positive, x, onesLike(x))), zerosLike(x));
    return [gx, mul(mul(g, z), logX)];
  }),
);

function maxMinGrad(selector: typeof greaterEqual): GradFn {
  return binaryGrad((op, g) => {
    const [x, y] = inputsOf(op);
    const xmask = selector(x, y);
    const zeros = zerosLike(g);
    return [where(xmask, g, zeros), where(xmask, zeros, g)];
  });
}
registerGradient("Maximum", maxMinGrad(greaterEqual));
registerGradient("Minimum", maxMinGrad(lessEqual));

/** A unary op whose input gradient is `fn(op, g)`. */
function unary(type: string, fn: (op: Operation, g: Tensor) => Tensor): void {
  registerGradient(type, (op, [g]) => [g ? fn(op, g) : null]);
}

const x0 = (op: Operation): Tensor => op.inputs[0]!;
const y0 = (op: Operation): Tensor => op.outputs[0]!;

unary("Neg", (_op, g) => neg(g));
unary("Square", (op, g) => mul(g, mul(x0(op), 2)));
unary("Sqrt", (op, g) => div(mul(g, 0.5), y0(op)));
unary("Exp", (op, g) => mul(g, y0(op)));
unary("Log", (op, g) => div(g, x0(op)));
unary("Log1p", (op, g) => div(g, add(x0(op), 1)));
unary("Abs", (op, g) => {
  const x = x0(op);
  const sign = sub(cast(greater(x, 0), x.dtype), cast(less(x, 0), x.dtype));
  return mul(g, sign);
});
unary("Sigmoid", (op, g) => sigmoidGrad(y0(op), g));
unary("Tanh", (op, g) => tanhGrad(y0(op), g));
unary("Relu", (op, g) => reluGrad(g, y0(op)));

registerGradient("Cast", (op, [g]) => {
  const src = x0(op).dtype;
  const floats = (d: string) => d === "float32" || d === "float64";
  return [g && floats(src) && floats(g.dtype) ? cast(g, src) : null];
});

registerNotDifferentiable(
  "Less",
  "LessEqual",
  "Greater",
  "GreaterEqual",
  "Equal",
  "NotEqual",
  "LogicalAnd",
  "LogicalOr",
  "LogicalNot",
  "FloorDiv",
  "Floor",
  "ArgMax",
  "ArgMin",
);
