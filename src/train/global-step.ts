/**
 * The global step: an int64 scalar variable "global_step" in the GLOBAL_STEP and GLOBAL_VARIABLES
 * collections, counting training updates (optimizers add 1 after applying theirs).
 * @example const step = tf.train.getOrCreateGlobalStep(); opt.minimize(loss, {globalStep: step});
 */
import { getDefaultGraph, GraphKeys } from "../graph/graph.js";
import type { Graph } from "../graph/graph.js";
import { zeros } from "../graph/ops/creation.js";
import { identity } from "../graph/ops/array.js";
import type { Tensor } from "../graph/tensor.js";
import { Variable } from "../graph/variables.js";
import type { Session } from "../client/session.js";

function checkIntegerType(dtype: string): void {
  if (dtype !== "int64" && dtype !== "int32") throw new TypeError(`Existing "global_step" does not have integer type: ${dtype}`);
}

/**
 * The graph's global step: the GLOBAL_STEP collection's item, else (as TF does) whatever is named
 * `global_step:0` — the variable of that name when there is one, else that tensor — or null.
 */
export function getGlobalStep(graph: Graph = getDefaultGraph()): Variable | Tensor | null {
  const found = graph.getCollection<Variable | Tensor>(GraphKeys.GLOBAL_STEP);
  if (found.length > 1) throw new Error("Multiple tensors in global_step collection.");
  const step = found[0];
  if (step !== undefined) {
    checkIntegerType(step.dtype);
    return step;
  }
  if (!graph.hasOperation(GraphKeys.GLOBAL_STEP)) return null;
  const named = graph.getCollection<Variable>(GraphKeys.GLOBAL_VARIABLES).find((v) => v instanceof Variable && v.op.name === GraphKeys.GLOBAL_STEP);
  if (named) {
    checkIntegerType(named.dtype);
    return named;
  }
  const t = graph.getOperationByName(GraphKeys.GLOBAL_STEP).outputs[0];
  if (!t) return null;
  checkIntegerType(t.dtype);
  return t;
}

/**
 * A fresh read of the global step, for hooks (TF's _get_or_create_global_step_read): built once
 * per graph, under the global step's name scope, and cached in a collection.
 */
export function globalStepReadTensor(graph: Graph = getDefaultGraph()): Tensor | null {
  const cached = graph.getCollection<Tensor>(GLOBAL_STEP_READ_KEY);
  if (cached[0]) return cached[0];
  const step = getGlobalStep(graph);
  if (step === null) return null;
  const read = graph.asDefault(() =>
    graph.withNameScope(null, () =>
      graph.withControlDependencies(null, () =>
        graph.withNameScope(`${step.op.name}/`, () => (step instanceof Variable ? step.readValue({ name: "read" }) : identity(step, { name: "read" }))),
      ),
    ),
  );
  graph.addToCollection(GLOBAL_STEP_READ_KEY, read);
  return read;
}

const GLOBAL_STEP_READ_KEY = "global_step_read_op_cache";

/**
 * The global step's value as a number (TF's tf.train.global_step(sess, tensor)).
 * @example const step = await tf.train.globalStep(sess, tf.train.getGlobalStep());
 */
export async function globalStep(sess: Session, step: Variable | Tensor): Promise<number> {
  const t = step instanceof Variable ? step.value() : step;
  return Number((await sess.run(t)).item());
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
  const step = getGlobalStep(graph);
  if (step === null) return createGlobalStep(graph);
  if (!(step instanceof Variable)) throw new TypeError(`"global_step" exists as the tensor ${step.name}, not a variable`);
  return step;
}
