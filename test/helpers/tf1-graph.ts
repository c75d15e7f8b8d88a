/**
 * Builds graphs as TF 1.x's Python does, op by op with TF's types and attrs (VariableV2 + Assign +
 * an Identity "read" colocated with `_class`, ref-typed Apply* updates), through the raw
 * `graph.addOp`, so tests exercise the kernels from a GraphDef rather than from our builders.
 */
import * as tf from "../../src/index.js";
import type { DType } from "../../src/tensor/dtypes.js";

type Graph = InstanceType<typeof tf.Graph>;
type Tensor = ReturnType<typeof tf.constant>;
type Operation = Tensor["op"];

export interface RefVariable {
  variable: Tensor;
  read: Tensor;
  initializer: Operation;
}

export function refVariable(g: Graph, name: string, initial: number[] | number, options: { dtype?: DType; device?: string; sharedName?: string } = {}): RefVariable {
  const dtype = options.dtype ?? "float32";
  const shape = Array.isArray(initial) ? [initial.length] : [];
  const build = () => {
    const variable = g.addOp({
      type: "VariableV2",
      name,
      exactName: true,
      attrs: { dtype: { type: dtype }, shape: { shape }, container: { s: "" }, shared_name: { s: options.sharedName ?? "" } },
      outputs: [{ dtype, shape }],
    }).output;
    const colocate = { _class: { list: { s: [`loc:@${name}`] } } };
    const init = tf.constant(initial, { dtype, name: `${name}/initial_value` });
    const initializer = g.addOp({
      type: "Assign",
      name: `${name}/Assign`,
      exactName: true,
      inputs: [variable, init],
      attrs: { T: { type: dtype }, validate_shape: { b: true }, use_locking: { b: true }, ...colocate },
      outputs: [{ dtype, shape }],
    });
    const read = g.addOp({ type: "Identity", name: `${name}/read`, exactName: true, inputs: [variable], attrs: { T: { type: dtype }, ...colocate }, outputs: [{ dtype, shape }] }).output;
    return { variable, read, initializer };
  };
  return g.asDefault(() => (options.device ? tf.device(options.device, build) : build()));
}

/** A ref-typed op (Assign, AssignAdd, Apply*, ...) whose output is the ref to input 0. */
export function refOp(g: Graph, type: string, inputs: Tensor[], attrs: Record<string, unknown> = {}, name?: string): Tensor {
  const first = inputs[0]!;
  return g.addOp({
    type,
    name: name ?? type,
    inputs,
    attrs: { T: { type: first.dtype }, use_locking: { b: false }, ...(attrs as Record<string, never>) },
    outputs: [{ dtype: first.dtype, shape: first.shape }],
  }).output;
}
