/**
 * ConditionalAccumulator kernels (TF's conditional_accumulator_base_op.cc, the resource ops of
 * 1.15): ResourceConditionalAccumulator creates or looks up the accumulator and outputs its
 * handle; the other four take the handle as input 0. TakeGradient blocks until enough gradients
 * are in and is cancelled by its step's signal.
 */
import { InternalError, InvalidArgumentError } from "../../errors/index.js";
import type { DType } from "../../tensor/dtypes.js";
import { NDArray } from "../../tensor/ndarray.js";
import type { ResourceHandle } from "../../tensor/resource-handle.js";
import { ACCUMULATOR_DTYPES, ACCUMULATOR_RESOURCE_KIND, ConditionalAccumulator } from "../resources/conditional-accumulator.js";
import type { ReductionType } from "../resources/conditional-accumulator.js";
import { dtypeListString, shapeString } from "../resources/queue-elements.js";
import { input, invalidArg } from "./kernel-utils.js";
import { registerKernel } from "./registry.js";
import type { KernelContext } from "./registry.js";

function declaredShape(ctx: KernelContext): number[] | null {
  const s = ctx.attrs.shape("shape");
  return s === null ? null : s.map((d) => (d === null || d < 0 ? -1 : d));
}

registerKernel(
  "ResourceConditionalAccumulator",
  (ctx) => {
    const dtype = ctx.attrs.type("dtype", "float32");
    if (!ACCUMULATOR_DTYPES.includes(dtype)) {
      throw invalidArg(ctx, `No OpKernel was registered to support Op 'ResourceConditionalAccumulator' used by node ${ctx.node.name} with these attrs: [dtype=${dtypeListString([dtype])}]`);
    }
    const reductionType = ctx.attrs.s("reduction_type", "MEAN");
    if (reductionType !== "MEAN" && reductionType !== "SUM") {
      throw invalidArg(ctx, `Attr 'reduction_type' of '${ctx.node.name}' Op passed string '${reductionType}' not in: "MEAN", "SUM".`);
    }
    const name = ctx.attrs.s("shared_name", "") || ctx.resources.privateName(ctx.step.sessionHandle, ctx.device.name, ctx.node.name);
    const container = ctx.resources.resolveContainer(ctx.attrs.s("container", ""));
    // The first creator's dtype, shape and reduction win; TF checks nothing here (MatchesNodeDef is a TODO).
    ctx.resources.lookupOrCreate(container, ACCUMULATOR_RESOURCE_KIND, name, () =>
      new ConditionalAccumulator({ name, dtype, shape: declaredShape(ctx), reductionType: reductionType as ReductionType, clock: ctx.step.clock }),
    );
    const handle: ResourceHandle = { device: ctx.device.name, container, name, kind: ACCUMULATOR_RESOURCE_KIND };
    return [new NDArray("resource", [], [handle])];
  },
  { stateful: true },
);

/** The accumulator named by input 0. */
function accumulatorOf(ctx: KernelContext): ConditionalAccumulator {
  const h = input(ctx, 0);
  if (h.dtype !== "resource" || h.size !== 1) throw invalidArg(ctx, `${ctx.node.op} expects an accumulator handle as input 0`);
  const handle = (h.data as ResourceHandle[])[0]!;
  const acc = ctx.resources.get(handle.container, ACCUMULATOR_RESOURCE_KIND, handle.name);
  if (!(acc instanceof ConditionalAccumulator)) throw new InternalError(`Resource ${handle.container}/${handle.name} is not a ConditionalAccumulator`);
  return acc;
}

/** TF's MatchSignature: the node's types against the accumulator's. */
function matchSignature(ctx: KernelContext, have: DType[][], expected: DType[][]): void {
  const same = (a: DType[], b: DType[]) => a.length === b.length && a.every((d, i) => d === b[i]);
  if (same(have[0]!, expected[0]!) && same(have[1]!, expected[1]!)) return;
  const text = (s: DType[][]) => `${dtypeListString(s[0]!)}->${dtypeListString(s[1]!)}`;
  throw invalidArg(ctx, `Signature mismatch, have: ${text(have)} expected: ${text(expected)}`);
}

/** A scalar argument, with TF's message (SetGlobalStep reuses num_required's, a copy-paste in TF). */
function scalarArg(ctx: KernelContext, i: number, what: string): NDArray {
  const x = input(ctx, i);
  if (x.rank !== 0) throw invalidArg(ctx, `Argument ${what} must be scalar, but had bad shape ${shapeString(x.shape)}`);
  return x;
}

function int64Value(ctx: KernelContext, x: NDArray, what: string): bigint {
  if (x.dtype !== "int64") throw invalidArg(ctx, `${ctx.node.op}: ${what} must be int64, got ${x.dtype}`);
  return (x.data as BigInt64Array)[0]!;
}

registerKernel(
  "ResourceAccumulatorApplyGradient",
  (ctx) => {
    const acc = accumulatorOf(ctx);
    const grad = input(ctx, 2);
    matchSignature(ctx, [["resource", "int64", ctx.attrs.type("dtype", grad.dtype)], []], [["resource", "int64", acc.dtype], []]);
    if (grad.dtype !== acc.dtype) throw invalidArg(ctx, `${ctx.node.op}: gradient has dtype ${grad.dtype}, expected ${acc.dtype}`);
    const localStep = int64Value(ctx, scalarArg(ctx, 1, "local_step"), "local_step");
    try {
      acc.applyGrad(localStep, grad);
    } catch (err) {
      if (err instanceof InvalidArgumentError) throw invalidArg(ctx, err.message);
      throw err;
    }
    return [];
  },
  { stateful: true },
);

registerKernel(
  "ResourceAccumulatorTakeGradient",
  async (ctx) => {
    const acc = accumulatorOf(ctx);
    matchSignature(ctx, [["resource", "int32"], [ctx.attrs.type("dtype", acc.dtype)]], [["resource", "int32"], [acc.dtype]]);
    const n = scalarArg(ctx, 1, "num_required");
    const numRequired = Number((n.data as Int32Array)[0]);
    try {
      return [await acc.takeGrad(numRequired, { signal: ctx.step.signal, stepId: ctx.step.stepId })];
    } catch (err) {
      if (err instanceof InvalidArgumentError) throw invalidArg(ctx, err.message);
      throw err;
    }
  },
  { stateful: true },
);

registerKernel("ResourceAccumulatorNumAccumulated", (ctx) => [new NDArray("int32", [], Int32Array.of(accumulatorOf(ctx).numAccumulated()))], { stateful: true });

registerKernel(
  "ResourceAccumulatorSetGlobalStep",
  (ctx) => {
    const acc = accumulatorOf(ctx);
    acc.setGlobalStep(int64Value(ctx, scalarArg(ctx, 1, "num_required"), "new_global_step"));
    return [];
  },
  { stateful: true },
);
