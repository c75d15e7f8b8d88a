/**
 * Resource variables (VarHandleOp + AssignVariableOp/ReadVariableOp), collections and initializers.
 * @example const x = new tf.Variable(0, {name: "x"}); await sess.run(x.initializer);
 */
import type { DType } from "../tensor/dtypes.js";
import { convertToTensor, makeOp } from "./convert.js";
import type { NameOption, TensorLike } from "./convert.js";
import type { Shape } from "./graph-def.js";
import { getDefaultGraph, GraphKeys, Operation } from "./graph.js";
import type { Graph } from "./graph.js";
import { Tensor } from "./tensor.js";
import type { TensorConvertible } from "./tensor.js";

export interface VariableOptions {
  name?: string;
  trainable?: boolean;
  collections?: string[];
  dtype?: DType;
  validateShape?: boolean;
}

export class Variable implements TensorConvertible {
  /** The VarHandleOp. */
  readonly op: Operation;
  readonly handle: Tensor;
  readonly initializer: Operation;
  readonly initialValue: Tensor;
  readonly dtype: DType;
  readonly shape: Shape;
  readonly trainable: boolean;
  private readonly snapshot: Tensor;

  constructor(initialValue: TensorLike | (() => TensorLike), options: VariableOptions = {}) {
    const graph = getDefaultGraph();
    const built = graph.withNameScope(options.name ?? "Variable", (scope) => {
      const initial = graph.withNameScope("Initializer", () =>
        convertToTensor(typeof initialValue === "function" ? initialValue() : initialValue, options.dtype, "initial_value"),
      );
      const dtype = initial.dtype;
      const shape = options.validateShape === false ? null : initial.shape;
      const handleOp = graph.addOp({
        type: "VarHandleOp",
        name: scope,
        exactName: true,
        attrs: { container: { s: "" }, shared_name: { s: scope }, dtype: { type: dtype }, shape: { shape: shape ?? null } },
        outputs: [{ dtype: "resource", shape: [] }],
      });
      const assign = makeOp("AssignVariableOp", [handleOp.output, initial], { dtype: { type: dtype }, validate_shape: { b: options.validateShape ?? false } }, [], {
        name: "Assign",
        colocateWith: handleOp,
      });
      const snapshot = graph.withNameScope("Read", () =>
        makeOp("ReadVariableOp", [handleOp.output], { dtype: { type: dtype } }, [{ dtype, shape }], { name: "ReadVariableOp", colocateWith: handleOp }).output,
      );
      return { handleOp, assign, snapshot, initial, dtype, shape };
    });
    this.op = built.handleOp;
    this.handle = built.handleOp.output;
    this.initializer = built.assign;
    this.initialValue = built.initial;
    this.snapshot = built.snapshot;
    this.dtype = built.dtype;
    this.shape = built.shape;
    this.trainable = options.trainable ?? true;
    const collections = options.collections ?? [GraphKeys.GLOBAL_VARIABLES];
    for (const c of collections) graph.addToCollection(c, this);
    if (this.trainable && !collections.includes(GraphKeys.TRAINABLE_VARIABLES)) graph.addToCollection(GraphKeys.TRAINABLE_VARIABLES, this);
  }

  get name(): string {
    return `${this.op.name}:0`;
  }

  get device(): string {
    return this.op.device;
  }

  get graph(): Graph {
    return this.op.graph;
  }

  /** The variable's value (a snapshot read). */
  value(): Tensor {
    return this.snapshot;
  }

  /** A fresh read of the variable, ordered by the enclosing control dependencies. */
  readValue(options: NameOption = {}): Tensor {
    return makeOp("ReadVariableOp", [this.handle], { dtype: { type: this.dtype } }, [{ dtype: this.dtype, shape: this.shape }], {
      name: options.name ?? "ReadVariableOp",
      colocateWith: this.op,
    }).output;
  }

  toTensor(): Tensor {
    return this.snapshot;
  }

  private update(type: string, value: TensorLike, name: string): Tensor {
    const v = convertToTensor(value, this.dtype);
    const op = makeOp(type, [this.handle, v], { dtype: { type: this.dtype } }, [], { name, colocateWith: this.op });
    return this.graph.withControlDependencies([op], () => this.readValue({ name: `${op.name}/read` }));
  }

  /** Assigns `value`; the result holds the variable's new value (as in TF1). */
  assign(value: TensorLike, options: NameOption = {}): Tensor {
    return this.update("AssignVariableOp", value, options.name ?? "AssignVariableOp");
  }

  assignAdd(delta: TensorLike, options: NameOption = {}): Tensor {
    return this.update("AssignAddVariableOp", delta, options.name ?? "AssignAddVariableOp");
  }

  assignSub(delta: TensorLike, options: NameOption = {}): Tensor {
    return this.update("AssignSubVariableOp", delta, options.name ?? "AssignSubVariableOp");
  }

  /** A bool scalar: whether the variable holds a value on its task. */
  isInitialized(): Tensor {
    return makeOp("VarIsInitializedOp", [this.handle], {}, [{ dtype: "bool", shape: [] }], { name: "VarIsInitializedOp", colocateWith: this.op }).output;
  }

  toString(): string {
    return `<tf.Variable '${this.name}' dtype=${this.dtype}>`;
  }
}

export function assign(v: Variable, value: TensorLike, options: NameOption = {}): Tensor {
  return v.assign(value, options);
}
export function assignAdd(v: Variable, delta: TensorLike, options: NameOption = {}): Tensor {
  return v.assignAdd(delta, options);
}
export function assignSub(v: Variable, delta: TensorLike, options: NameOption = {}): Tensor {
  return v.assignSub(delta, options);
}

export function globalVariables(): Variable[] {
  return getDefaultGraph().getCollection<Variable>(GraphKeys.GLOBAL_VARIABLES);
}
export function localVariables(): Variable[] {
  return getDefaultGraph().getCollection<Variable>(GraphKeys.LOCAL_VARIABLES);
}
export function trainableVariables(): Variable[] {
  return getDefaultGraph().getCollection<Variable>(GraphKeys.TRAINABLE_VARIABLES);
}

/** A NoOp that runs the initializers of `vars`. */
export function variablesInitializer(vars: Variable[], options: NameOption = {}): Operation {
  return getDefaultGraph().addOp({ type: "NoOp", name: options.name ?? "init", controlInputs: vars.map((v) => v.initializer) });
}
export function globalVariablesInitializer(): Operation {
  return variablesInitializer(globalVariables(), { name: "init" });
}
export function localVariablesInitializer(): Operation {
  return variablesInitializer(localVariables(), { name: "init_1" });
}

/** A string vector with the names of the variables not yet initialised (all global + local by default). */
export function reportUninitializedVariables(vars?: Variable[], options: NameOption = {}): Tensor {
  const list = vars ?? [...globalVariables(), ...localVariables()];
  const graph = getDefaultGraph();
  return graph.withNameScope(options.name ?? "report_uninitialized_variables", () => {
    const flags = list.map((v) => v.isInitialized());
    return graph.addOp({
      type: "_UninitializedNames",
      name: "names",
      inputs: flags,
      attrs: { names: { list: { s: list.map((v) => v.op.name) } }, N: { i: list.length } },
      outputs: [{ dtype: "string", shape: [null] }],
    }).output;
  });
}

export function addToCollection(key: string, value: unknown): void {
  getDefaultGraph().addToCollection(key, value);
}
export function getCollection<T = unknown>(key: string): T[] {
  return getDefaultGraph().getCollection<T>(key);
}

export { Tensor, Operation };
