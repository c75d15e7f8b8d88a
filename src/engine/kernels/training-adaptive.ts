/**
 * The adaptive optimizers' update ops on resource variables, with TF's inputs and arithmetic
 * (training_ops.cc): ResourceApplyAdagrad (var, accum, lr, grad; update_slots) and
 * ResourceApplyRMSProp (var, ms, mom, lr, rho, momentum, epsilon, grad). As in training.ts, each
 * update runs on the host in double precision, whole, and never mutates a value in place.
 */
import { NDArray } from "../../tensor/ndarray.js";
import { registerKernel } from "./registry.js";
import { checkLike, fresh, gradInput, scalarInput, variableAt } from "./training.js";

registerKernel(
  "ResourceApplyAdagrad",
  (ctx) => {
    const v = variableAt(ctx, 0, "var");
    const accum = variableAt(ctx, 1, "accum");
    checkLike(ctx, v.value.shape, accum.value, "accum");
    const lr = scalarInput(ctx, 2, "lr");
    const grad = gradInput(ctx, 3, v.value.shape, "grad");
    const updateSlots = ctx.attrs.b("update_slots", true);
    const [w, a] = [fresh(v.value), fresh(accum.value)];
    for (let i = 0; i < w.length; i++) {
      if (updateSlots) a[i] = a[i]! + grad[i]! * grad[i]!;
      w[i] = w[i]! - (lr * grad[i]!) / Math.sqrt(a[i]!);
    }
    accum.value = new NDArray(accum.dtype, [...accum.value.shape], a);
    v.value = new NDArray(v.dtype, [...v.value.shape], w);
    return [];
  },
  { stateful: true },
);

registerKernel(
  "ResourceApplyRMSProp",
  (ctx) => {
    const v = variableAt(ctx, 0, "var");
    const ms = variableAt(ctx, 1, "ms");
    const mom = variableAt(ctx, 2, "mom");
    checkLike(ctx, v.value.shape, ms.value, "ms");
    checkLike(ctx, v.value.shape, mom.value, "mom");
    const [lr, rho, momentum, epsilon] = ["lr", "rho", "momentum", "epsilon"].map((w, k) => scalarInput(ctx, 3 + k, w)) as [number, number, number, number];
    const grad = gradInput(ctx, 7, v.value.shape, "grad");
    const [w, s, m] = [fresh(v.value), fresh(ms.value), fresh(mom.value)];
    for (let i = 0; i < w.length; i++) {
      const g = grad[i]!;
      s[i] = s[i]! + (g * g - s[i]!) * (1 - rho);
      m[i] = m[i]! * momentum + (g * lr) / Math.sqrt(s[i]! + epsilon);
      w[i] = w[i]! - m[i]!;
    }
    ms.value = new NDArray(ms.dtype, [...ms.value.shape], s);
    mom.value = new NDArray(mom.dtype, [...mom.value.shape], m);
    v.value = new NDArray(v.dtype, [...v.value.shape], w);
    return [];
  },
  { stateful: true },
);
