/**
 * TF 1.x reference variables, the kind `tf.Variable` builds by default in TF 1.x: VariableV2 (and
 * the older Variable) output a `Ref(T)`; Assign, AssignAdd, AssignSub, ScatterUpdate, CountUpTo,
 * IsVariableInitialized and the Apply* training ops take it and (most) hand it on. The variable
 * lives in the task's resource manager like a resource variable (same kind, container and
 * shared name), so Session.reset clears both and sessions share both by name.
 *
 * The Apply* ops run the arithmetic of their Resource* twins (training.ts, training-adaptive.ts):
 * a ref carries the same handle, so the update is one implementation for both kinds.
 */
import { FailedPreconditionError, InvalidArgumentError } from "../../errors/index.js";
import { NDArray, allocData, ndarray, sizeOf } from "../../tensor/ndarray.js";
import type { ResourceHandle } from "../../tensor/resource-handle.js";
import { compute, tfc } from "../compute/backend.js";
import { VariableResource } from "../resources/variable.js";
import { VARIABLE_KIND, VariableRef, initializedRef, lookupRef } from "../resources/variable-ref.js";
import { copyRun, input, invalidArg, shapeStr, toNumbers } from "./kernel-utils.js";
import { getKernel, registerKernel } from "./registry.js";
import type { KernelContext } from "./registry.js";

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Input `i` as a ref, or TF's type error when a value came instead. */
function refAt(ctx: KernelContext, i: number): VariableRef {
  const x = input(ctx, i);
  if (!(x instanceof VariableRef)) {
    throw invalidArg(ctx, `${ctx.node.op} expects a reference-typed input ${i} (the output of a VariableV2), got a ${x.dtype} value`);
  }
  return x;
}

/** The initialised variable of ref input `i`, with the text TF's kernels use for uninitialised ones. */
function initialized(ctx: KernelContext, i: number, what: "parameters" | "variables"): VariableResource & { value: NDArray } {
  const ref = refAt(ctx, i);
  const v = lookupRef(ref, ctx.resources);
  if (!v || v.value === null) {
    throw new FailedPreconditionError(`Attempting to use uninitialized ${what}: ${ctx.node.input[i] ?? ref.handle.name}`, { nodeName: ctx.node.name });
  }
  return initializedRef(ref, ctx.resources, ctx.node.name);
}

function variableKernel(type: string): void {
  registerKernel(
    type,
    (ctx) => {
      const dtype = ctx.attrs.type("dtype");
      const container = ctx.attrs.s("container", "");
      const name = ctx.attrs.s("shared_name", "") || ctx.node.name;
      const existing = ctx.resources.lookup(container, VARIABLE_KIND, name);
      if (existing instanceof VariableResource && existing.dtype !== dtype) {
        throw invalidArg(ctx, `Variable ${name} in container ${ctx.resources.resolveContainer(container)} holds ${existing.dtype}, this node declares ${dtype}`);
      }
      const handle: ResourceHandle = { device: ctx.device.name, container, name, kind: VARIABLE_KIND };
      return [new VariableRef(handle, dtype)];
    },
    { stateful: true },
  );
}
variableKernel("VariableV2");
variableKernel("Variable");

registerKernel(
  "Assign",
  (ctx) => {
    const ref = refAt(ctx, 0);
    const value = input(ctx, 1);
    if (value.dtype !== ref.valueDtype) {
      throw invalidArg(ctx, `Assign: the value is ${value.dtype} but the variable ${ref.handle.name} is ${ref.valueDtype}`);
    }
    const v = ctx.resources.lookupOrCreate(ref.handle.container, VARIABLE_KIND, ref.handle.name, () => new VariableResource(ref.valueDtype));
    if (!(v instanceof VariableResource) || v.dtype !== ref.valueDtype) {
      throw invalidArg(ctx, `Variable ${ref.handle.name} holds ${v instanceof VariableResource ? v.dtype : "another resource"}, not ${ref.valueDtype}`);
    }
    if (v.value !== null && ctx.attrs.b("validate_shape", true) && !sameShape(v.value.shape, value.shape)) {
      throw invalidArg(ctx, `Assign requires shapes of both tensors to match. lhs shape= ${shapeStr(v.value.shape)} rhs shape= ${shapeStr(value.shape)}`);
    }
    v.value = value;
    return [ref];
  },
  { stateful: true, refInputs: [0] },
);

function assignUpdate(type: string, op: "add" | "sub"): void {
  registerKernel(
    type,
    (ctx) => {
      const v = initialized(ctx, 0, "parameters");
      const delta = input(ctx, 1);
      if (!sameShape(v.value.shape, delta.shape)) throw invalidArg(ctx, "Parameters and update must be the same size");
      const [out] = compute([v.value, delta], [v.dtype], (a, b) => (op === "add" ? tfc.add(a!, b!) : tfc.sub(a!, b!)));
      v.value = out!;
      return [ctx.inputs[0]!];
    },
    { stateful: true, refInputs: [0] },
  );
}
assignUpdate("AssignAdd", "add");
assignUpdate("AssignSub", "sub");

registerKernel(
  "IsVariableInitialized",
  (ctx) => {
    const v = lookupRef(refAt(ctx, 0), ctx.resources);
    return [ndarray(v !== undefined && v.value !== null, { dtype: "bool" })];
  },
  { stateful: true, refInputs: [0] },
);

// Hands the ref on (TF's RefIdentity): what Identity would be if it did not read the value.
registerKernel("RefIdentity", (ctx) => [refAt(ctx, 0)], { stateful: true, refInputs: [0] });

registerKernel(
  "ScatterUpdate",
  (ctx) => {
    const v = initialized(ctx, 0, "parameters");
    const indices = input(ctx, 1);
    const updates = input(ctx, 2);
    if (v.value.rank === 0) throw invalidArg(ctx, "params must be at least 1-D, got shape []");
    const rows = v.value.shape[0]!;
    const rowShape = v.value.shape.slice(1);
    const expected = [...indices.shape, ...rowShape];
    if (!sameShape(updates.shape, expected)) {
      throw invalidArg(
        ctx,
        `Must have updates.shape = indices.shape + params.shape[1:] or updates.shape = [], got updates.shape ${shapeStr(updates.shape)}, indices.shape ${shapeStr(indices.shape)}, params.shape ${shapeStr(v.value.shape)}`,
      );
    }
    if (updates.dtype !== v.dtype) throw invalidArg(ctx, `ScatterUpdate: updates are ${updates.dtype}, the variable is ${v.dtype}`);
    const rowSize = sizeOf(rowShape);
    const out = allocData(v.dtype, v.value.size);
    copyRun(out, 0, v.value.data, 0, v.value.size);
    toNumbers(indices).forEach((row, k) => {
      if (row < 0 || row >= rows) throw invalidArg(ctx, `indices[${k}] = ${row} is not in [0, ${rows})`);
      copyRun(out, row * rowSize, updates.data, k * rowSize, rowSize);
    });
    v.value = new NDArray(v.dtype, [...v.value.shape], out);
    return [ctx.inputs[0]!];
  },
  { stateful: true, refInputs: [0] },
);

registerKernel(
  "CountUpTo",
  (ctx) => {
    initialized(ctx, 0, "parameters");
    return getKernel("ResourceCountUpTo")!.compute(ctx);
  },
  { stateful: true, refInputs: [0] },
);

/**
 * An Apply* op on refs: its Resource* twin does the update (the refs carry the same handles),
 * then the op outputs the ref to `var`, as TF's `out: Ref(T)`.
 */
function applyOnRefs(type: string, refInputs: number[]): void {
  registerKernel(
    type,
    (ctx) => {
      for (const i of refInputs) initialized(ctx, i, "variables");
      const twin = getKernel(`Resource${type}`);
      if (!twin) throw new InvalidArgumentError(`${type} has no Resource${type} kernel to run on`, { nodeName: ctx.node.name });
      twin.compute(ctx);
      return [ctx.inputs[0]!];
    },
    { stateful: true, refInputs },
  );
}
applyOnRefs("ApplyGradientDescent", [0]);
applyOnRefs("ApplyMomentum", [0, 1]);
applyOnRefs("ApplyAdam", [0, 1, 2]);
applyOnRefs("ApplyAdagrad", [0, 1]);
applyOnRefs("ApplyRMSProp", [0, 1, 2]);
