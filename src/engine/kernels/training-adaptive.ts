/**
 * The adaptive optimizers' update kernels, with TF's inputs, attrs and arithmetic
 * (training_ops.cc): ResourceApplyAdagrad, ResourceApplyRMSProp, ResourceApplyCenteredRMSProp.
 * Like the other updates (training.ts) they compute in double on the host, store in the
 * variable's dtype, and never mutate a value in place.
 */
import { NDArray } from "../../tensor/ndarray.js";
import { checkLike, fresh, gradInput, scalarInput, variableAt } from "./training.js";
import type { Floats } from "./training.js";
import { registerKernel } from "./registry.js";
import type { KernelContext } from "./registry.js";

/** The variables behind resource inputs 0..names.length-1, checked to share the first's shape. */
function slots(ctx: KernelContext, names: string[]): { values: Floats[]; commit: () => void } {
  const vars = names.map((n, i) => variableAt(ctx, i, n));
  const shape = vars[0]!.value.shape;
  vars.slice(1).forEach((v, i) => checkLike(ctx, shape, v.value, names[i + 1]!));
  const values = vars.map((v) => fresh(v.value));
  const commit = (): void => vars.forEach((v, i) => (v.value = new NDArray(v.dtype, [...shape], values[i]!)));
  return { values, commit };
}

registerKernel(
  "ResourceApplyAdagrad",
  (ctx) => {
    const { values, commit } = slots(ctx, ["var", "accum"]);
    const [w, accum] = values as [Floats, Floats];
    const lr = scalarInput(ctx, 2, "lr");
    const grad = gradInput(ctx, 3, variableAt(ctx, 0, "var").value.shape, "grad");
    const updateSlots = ctx.attrs.b("update_slots", true);
    for (let i = 0; i < w.length; i++) {
      const g = grad[i]!;
      if (updateSlots) accum[i] = accum[i]! + g * g;
      w[i] = w[i]! - (lr * g) / Math.sqrt(accum[i]!);
    }
    commit();
    return [];
  },
  { stateful: true },
);

registerKernel(
  "ResourceApplyRMSProp",
  (ctx) => {
    const { values, commit } = slots(ctx, ["var", "ms", "mom"]);
    const [w, ms, mom] = values as [Floats, Floats, Floats];
    const [lr, rho, momentum, epsilon] = ["lr", "rho", "momentum", "epsilon"].map((n, k) => scalarInput(ctx, 3 + k, n)) as [number, number, number, number];
    const grad = gradInput(ctx, 7, variableAt(ctx, 0, "var").value.shape, "grad");
    for (let i = 0; i < w.length; i++) {
      const g = grad[i]!;
      ms[i] = ms[i]! + (g * g - ms[i]!) * (1 - rho);
      mom[i] = mom[i]! * momentum + (g * lr) / Math.sqrt(ms[i]! + epsilon);
      w[i] = w[i]! - mom[i]!;
    }
    commit();
    return [];
  },
  { stateful: true },
);

registerKernel(
  "ResourceApplyCenteredRMSProp",
  (ctx) => {
    const { values, commit } = slots(ctx, ["var", "mg", "ms", "mom"]);
    const [w, mg, ms, mom] = values as [Floats, Floats, Floats, Floats];
    const [lr, rho, momentum, epsilon] = ["lr", "rho", "momentum", "epsilon"].map((n, k) => scalarInput(ctx, 4 + k, n)) as [number, number, number, number];
    const grad = gradInput(ctx, 8, variableAt(ctx, 0, "var").value.shape, "grad");
    for (let i = 0; i < w.length; i++) {
      const g = grad[i]!;
      ms[i] = ms[i]! + (g * g - ms[i]!) * (1 - rho);
      mg[i] = mg[i]! + (g - mg[i]!) * (1 - rho);
      const denom = ms[i]! - mg[i]! * mg[i]! + epsilon;
      mom[i] = mom[i]! * momentum + (g * lr) / Math.sqrt(denom);
      w[i] = w[i]! - mom[i]!;
    }
    commit();
    return [];
  },
  { stateful: true },
);
