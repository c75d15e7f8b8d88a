/**
 * Resource variable kernels: VarHandleOp, ReadVariableOp, AssignVariableOp, AssignAdd/SubVariableOp,
 * VarIsInitializedOp, and _UninitializedNames (the core of reportUninitializedVariables).
 */
import { FailedPreconditionError, InvalidArgumentError } from "../../errors/index.js";
import { NDArray, ndarray } from "../../tensor/ndarray.js";
import type { ResourceHandle } from "../../tensor/resource-handle.js";
import { compute, tfc } from "../compute/backend.js";
import { VariableResource } from "../resources/variable.js";
import { registerKernel } from "./registry.js";
import { BINARY64, binary64, is64 } from "./host64.js";
import type { KernelContext } from "./registry.js";

function handleOf(ctx: KernelContext): ResourceHandle {
  const h = ctx.inputs[0];
  if (!h || h.dtype !== "resource") throw new InvalidArgumentError(`${ctx.node.name}: input 0 must be a resource handle`);
  return (h.data as ResourceHandle[])[0]!;
}

function lookupVar(ctx: KernelContext, h: ResourceHandle): VariableResource | undefined {
  return ctx.resources.lookup<VariableResource>(h.container, "Var", h.name);
}

function uninitialized(ctx: KernelContext, h: ResourceHandle): FailedPreconditionError {
  const c = ctx.resources.resolveContainer(h.container);
  return new FailedPreconditionError(
    `Error while reading resource variable ${h.name} from Container: ${c}. This could mean that the variable was uninitialized. ` +
      `Not found: Resource ${c}/${h.name}/Var does not exist. (Attempting to use uninitialized value ${h.name})`,
    { nodeName: ctx.node.name },
  );
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

registerKernel(
  "VarHandleOp",
  (ctx) => {
    const name = ctx.attrs.s("shared_name", "") || ctx.node.name;
    const handle: ResourceHandle = { device: ctx.device.name, container: ctx.attrs.s("container", ""), name, kind: "Var" };
    return [new NDArray("resource", [], [handle])];
  },
  { stateful: true },
);

registerKernel(
  "ReadVariableOp",
  (ctx) => {
    const h = handleOf(ctx);
    const v = lookupVar(ctx, h);
    if (!v || v.value === null) throw uninitialized(ctx, h);
    return [v.value];
  },
  { stateful: true },
);

registerKernel(
  "VarIsInitializedOp",
  (ctx) => {
    const v = lookupVar(ctx, handleOf(ctx));
    return [ndarray(v !== undefined && v.value !== null, { dtype: "bool" })];
  },
  { stateful: true },
);

registerKernel(
  "AssignVariableOp",
  (ctx) => {
    const h = handleOf(ctx);
    const value = ctx.inputs[1]!;
    const dtype = ctx.attrs.type("dtype", value.dtype);
    if (value.dtype !== dtype) {
      throw new InvalidArgumentError(`Trying to assign variable with wrong dtype. Expected ${dtype} got ${value.dtype}`, { nodeName: ctx.node.name });
    }
    // A Saver's restore names the variable's static shape, so a checkpoint of another shape fails as TF's Assign does.
    const expected = ctx.attrs.shape("_shape");
    if (expected && !sameShape(expected.map((d) => d ?? -1), value.shape)) {
      throw new InvalidArgumentError(`Assign requires shapes of both tensors to match. lhs shape= [${expected.join(",")}] rhs shape= [${value.shape.join(",")}]`, { nodeName: ctx.node.name });
    }
    const v = ctx.resources.lookupOrCreate(h.container, "Var", h.name, () => new VariableResource(dtype));
    if (v.dtype !== dtype) {
      throw new InvalidArgumentError(`Trying to assign variable with wrong dtype. Expected ${v.dtype} got ${dtype}`, { nodeName: ctx.node.name });
    }
    if (v.value && ctx.attrs.b("validate_shape", false) && !sameShape(v.value.shape, value.shape)) {
      throw new InvalidArgumentError(
        `Trying to assign to variable with tensor with wrong shape. Expected [${v.value.shape.join(",")}] got [${value.shape.join(",")}]`,
        { nodeName: ctx.node.name },
      );
    }
    v.value = value;
    return [];
  },
  { stateful: true },
);

function updateKernel(type: string, op: "add" | "sub") {
  registerKernel(
    type,
    (ctx) => {
      const h = handleOf(ctx);
      const v = lookupVar(ctx, h);
      if (!v || v.value === null) throw uninitialized(ctx, h);
      const delta = ctx.inputs[1]!;
      if (!sameShape(v.value.shape, delta.shape)) {
        throw new InvalidArgumentError(
          `Cannot update variable with shape [${v.value.shape.join(",")}] using a Tensor with shape [${delta.shape.join(",")}], shapes must be equal.`,
          { nodeName: ctx.node.name },
        );
      }
      // A 64-bit variable (an int64 global step past 2^31) is updated exactly on the host.
      const [out] = is64(v.dtype)
        ? [binary64(ctx, v.value, delta, BINARY64[op === "add" ? "AddV2" : "Sub"]!)]
        : compute([v.value, delta], [v.dtype], (a, b) => (op === "add" ? tfc.add(a!, b!) : tfc.sub(a!, b!)));
      v.value = out!;
      return [];
    },
    { stateful: true },
  );
}
updateKernel("AssignAddVariableOp", "add");
updateKernel("AssignSubVariableOp", "sub");

registerKernel("_UninitializedNames", (ctx) => {
  const names = ctx.attrs.list("names").s ?? [];
  const out = names.filter((_n, i) => (ctx.inputs[i]!.data as Uint8Array)[0] === 0);
  return [ndarray(out, { dtype: "string", shape: [out.length] })];
});
