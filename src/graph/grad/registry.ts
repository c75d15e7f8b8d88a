/**
 * Gradient functions by op type (TF's RegisterGradient / NotDifferentiable). A gradient function
 * gets the forward op and the gradient of each of its outputs (null where no gradient flows) and
 * returns one gradient per input (null where there is none). It runs inside the graph's default
 * scope, under a name scope "gradients/<op>_grad", so it builds ops with the ordinary builders.
 */
import type { Operation } from "../graph.js";
import type { Tensor } from "../tensor.js";

export type GradFn = (op: Operation, grads: (Tensor | null)[]) => (Tensor | null)[];

const gradFns = new Map<string, GradFn>();
const notDifferentiable = new Set<string>();

/** Registers the gradient function of op `type`. */
export function registerGradient(type: string, fn: GradFn): void {
  gradFns.set(type, fn);
}

/** Declares that op `type` has no gradient: gradients stop at it (TF's NotDifferentiable). */
export function registerNotDifferentiable(...types: string[]): void {
  for (const t of types) notDifferentiable.add(t);
}

export type GradLookup = { kind: "fn"; fn: GradFn } | { kind: "none" } | { kind: "missing" };

export function lookupGradient(type: string): GradLookup {
  const fn = gradFns.get(type);
  if (fn) return { kind: "fn", fn };
  return notDifferentiable.has(type) ? { kind: "none" } : { kind: "missing" };
}

/** Op types with a registered gradient function (for tests and docs). */
export function registeredGradientTypes(): string[] {
  return [...gradFns.keys()].sort();
}
