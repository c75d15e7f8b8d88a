/**
 * The value a reference-typed edge carries (TF 1.x's `Ref(T)` outputs of VariableV2, Assign,
 * ApplyGradientDescent, ...): where the variable lives, not what it holds. A consumer that does not
 * take a ref reads the variable's value when it runs (the executor dereferences), so an op ordered
 * after an Assign sees the new value, as with TF's ref variables. A ref never leaves its task:
 * sends and fetches carry the dereferenced value.
 */
import { FailedPreconditionError, InvalidArgumentError } from "../../errors/index.js";
import type { DType } from "../../tensor/dtypes.js";
import { NDArray } from "../../tensor/ndarray.js";
import type { ResourceHandle } from "../../tensor/resource-handle.js";
import type { ResourceManager } from "./resource-manager.js";
import { VariableResource } from "./variable.js";

/** Ref variables share the resource kind of resource variables: one name, one variable per container. */
export const VARIABLE_KIND = "Var";

export class VariableRef extends NDArray {
  constructor(
    readonly handle: ResourceHandle,
    /** The variable's dtype (the `T` of `Ref(T)`). */
    readonly valueDtype: DType,
  ) {
    super("resource", [], [handle]);
  }
}

/** The variable behind a ref, or undefined when nothing was assigned to it yet. */
export function lookupRef(ref: VariableRef, resources: ResourceManager): VariableResource | undefined {
  const v = resources.lookup(ref.handle.container, VARIABLE_KIND, ref.handle.name);
  return v instanceof VariableResource ? v : undefined;
}

/** TF's executor error for reading a ref variable that holds nothing. */
export function uninitializedRef(ref: VariableRef, nodeName: string): FailedPreconditionError {
  return new FailedPreconditionError(`Attempting to use uninitialized value ${ref.handle.name}`, { nodeName });
}

/** The initialised variable behind a ref; FailedPrecondition (TF's text) otherwise. */
export function initializedRef(ref: VariableRef, resources: ResourceManager, nodeName: string): VariableResource & { value: NDArray } {
  const v = lookupRef(ref, resources);
  if (!v || v.value === null) throw uninitializedRef(ref, nodeName);
  if (v.dtype !== ref.valueDtype) {
    throw new InvalidArgumentError(
      `Variable ${ref.handle.name} holds ${v.dtype} but the ref of node ${nodeName} is ${ref.valueDtype}`,
      { nodeName },
    );
  }
  return v as VariableResource & { value: NDArray };
}

/** The variable's current value for a consumer that takes `T`, not `Ref(T)`; other values pass. */
export function deref(value: NDArray, resources: ResourceManager, nodeName: string): NDArray {
  return value instanceof VariableRef ? initializedRef(value, resources, nodeName).value : value;
}
