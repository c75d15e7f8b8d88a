/**
 * Training kernels. The optimizers' update ops on resource variables, with TF's inputs, attrs and
 * arithmetic (ResourceApplyGradientDescent, ResourceApplyMomentum, ResourceApplyAdam), and the
 * helper ops gradient graphs are built from (AddN, SigmoidGrad, TanhGrad, ReluGrad,
 * BroadcastGradientArgs, UnsortedSegmentSum, InvertPermutation).
 *
 * The updates run on the host in double precision, then store in the variable's dtype. Each one
 * is synchronous, so it is atomic on its task: concurrent steps from several workers interleave
 * whole updates (TF's use_locking=true behaviour; the attr is accepted and has nothing to add).
 * A variable's value is never mutated in place: a fetched or in-flight value stays as it was.
 */
import { FailedPreconditionError } from "../../errors/index.js";
import { isFloating } from "../../tensor/dtypes.js";
import type { DType } from "../../tensor/dtypes.js";
import { NDArray, ndarray, sizeOf } from "../../tensor/ndarray.js";
import type { ResourceHandle } from "../../tensor/resource-handle.js";
import type { VariableResource } from "../resources/variable.js";
import { alloc, broadcastOrThrow, input, intVector, invalidArg, scalarNumber, shapeStr, toNumbers } from "./kernel-utils.js";
import { registerKernel } from "./registry.js";
import type { KernelContext } from "./registry.js";

export type Floats = Float32Array | Float64Array;

/** The initialised variable behind resource input `i` ("var", "accum", "m", ...). */
export function variableAt(ctx: KernelContext, i: number, what: string): VariableResource & { value: NDArray } {
  const h = input(ctx, i);
  if (h.dtype !== "resource") throw invalidArg(ctx, `${ctx.node.op}: input ${i} ('${what}') must be a resource handle, got ${h.dtype}`);
  const handle = (h.data as ResourceHandle[])[0]!;
  const v = ctx.resources.lookup<VariableResource>(handle.container, "Var", handle.name);
  if (!v || v.value === null) {
    const c = ctx.resources.resolveContainer(handle.container);
    throw new FailedPreconditionError(
      `Error while reading resource variable ${handle.name} from Container: ${c}. This could mean that the variable was uninitialized. ` +
        `Not found: Resource ${c}/${handle.name}/Var does not exist. (Attempting to use uninitialized value ${handle.name}, '${what}' of ${ctx.node.op})`,
      { nodeName: ctx.node.name },
    );
  }
  if (!isFloating(v.dtype)) throw invalidArg(ctx, `${ctx.node.op} does not support variables of dtype ${v.dtype} ('${what}')`);
  const dtype = ctx.attrs.type("T", v.dtype);
  if (v.dtype !== dtype) throw invalidArg(ctx, `${ctx.node.op}: '${what}' has dtype ${v.dtype} but T is ${dtype}`);
  return v as VariableResource & { value: NDArray };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function checkLike(ctx: KernelContext, varShape: number[], other: NDArray, what: string): void {
  if (!sameShape(varShape, other.shape)) {
    throw invalidArg(ctx, `var and ${what} do not have the same shape${shapeStr(varShape)} ${shapeStr(other.shape)}`);
  }
}

/** A scalar hyper-parameter input (lr, momentum, beta1, ...), TF's "is not a scalar" error otherwise. */
export function scalarInput(ctx: KernelContext, i: number, what: string): number {
  const a = input(ctx, i);
  if (a.rank !== 0) throw invalidArg(ctx, `${what} is not a scalar: ${shapeStr(a.shape)}`);
  return scalarNumber(ctx, a, what);
}

/** A float tensor input with the variable's shape (the gradient). */
export function gradInput(ctx: KernelContext, i: number, varShape: number[], what: string): ArrayLike<number> {
  const g = input(ctx, i);
  if (!isFloating(g.dtype)) throw invalidArg(ctx, `${ctx.node.op}: ${what} must be a float tensor, got ${g.dtype}`);
  checkLike(ctx, varShape, g, what);
  return g.data as Floats;
}

/** A copy of `a`'s values to update (a new buffer, so the old value stays intact). */
export function fresh(a: NDArray): Floats {
  return (a.data as Floats).slice();
}

registerKernel(
  "ResourceApplyGradientDescent",
  (ctx) => {
    const v = variableAt(ctx, 0, "var");
    const alpha = scalarInput(ctx, 1, "alpha");
    const delta = gradInput(ctx, 2, v.value.shape, "delta");
    const out = fresh(v.value);
    for (let i = 0; i < out.length; i++) out[i] = out[i]! - alpha * delta[i]!;
    v.value = new NDArray(v.dtype, [...v.value.shape], out);
    return [];
  },
  { stateful: true },
);

registerKernel(
  "ResourceApplyMomentum",
  (ctx) => {
    const v = variableAt(ctx, 0, "var");
    const accum = variableAt(ctx, 1, "accum");
    checkLike(ctx, v.value.shape, accum.value, "accum");
    const lr = scalarInput(ctx, 2, "lr");
    const grad = gradInput(ctx, 3, v.value.shape, "grad");
    const momentum = scalarInput(ctx, 4, "momentum");
    const nesterov = ctx.attrs.b("use_nesterov", false);
    const [w, a] = [fresh(v.value), fresh(accum.value)];
    for (let i = 0; i < w.length; i++) {
      a[i] = a[i]! * momentum + grad[i]!;
      w[i] = nesterov ? w[i]! - (grad[i]! * lr + a[i]! * momentum * lr) : w[i]! - lr * a[i]!;
    }
    accum.value = new NDArray(accum.dtype, [...accum.value.shape], a);
    v.value = new NDArray(v.dtype, [...v.value.shape], w);
    return [];
  },
  { stateful: true },
);

registerKernel(
  "ResourceApplyAdam",
  (ctx) => {
    const v = variableAt(ctx, 0, "var");
    const m = variableAt(ctx, 1, "m");
    const s = variableAt(ctx, 2, "v");
    checkLike(ctx, v.value.shape, m.value, "m");
    checkLike(ctx, v.value.shape, s.value, "v");
    const [beta1Power, beta2Power, lr, beta1, beta2, epsilon] = ["beta1_power", "beta2_power", "lr", "beta1", "beta2", "epsilon"].map((w, k) =>
      scalarInput(ctx, 3 + k, w),
    ) as [number, number, number, number, number, number];
    const grad = gradInput(ctx, 9, v.value.shape, "grad");
    const nesterov = ctx.attrs.b("use_nesterov", false);
    const lrT = (lr * Math.sqrt(1 - beta2Power)) / (1 - beta1Power);
    const [w, mm, vv] = [fresh(v.value), fresh(m.value), fresh(s.value)];
    for (let i = 0; i < w.length; i++) {
      const g = grad[i]!;
      mm[i] = mm[i]! + (g - mm[i]!) * (1 - beta1);
      vv[i] = vv[i]! + (g * g - vv[i]!) * (1 - beta2);
      const num = nesterov ? g * (1 - beta1) + beta1 * mm[i]! : mm[i]!;
      w[i] = w[i]! - (num * lrT) / (Math.sqrt(vv[i]!) + epsilon);
    }
    m.value = new NDArray(m.dtype, [...m.value.shape], mm);
    s.value = new NDArray(s.dtype, [...s.value.shape], vv);
    v.value = new NDArray(v.dtype, [...v.value.shape], w);
    return [];
  },
  { stateful: true },
);

// ---- ops that gradient graphs are built from ----

function floatInput(ctx: KernelContext, i: number): NDArray {
  const x = input(ctx, i);
  if (!isFloating(x.dtype)) throw invalidArg(ctx, `${ctx.node.op} does not support dtype ${x.dtype}`);
  return x;
}

/** An element-wise kernel of two same-shaped float inputs. */
function registerElementwise(type: string, fn: (a: number, b: number) => number): void {
  registerKernel(type, (ctx) => {
    const [a, b] = [floatInput(ctx, 0), floatInput(ctx, 1)];
    if (!sameShape(a.shape, b.shape)) throw invalidArg(ctx, `${type}: inputs must have the same shape, got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
    const [x, y] = [a.data as Floats, b.data as Floats];
    const out = alloc(a.dtype, a.size) as Floats;
    for (let i = 0; i < out.length; i++) out[i] = fn(x[i]!, y[i]!);
    return [new NDArray(a.dtype, [...a.shape], out)];
  });
}

// (y, dy) → dy · y · (1 − y), TF's SigmoidGrad.
registerElementwise("SigmoidGrad", (y, dy) => dy * y * (1 - y));
// (y, dy) → dy · (1 − y²), TF's TanhGrad.
registerElementwise("TanhGrad", (y, dy) => dy * (1 - y * y));
// (gradients, features) → gradients where features > 0, else 0 (TF's ReluGrad).
registerElementwise("ReluGrad", (g, f) => (f > 0 ? g : 0));

registerKernel("AddN", (ctx) => {
  const xs = ctx.inputs;
  const first = xs[0];
  if (!first) throw invalidArg(ctx, "AddN needs at least one input");
  if (first.dtype === "string" || first.dtype === "resource" || first.dtype === "bool") throw invalidArg(ctx, `AddN does not support dtype ${first.dtype}`);
  xs.forEach((x, i) => {
    if (!sameShape(x.shape, first.shape) || x.dtype !== first.dtype) {
      throw invalidArg(ctx, `AddN: inputs must have one shape and dtype: inputs[0] is ${first.dtype}${shapeStr(first.shape)}, inputs[${i}] is ${x.dtype}${shapeStr(x.shape)}`);
    }
  });
  const sums = new Float64Array(first.size);
  for (const x of xs) toNumbers(x).forEach((v, i) => (sums[i] = sums[i]! + v));
  return [ndarray(sums, { dtype: first.dtype, shape: [...first.shape] })];
});

/** The dims of `shape` (right-aligned in `rank`) where it is 1 or absent: what its gradient sums over. */
function broadcastReduceIndices(shape: number[], rank: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const d = i < rank - shape.length ? 1 : shape[i - (rank - shape.length)]!;
    if (d === 1) out.push(i);
  }
  return out;
}

registerKernel("BroadcastGradientArgs", (ctx) => {
  const s0 = intVector(ctx, input(ctx, 0), "s0");
  const s1 = intVector(ctx, input(ctx, 1), "s1");
  broadcastOrThrow(ctx, s0, s1);
  const rank = Math.max(s0.length, s1.length);
  const dtype = ctx.attrs.type("T", input(ctx, 0).dtype);
  return [s0, s1].map((s) => {
    const r = broadcastReduceIndices(s, rank);
    return ndarray(r, { dtype, shape: [r.length] });
  });
});

registerKernel("UnsortedSegmentSum", (ctx) => {
  const data = input(ctx, 0);
  const ids = toNumbers(input(ctx, 1));
  const idShape = input(ctx, 1).shape;
  const num = scalarNumber(ctx, input(ctx, 2), "num_segments");
  if (data.dtype === "string" || data.dtype === "resource" || data.dtype === "bool") throw invalidArg(ctx, `UnsortedSegmentSum does not support dtype ${data.dtype}`);
  if (!sameShape(data.shape.slice(0, idShape.length), idShape)) {
    throw invalidArg(ctx, `data.shape = ${shapeStr(data.shape)} does not start with segment_ids.shape = ${shapeStr(idShape)}`);
  }
  const inner = sizeOf(data.shape.slice(idShape.length));
  const values = toNumbers(data);
  const sums = new Float64Array(num * inner);
  ids.forEach((id, k) => {
    if (id < 0) return; // TF drops negative ids
    if (id >= num) throw invalidArg(ctx, `segment_ids[${k}] = ${id} is out of range [0, ${num})`);
    for (let j = 0; j < inner; j++) sums[id * inner + j] = sums[id * inner + j]! + values[k * inner + j]!;
  });
  return [ndarray(sums, { dtype: data.dtype, shape: [num, ...data.shape.slice(idShape.length)] })];
});

registerKernel("InvertPermutation", (ctx) => {
  const x = input(ctx, 0);
  const perm = intVector(ctx, x, "x");
  const out = new Array<number>(perm.length).fill(-1);
  perm.forEach((p, i) => {
    if (p < 0 || p >= perm.length) throw invalidArg(ctx, `${p} is not between 0 and ${perm.length}`);
    if (out[p] !== -1) throw invalidArg(ctx, `${p} is duplicated in the input.`);
    out[p] = i;
  });
  return [ndarray(out, { dtype: x.dtype as DType, shape: [perm.length] })];
});
