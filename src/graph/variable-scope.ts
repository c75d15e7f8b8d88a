/**
 * tf.variableScope / tf.getVariable: variables named by scope, created once and reused on request.
 * @example tf.variableScope("layer", () => tf.getVariable("w", {shape: [2, 2]}))
 */
import type { DType } from "../tensor/dtypes.js";
import { ndarray } from "../tensor/ndarray.js";
import { constantOp, makeTensorOp } from "./convert.js";
import type { TensorLike } from "./convert.js";
import { getDefaultGraph } from "./graph.js";
import type { Graph } from "./graph.js";
import type { Tensor } from "./tensor.js";
import { Variable } from "./variables.js";

/** Builds an initial value for a variable of `shape` and `dtype`. */
export type Initializer = (shape: number[], dtype: DType) => Tensor;

interface ScopeState {
  prefix: string;
  reuse: boolean;
}

const stores = new WeakMap<Graph, { vars: Map<string, Variable>; scope: ScopeState }>();

function storeOf(graph: Graph) {
  let s = stores.get(graph);
  if (!s) stores.set(graph, (s = { vars: new Map(), scope: { prefix: "", reuse: false } }));
  return s;
}

export interface VariableScopeOptions {
  /** true: getVariable must find existing variables; "auto": create or reuse. */
  reuse?: boolean | "auto";
}

/** Runs `fn` with variables named `name/...` (and a name scope of the same name). */
export function variableScope<T>(name: string, fn: () => T, options: VariableScopeOptions = {}): T {
  const graph = getDefaultGraph();
  const store = storeOf(graph);
  const saved = store.scope;
  const prefix = saved.prefix ? `${saved.prefix}/${name}` : name;
  store.scope = { prefix, reuse: options.reuse === true || options.reuse === "auto" ? true : saved.reuse };
  const auto = options.reuse === "auto";
  try {
    return graph.withNameScope(name, () => (auto ? withAutoReuse(fn) : fn()));
  } finally {
    store.scope = saved;
  }
}

let autoReuse = 0;
function withAutoReuse<T>(fn: () => T): T {
  autoReuse++;
  try {
    return fn();
  } finally {
    autoReuse--;
  }
}

export interface GetVariableOptions {
  shape?: number[];
  dtype?: DType;
  initializer?: Initializer | TensorLike;
  trainable?: boolean;
  collections?: string[];
}

export function zerosInitializer(): Initializer {
  return (shape, dtype) => constantOp(ndarray(0, { dtype, shape }), "zeros");
}

export function onesInitializer(): Initializer {
  return (shape, dtype) => constantOp(ndarray(1, { dtype, shape }), "ones");
}

export function constantInitializer(value: number): Initializer {
  return (shape, dtype) => constantOp(ndarray(value, { dtype, shape }), "Const");
}

/** Uniform in ±sqrt(6 / (fanIn + fanOut)): TF's default for float variables. */
export function glorotUniformInitializer(seed?: number): Initializer {
  return (shape, dtype) => {
    const fanIn = shape.length >= 2 ? shape[shape.length - 2]! : (shape[0] ?? 1);
    const fanOut = shape.length >= 2 ? shape[shape.length - 1]! : (shape[0] ?? 1);
    const limit = Math.sqrt(6 / Math.max(1, fanIn + fanOut));
    const graph = getDefaultGraph();
    const [s1, s2] = graph.seeds(seed);
    const u = makeTensorOp("RandomUniform", [constantOp(ndarray(shape, { dtype: "int32", shape: [shape.length] }), "shape")], { dtype: { type: dtype }, T: { type: "int32" }, seed: { i: s1 }, seed2: { i: s2 } }, dtype, shape, { name: "random_uniform" });
    const scale = constantOp(ndarray(2 * limit, { dtype }), "scale");
    const offset = constantOp(ndarray(-limit, { dtype }), "offset");
    const mul = makeTensorOp("Mul", [u, scale], { T: { type: dtype } }, dtype, shape, { name: "mul" });
    return makeTensorOp("AddV2", [mul, offset], { T: { type: dtype } }, dtype, shape, { name: "add" });
  };
}

/** Gets or creates the variable `name` under the current variable scope. */
export function getVariable(name: string, options: GetVariableOptions = {}): Variable {
  const graph = getDefaultGraph();
  const store = storeOf(graph);
  const full = store.scope.prefix ? `${store.scope.prefix}/${name}` : name;
  const existing = store.vars.get(full);
  if (existing) {
    if (!store.scope.reuse && autoReuse === 0) {
      throw new TypeError(`Variable ${full} already exists, disallowed. Did you mean to set reuse=True or reuse=tf.AUTO_REUSE in VarScope?`);
    }
    if (options.shape && existing.shape && (existing.shape.length !== options.shape.length || existing.shape.some((d, i) => d !== options.shape![i]))) {
      throw new TypeError(`Trying to share variable ${full}, but specified shape [${options.shape.join(",")}] and found shape [${existing.shape.join(",")}].`);
    }
    return existing;
  }
  if (store.scope.reuse && autoReuse === 0) {
    throw new TypeError(`Variable ${full} does not exist, or was not created with tf.getVariable(). Did you mean to set reuse=tf.AUTO_REUSE in VarScope?`);
  }
  const dtype = options.dtype ?? "float32";
  const init = options.initializer;
  const shape = options.shape;
  if (typeof init !== "function" && init === undefined && !shape) throw new TypeError(`Shape of a new variable (${full}) must be fully defined, but instead was undefined.`);
  const v = graph.withNameScope(null, () =>
    new Variable(
      () => {
        if (typeof init === "function") return (init as Initializer)(shape!, dtype);
        if (init !== undefined) return init;
        return (dtype === "float32" || dtype === "float64" ? glorotUniformInitializer() : zerosInitializer())(shape!, dtype);
      },
      {
        name: full,
        dtype,
        ...(options.trainable !== undefined ? { trainable: options.trainable } : {}),
        ...(options.collections ? { collections: options.collections } : {}),
      },
    ),
  );
  store.vars.set(full, v);
  return v;
}
