/**
 * tf.gradients: reverse-mode differentiation over the graph, TF's algorithm
 * (gradients_util._GradientsHelper). The ops between `xs` and `ys` are found (forward from xs
 * through float and resource tensors, backward from ys); each op's gradient function runs once
 * the gradients of all its consumers on that path are known, their several contributions to one
 * tensor summed with AddN. Variables stand for their handle, so the gradient of every read of a
 * variable flows to it. Unconnected xs get `null`; StopGradient and `stopGradients` cut the path.
 */
import { isFloating } from "../tensor/dtypes.js";
import type { DType } from "../tensor/dtypes.js";
import { convertToTensor } from "./convert.js";
import type { TensorLike } from "./convert.js";
import { appendAll } from "../util/arrays.js";
import type { Graph, Operation } from "./graph.js";
import "./grad/all.js";
import { addN } from "./grad/grad-ops.js";
import { lookupGradient } from "./grad/registry.js";
import { fill } from "./ops/creation.js";
import { shape as shapeOf } from "./ops/array.js";
import { mergeShapes, shapeString } from "./ops/shape-utils.js";
import { isTensorConvertible, Tensor } from "./tensor.js";
import { Variable } from "./variables.js";

export interface GradientsOptions {
  /** Name scope of the gradient ops; "gradients" by default. */
  name?: string;
  /** Tensors treated as constants: no gradient flows through them. */
  stopGradients?: Tensor[];
}

export type Differentiable = Tensor | Variable;

/** Tensors of these dtypes carry gradients (TF's _IsBackpropagatable). */
function backpropagatable(dtype: DType): boolean {
  return isFloating(dtype) || dtype === "resource";
}

function asTensor(x: TensorLike | Variable): Tensor {
  if (x instanceof Tensor) return x;
  if (x instanceof Variable) return x.value();
  if (isTensorConvertible(x)) return x.toTensor();
  return convertToTensor(x);
}

/** Each tensor's consumers among the graph's ops. */
function consumersOf(graph: Graph): Map<Tensor, Operation[]> {
  const out = new Map<Tensor, Operation[]>();
  for (const op of graph.getOperations()) {
    for (const t of op.inputs) {
      const list = out.get(t);
      if (list) list.push(op);
      else out.set(t, [op]);
    }
  }
  return out;
}

/** The ops on a path from `fromOps` to `toOps`, and how many of their consumer edges lie on one. */
function opsBetween(graph: Graph, fromOps: Operation[], toOps: Operation[]): { between: Set<Operation>; pending: Map<Operation, number> } {
  const consumers = consumersOf(graph);
  const reached = new Set<Operation>();
  const forward = [...fromOps];
  while (forward.length > 0) {
    const op = forward.pop()!;
    if (reached.has(op)) continue;
    reached.add(op);
    for (const t of op.outputs) if (backpropagatable(t.dtype)) appendAll(forward, consumers.get(t) ?? []);
  }
  const between = new Set<Operation>();
  const backward = [...toOps];
  while (backward.length > 0) {
    const op = backward.pop()!;
    if (!reached.has(op) || between.has(op)) continue;
    between.add(op);
    for (const t of op.inputs) backward.push(t.op);
  }
  const pending = new Map<Operation, number>();
  for (const op of between) for (const t of op.inputs) if (between.has(t.op)) pending.set(t.op, (pending.get(t.op) ?? 0) + 1);
  return { between, pending };
}

/** The gradients collected for each output of each op, summed once the op is processed. */
class GradTable {
  private readonly table = new Map<Operation, Tensor[][]>();

  add(t: Tensor, grad: Tensor): void {
    let perOutput = this.table.get(t.op);
    if (!perOutput) this.table.set(t.op, (perOutput = t.op.outputs.map(() => [])));
    perOutput[t.index]!.push(grad);
  }

  /** The sum of each output's gradients (null where none), stored back as one tensor each. */
  aggregate(op: Operation): (Tensor | null)[] {
    const perOutput = this.table.get(op);
    if (!perOutput) return op.outputs.map(() => null);
    return perOutput.map((list, i) => {
      if (list.length === 0) return null;
      const sum = list.length === 1 ? list[0]! : addN(list, { name: `AddN${i === 0 ? "" : `_${i}`}` });
      perOutput[i] = [sum];
      return sum;
    });
  }
}

/** Checks a gradient function's result against the op's inputs and records it. */
function recordInputGrads(op: Operation, inGrads: (Tensor | null)[], grads: GradTable): void {
  if (inGrads.length !== op.inputs.length) {
    throw new Error(`Num gradients ${inGrads.length} generated for op ${op.name} (${op.type}) do not match num inputs ${op.inputs.length}`);
  }
  op.inputs.forEach((t, i) => {
    const g = inGrads[i];
    if (!g) return;
    if (t.dtype !== "resource") {
      try {
        g.shape = mergeShapes(g.shape, t.shape);
      } catch {
        throw new Error(`Gradient of ${op.type} '${op.name}' for input ${i} has shape ${shapeString(g.shape)}, incompatible with the input's ${shapeString(t.shape)}`);
      }
    }
    grads.add(t, g);
  });
}

/**
 * The symbolic partial derivatives of sum(ys) with respect to each of `xs` (TF's tf.gradients):
 * one tensor per x, or null where x does not affect ys. `gradYs` weights each y (ones by default).
 * A Variable in `xs` stands for the variable: every read of it contributes.
 * @example const [dw, db] = tf.gradients(loss, [w, b]);
 */
export function gradients(
  ys: TensorLike | Variable | (TensorLike | Variable)[],
  xs: Differentiable | Differentiable[],
  gradYs?: TensorLike | (TensorLike | null)[] | null,
  options: GradientsOptions = {},
): (Tensor | null)[] {
  const yList = (Array.isArray(ys) ? ys : [ys]).map(asTensor);
  const xList = (Array.isArray(xs) ? xs : [xs]).map((x) => (x instanceof Variable ? x.handle : x));
  // With a list of ys, gradYs is a list of one entry per y; with one y, it is that y's gradient.
  const gyList: (TensorLike | null)[] =
    gradYs === undefined || gradYs === null ? yList.map(() => null) : Array.isArray(ys) ? (gradYs as (TensorLike | null)[]) : [gradYs as TensorLike];
  if (gyList.length !== yList.length) throw new RangeError(`Passed ${gyList.length} grad_ys for ${yList.length} ys`);
  if (yList.length === 0) return xList.map(() => null);
  const graph = yList[0]!.graph;
  for (const t of [...yList, ...xList]) if (t.graph !== graph) throw new Error(`Tensor ${t.name} must be from the same graph as ${yList[0]!.name}`);
  return graph.asDefault(() =>
    graph.withNameScope(options.name ?? "gradients", () => {
      const grads = new GradTable();
      yList.forEach((y, i) => {
        const gy = gyList[i];
        if (gy !== null && gy !== undefined) grads.add(y, convertToTensor(gy, y.dtype, `grad_ys_${i}`));
        else grads.add(y, fill(shapeOf(y), convertToTensor(1, y.dtype, `grad_ys_${i}`)));
      });
      backprop(graph, yList, xList, grads, options);
      return xList.map((x) => grads.aggregate(x.op)[x.index] ?? null);
    }),
  );
}

function backprop(graph: Graph, ys: Tensor[], xs: Tensor[], grads: GradTable, options: GradientsOptions): void {
  const fromOps = [...new Set(xs.map((x) => x.op))];
  const toOps = [...new Set(ys.map((y) => y.op))];
  const { between, pending } = opsBetween(graph, fromOps, toOps);
  // An x whose inputs are not on the path is where backprop stops (TF's _StopOps).
  const stopOps = new Set(fromOps.filter((op) => op.inputs.every((t) => (pending.get(t.op) ?? 0) === 0 || !between.has(t.op))));
  for (const t of options.stopGradients ?? []) stopOps.add(t.op);
  const queue = toOps.filter((op) => between.has(op) && (pending.get(op) ?? 0) === 0);
  const queued = new Set(queue);
  // Each op enters the queue once, so the loop is bounded by the number of ops between.
  while (queue.length > 0) {
    const op = queue.shift()!;
    graph.withNameScope(`${op.name}_grad`, () => {
      const outGrads = grads.aggregate(op);
      if (outGrads.every((g) => g === null) || stopOps.has(op)) return;
      const found = lookupGradient(op.type);
      if (found.kind === "missing") throw new Error(`No gradient defined for operation '${op.name}' (op type: ${op.type})`);
      if (found.kind === "fn") recordInputGrads(op, found.fn(op, outGrads), grads);
    });
    for (const t of op.inputs) {
      if (!between.has(t.op)) continue;
      const left = (pending.get(t.op) ?? 0) - 1;
      pending.set(t.op, left);
      if (left === 0 && !queued.has(t.op)) {
        queued.add(t.op);
        queue.push(t.op);
      }
    }
  }
}
