/**
 * Kernels of the input producers' ops: ResourceCountUpTo (count_up_to_op.cc) and RandomShuffle
 * (random_shuffle_op.cc). RandomShuffle with non-zero seeds owns a generator per node, so a
 * seeded graph replays its sequence of permutations; otherwise it draws from the step's source.
 */
import { FailedPreconditionError, InvalidArgumentError, OutOfRangeError } from "../../errors/index.js";
import { NDArray, allocData } from "../../tensor/ndarray.js";
import type { ResourceHandle } from "../../tensor/resource-handle.js";
import { VariableResource } from "../resources/variable.js";
import { copyRun, input, invalidArg, shapeStr, seededRandomFor } from "./kernel-utils.js";
import { registerKernel } from "./registry.js";
import type { KernelContext } from "./registry.js";

function variableOf(ctx: KernelContext): VariableResource {
  const h = input(ctx, 0);
  if (h.dtype !== "resource" || h.size !== 1) throw invalidArg(ctx, `${ctx.node.op} expects a resource handle as input 0`);
  const handle = (h.data as ResourceHandle[])[0]!;
  const v = ctx.resources.lookup<VariableResource>(handle.container, "Var", handle.name);
  if (!(v instanceof VariableResource) || v.value === null) {
    // The same text as a read of an uninitialised variable (state.ts), ending with TF1's gist.
    const c = ctx.resources.resolveContainer(handle.container);
    throw new FailedPreconditionError(
      `Error while reading resource variable ${handle.name} from Container: ${c}. This could mean that the variable was uninitialized. ` +
        `Not found: Resource ${c}/${handle.name}/Var does not exist. (Attempting to use uninitialized value ${handle.name})`,
      { nodeName: ctx.node.name },
    );
  }
  return v;
}

registerKernel(
  "ResourceCountUpTo",
  (ctx) => {
    const v = variableOf(ctx);
    const limit = ctx.attrs.i("limit");
    const dtype = ctx.attrs.type("T", v.dtype);
    const before = v.value!;
    if (before.dtype !== dtype) {
      throw new InvalidArgumentError(`Trying to read variable with wrong dtype. Expected ${dtype} got ${before.dtype}`, { nodeName: ctx.node.name });
    }
    if (before.rank !== 0) throw invalidArg(ctx, `input is not a scalar: ${shapeStr(before.shape)}`);
    const count = Number((before.data as Int32Array | BigInt64Array)[0]);
    if (count >= limit) throw new OutOfRangeError(`Reached limit of ${limit}`, { nodeName: ctx.node.name });
    // A new value rather than an update in place: a fetched or in-flight snapshot may alias the old one.
    const next = dtype === "int64" ? BigInt64Array.of(BigInt(count + 1)) : Int32Array.of(count + 1);
    v.value = new NDArray(dtype, [], next);
    return [before];
  },
  { stateful: true },
);


registerKernel(
  "RandomShuffle",
  (ctx) => {
    const value = input(ctx, 0);
    if (value.rank === 0 || value.shape[0]! <= 1) return [value];
    const rows = value.shape[0]!;
    const rowSize = value.size / rows;
    const order = Array.from({ length: rows }, (_, i) => i);
    const rng = seededRandomFor(ctx);
    // Fisher–Yates: every permutation equally likely.
    for (let i = rows - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const out = allocData(value.dtype, value.size);
    order.forEach((from, to) => copyRun(out, to * rowSize, value.data, from * rowSize, rowSize));
    return [new NDArray(value.dtype, [...value.shape], out)];
  },
  { stateful: true, deviceTypes: ["CPU"] },
);
