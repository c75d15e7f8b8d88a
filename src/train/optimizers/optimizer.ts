/**
 * The Optimizer base class (TF's tf.train.Optimizer): computeGradients → [grad, var] pairs,
 * applyGradients → one update op per variable, colocated with it (so on its ps task), grouped,
 * then the global step incremented once the updates are done. Slots (per-variable state such as
 * momentum accumulators) and non-slot variables (Adam's beta powers) are non-trainable global
 * variables created next to their variable, whatever device scopes are active.
 */
import type { TensorLike } from "../../graph/convert.js";
import { constantOp } from "../../graph/convert.js";
import { gradients } from "../../graph/gradients.js";
import type { Graph, Operation } from "../../graph/graph.js";
import { GraphKeys } from "../../graph/graph.js";
import { group } from "../../graph/ops/control.js";
import { fill, zeros, zerosLike } from "../../graph/ops/creation.js";
import { add } from "../../graph/ops/math.js";
import { isFullyDefined } from "../../graph/ops/shape-utils.js";
import { Tensor } from "../../graph/tensor.js";
import { Variable } from "../../graph/variables.js";
import { ndarray } from "../../tensor/ndarray.js";

export type GradAndVar = [Tensor | null, Variable];

export interface ComputeGradientsOptions {
  /** The variables to differentiate with respect to; the graph's trainable variables by default. */
  varList?: Variable[];
}

export interface ApplyGradientsOptions {
  /** Incremented by one after the updates have been applied. */
  globalStep?: Variable;
  /** Name of the returned op and scope of the update ops; the optimizer's name by default. */
  name?: string;
}

export interface MinimizeOptions extends ComputeGradientsOptions, ApplyGradientsOptions {}

export interface OptimizerOptions {
  useLocking?: boolean;
  name?: string;
}

/** Runs `fn` colocated with `v` (its device, `_class: loc:@v`): TF's colocate_with(v). */
export function colocatedWith<T>(v: Variable, fn: () => T): T {
  return v.graph.withColocation(v.op, fn);
}

/** A NoOp named exactly `fullName` that runs after `ops` (one NoOp per device first, as tf.group). */
export function groupNamed(graph: Graph, ops: Operation[], fullName: string): Operation {
  const devices = [...new Set(ops.map((o) => o.device))].sort();
  const deps = devices.length <= 1 ? ops : devices.map((d) => group(...ops.filter((o) => o.device === d), { name: "NoOp" }));
  return graph.addOp({ type: "NoOp", name: fullName, exactName: true, controlInputs: deps });
}

export abstract class Optimizer {
  readonly useLocking: boolean;
  readonly name: string;
  private readonly slots = new Map<string, Map<Variable, Variable>>();
  private readonly nonSlots = new Map<Graph, Map<string, Variable>>();

  constructor(options: OptimizerOptions & { name: string }) {
    this.useLocking = options.useLocking ?? false;
    this.name = options.name;
  }

  /**
   * The gradient of `loss` for each variable of `varList` (null where loss does not depend on it).
   * @example const gradsAndVars = opt.computeGradients(loss);
   */
  computeGradients(loss: Tensor, options: ComputeGradientsOptions = {}): GradAndVar[] {
    if (!(loss instanceof Tensor)) throw new TypeError("computeGradients: loss must be a Tensor");
    const vars = options.varList ?? loss.graph.getCollection<Variable>(GraphKeys.TRAINABLE_VARIABLES);
    if (vars.length === 0) throw new Error("No variables to optimize.");
    for (const v of [loss, ...vars]) {
      if (v.dtype !== "float32" && v.dtype !== "float64") throw new TypeError(`Invalid type ${v.dtype} for ${v.name}, expected: [float32, float64].`);
    }
    const grads = gradients(loss, vars);
    return vars.map((v, i) => [grads[i] ?? null, v]);
  }

  /**
   * The op that applies `gradsAndVars` (and then increments `globalStep`).
   * @example const train = opt.applyGradients(opt.computeGradients(loss), {globalStep});
   */
  applyGradients(gradsAndVars: GradAndVar[], options: ApplyGradientsOptions = {}): Operation {
    const pairs = gradsAndVars.filter((p): p is [Tensor, Variable] => p[0] !== null);
    if (pairs.length === 0) {
      throw new Error(`No gradients provided for any variable: ${gradsAndVars.map(([, v]) => v.name).join(", ")}.`);
    }
    const graph = pairs[0]![1].graph;
    return graph.asDefault(() => {
      graph.withNameScope(null, () => graph.withControlDependencies(null, () => this.createSlots(pairs.map(([, v]) => v))));
      return graph.withNameScope(options.name ?? this.name, (scope) => {
        this.prepare();
        const updates = pairs.map(([g, v]) => graph.withNameScope(`update_${v.op.name}`, () => colocatedWith(v, () => this.applyDense(g, v))));
        const step = options.globalStep;
        if (!step) return this.finish(updates, scope);
        const finished = this.finish(updates, `${scope}/update`);
        return graph.withControlDependencies([finished], () =>
          graph.addOp({
            type: "AssignAddVariableOp",
            name: scope,
            exactName: true,
            inputs: [step.handle, colocatedWith(step, () => constantOp(ndarray(1, { dtype: step.dtype }), "one"))],
            attrs: { dtype: { type: step.dtype } },
            colocateWith: step.op,
          }),
        );
      });
    });
  }

  /**
   * computeGradients then applyGradients.
   * @example const train = new tf.train.GradientDescentOptimizer(0.1).minimize(loss, {globalStep});
   */
  minimize(loss: Tensor, options: MinimizeOptions = {}): Operation {
    const gradsAndVars = this.computeGradients(loss, options.varList ? { varList: options.varList } : {});
    if (gradsAndVars.every(([g]) => g === null)) {
      throw new Error(
        `No gradients provided for any variable, check your graph for ops that do not support gradients, between variables [${gradsAndVars.map(([, v]) => v.name).join(", ")}] and loss ${loss.name}.`,
      );
    }
    return this.applyGradients(gradsAndVars, options);
  }

  /** The slot `name` of `v` ("momentum", "m", "v"), or null. */
  getSlot(v: Variable, name: string): Variable | null {
    return this.slots.get(name)?.get(v) ?? null;
  }

  getSlotNames(): string[] {
    return [...this.slots.keys()].sort();
  }

  /** Every slot and non-slot variable this optimizer created. */
  variables(): Variable[] {
    return [...[...this.nonSlots.values()].flatMap((m) => [...m.values()]), ...[...this.slots.values()].flatMap((m) => [...m.values()])];
  }

  /** Creates the slots of `vars` that do not exist yet. */
  protected abstract createSlots(vars: Variable[]): void;

  /** Builds the hyper-parameter tensors, once per applyGradients. */
  protected abstract prepare(): void;

  /** The update op of one variable (built colocated with it). */
  protected abstract applyDense(grad: Tensor, v: Variable): Operation;

  /** The op grouping the updates, named exactly `fullName`. */
  protected finish(updates: Operation[], fullName: string): Operation {
    return groupNamed(updates[0]!.graph, updates, fullName);
  }

  /** A zero-initialised slot `slotName` of `v`, variable "<v>/<opName>", next to `v`. */
  protected zerosSlot(v: Variable, slotName: string, opName: string): Variable {
    return this.filledSlot(v, slotName, opName, 0);
  }

  /** A slot of `v` filled with `value` (Adagrad's 0.1, RMSProp's ones), variable "<v>/<opName>", next to `v`. */
  protected filledSlot(v: Variable, slotName: string, opName: string, value: number): Variable {
    let bySlot = this.slots.get(slotName);
    if (!bySlot) this.slots.set(slotName, (bySlot = new Map()));
    const existing = bySlot.get(v);
    if (existing) return existing;
    const shape = v.shape;
    const initial = (): Tensor => {
      if (value === 0) return isFullyDefined(shape) ? zeros(shape, v.dtype) : zerosLike(v.initialValue);
      const filler = constantOp(ndarray(value, { dtype: v.dtype }), "value");
      return isFullyDefined(shape) ? fill(shape, filler) : add(zerosLike(v.initialValue), filler);
    };
    const slot = colocatedWith(v, () =>
      new Variable(initial, {
        name: `${v.op.name}/${opName}`,
        trainable: false,
        validateShape: isFullyDefined(shape),
      }),
    );
    bySlot.set(v, slot);
    return slot;
  }

  /** A variable of this optimizer not tied to one variable (Adam's beta powers), next to `colocate`. */
  protected nonSlotVariable(name: string, initialValue: TensorLike, colocate: Variable): Variable {
    let byName = this.nonSlots.get(colocate.graph);
    if (!byName) this.nonSlots.set(colocate.graph, (byName = new Map()));
    const existing = byName.get(name);
    if (existing) return existing;
    const v = colocatedWith(colocate, () => new Variable(initialValue, { name, trainable: false, dtype: colocate.dtype }));
    byName.set(name, v);
    return v;
  }

  protected getNonSlotVariable(name: string, graph: Graph): Variable {
    const v = this.nonSlots.get(graph)?.get(name);
    if (!v) throw new Error(`${this.name}: no variable ${name} in this graph; applyGradients creates it`);
    return v;
  }
}
