/** The `with`-block scopes of TF as callbacks: each returns fn's result. */
import type { DeviceSpec } from "./device-spec.js";
import { getDefaultGraph } from "./graph.js";
import type { DeviceFunction, Operation } from "./graph.js";
import { asOperation } from "./convert.js";
import type { Tensor, TensorConvertible } from "./tensor.js";

/**
 * Pins the ops built in `fn` to a device. `null` clears every enclosing device scope.
 * @example tf.device("/job:ps/task:0", () => new tf.Variable(0))
 */
export function device<T>(spec: string | DeviceSpec | DeviceFunction | null, fn: () => T): T {
  return getDefaultGraph().withDevice(spec, fn);
}

/** Prefixes the names of the ops built in `fn` with a unique scope name ("layer", "layer_1"). */
export function nameScope<T>(name: string | null, fn: (scope: string) => T): T {
  return getDefaultGraph().withNameScope(name, fn);
}

/** Stateful ops built in `fn` live in resource container `name`. */
export function container<T>(name: string, fn: () => T): T {
  return getDefaultGraph().withContainer(name, fn);
}

/** Ops built in `fn` run only after `deps`; `null` clears enclosing dependencies. */
export function controlDependencies<T>(deps: (Operation | Tensor | TensorConvertible)[] | null, fn: () => T): T {
  return getDefaultGraph().withControlDependencies(deps === null ? null : deps.map(asOperation), fn);
}

/**
 * Ops built in `fn` run on the device of `op` (a Variable, Tensor or Operation), whatever the
 * device scopes say, and carry TF's `_class: ["loc:@name"]` colocation attr in the GraphDef.
 * @example tf.colocateWith(v, () => tf.assignAdd(v, 1))
 */
export function colocateWith<T>(op: Operation | Tensor | TensorConvertible, fn: () => T): T {
  return getDefaultGraph().withColocation(asOperation(op), fn);
}
