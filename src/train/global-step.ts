/**
 * The global step: an int64 scalar variable "global_step" in the GLOBAL_STEP and GLOBAL_VARIABLES
 * collections, counting training updates (optimizers add 1 after applying theirs).
 * @example const step = tf.train.getOrCreateGlobalStep(); opt.minimize(loss, {globalStep: step});
 */
import { getDefaultGraph, GraphKeys } from "../graph/graph.js";
import type { Graph } from "../graph/graph.js";
import { zeros } from "../graph/ops/creation.js";
import { Variable } from "../graph/variables.js";

/** The graph's global step variable, or null when it has none. */
export function getGlobalStep(graph: Graph = getDefaultGraph()): Variable | null {
  const found = graph.getCollection<Variable>(GraphKeys.GLOBAL_STEP);
  if (found.length > 1) throw new Error("Multiple tensors in global_step collection.");
  const step = found[0];
  if (step === undefined) return null;
  if (step.dtype !== "int64" && step.dtype !== "int32") throw new TypeError(`Existing "global_step" does not have integer type: ${step.dtype}`);
  return step;
}

/** Creates the global step (under the current device scopes, at the root name scope). */
export function createGlobalStep(graph: Graph = getDefaultGraph()): Variable {
  if (getGlobalStep(graph) !== null) throw new Error('"global_step" already exists.');
  return graph.asDefault(() =>
    graph.withNameScope(null, () =>
      graph.withControlDependencies(null, () =>
        new Variable(() => zeros([], "int64", { name: "zeros" }), {
          name: GraphKeys.GLOBAL_STEP,
          trainable: false,
          collections: [GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP],
        }),
      ),
    ),
  );
}

/** The graph's global step, created when it has none (TF's tf.train.get_or_create_global_step). */
export function getOrCreateGlobalStep(graph: Graph = getDefaultGraph()): Variable {
  return getGlobalStep(graph) ?? createGlobalStep(graph);
}
