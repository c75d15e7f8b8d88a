/** Control-flow helpers: NoOp, group (a NoOp with control inputs), tuple (gated Identities), Assert. */
import { asOperation, convertToTensor, makeOp } from "../convert.js";
import type { NameOption, TensorLike } from "../convert.js";
import { getDefaultGraph, Operation } from "../graph.js";
import type { Graph } from "../graph.js";
import { Tensor } from "../tensor.js";
import type { TensorConvertible } from "../tensor.js";

export type OpOrTensor = Operation | Tensor | TensorConvertible;
/** What `group` accepts: ops, tensors, variables, and (nested) arrays of them. */
export type Groupable = OpOrTensor | Groupable[];

/**
 * An op that does nothing; useful as a target with control inputs (NoOp).
 * @example const done = tf.noOp({name: "done"});
 */
export function noOp(options: NameOption & { controlInputs?: Operation[] } = {}): Operation {
  return makeOp("NoOp", [], {}, [], { name: options.name ?? "NoOp", ...(options.controlInputs ? { controlInputs: options.controlInputs } : {}) });
}

function isOpOrTensor(x: unknown): x is OpOrTensor {
  return x instanceof Operation || x instanceof Tensor || (typeof x === "object" && x !== null && typeof (x as TensorConvertible).toTensor === "function");
}

function flattenOps(items: Groupable[], out: Operation[]): void {
  for (const item of items) {
    if (Array.isArray(item)) flattenOps(item, out);
    else {
      const op = asOperation(item);
      if (!out.includes(op)) out.push(op);
    }
  }
}

function noOpOn(graph: Graph, device: string, deps: Operation[], name: string): Operation {
  const build = () => graph.asDefault(() => noOp({ name, controlInputs: deps }));
  return device ? graph.withDevice(device, build) : build();
}

/**
 * One op that runs when all of `inputs` have run: a NoOp with a control input on each (one NoOp
 * per device first when they span devices, as TF does). A trailing `{name}` object names it.
 * @example const trainOp = tf.group(updateW, updateB, {name: "train"});
 */
export function group(...args: (Groupable | NameOption)[]): Operation {
  let name = "group_deps";
  const last = args[args.length - 1];
  if (last !== undefined && !Array.isArray(last) && !isOpOrTensor(last)) {
    name = (last as NameOption).name ?? name;
    args = args.slice(0, -1);
  }
  const ops: Operation[] = [];
  flattenOps(args as Groupable[], ops);
  const graph = ops[0]?.graph ?? getDefaultGraph();
  if (ops.length === 0) return graph.asDefault(() => noOp({ name }));
  const byDevice = new Map<string, Operation[]>();
  for (const op of ops) {
    const list = byDevice.get(op.device);
    if (list) list.push(op);
    else byDevice.set(op.device, [op]);
  }
  if (byDevice.size === 1) {
    const [device, deps] = [...byDevice][0]!;
    return noOpOn(graph, device, deps, name);
  }
  const perDevice = [...byDevice.keys()].sort().map((d) => noOpOn(graph, d, byDevice.get(d)!, "NoOp"));
  return graph.asDefault(() => noOp({ name, controlInputs: perDevice }));
}

export interface TupleOptions extends NameOption {
  /** More ops to finish before any output is available. */
  controlInputs?: OpOrTensor[];
}

/**
 * The same tensors, each available only once all of them (and `controlInputs`) are computed:
 * Identity ops gated on one group of every input.
 * @example const [a2, b2] = tf.tuple([a, b]);
 */
export function tuple(tensors: (Tensor | TensorConvertible)[], options: TupleOptions = {}): Tensor[] {
  const ts = tensors.map((t) => (t instanceof Tensor ? t : t.toTensor()));
  const graph = ts[0]?.graph ?? getDefaultGraph();
  return graph.asDefault(() =>
    graph.withNameScope(options.name ?? "tuple", () => {
      const gating: Operation[] = [];
      flattenOps([...ts, ...(options.controlInputs ?? [])], gating);
      gating.sort((a, b) => a.id - b.id);
      const gate = group(...gating, {});
      return ts.map(
        (t) =>
          makeOp("Identity", [t], { T: { type: t.dtype } }, [{ dtype: t.dtype, shape: t.shape === null ? null : [...t.shape] }], {
            name: "control_dependency",
            controlInputs: [gate],
            colocateWith: t.op,
          }).output,
      );
    }),
  );
}

export interface AssertOptions extends NameOption {
  /** How many entries of each data tensor the error message shows (TF's default: 3). */
  summarize?: number;
}

/**
 * Fails the step with InvalidArgumentError "assertion failed: [data...]" when `condition` (a bool
 * scalar) is false at run time (TF's Assert). Use it as a control dependency.
 * @example const check = tf.assert(tf.greater(tf.size(x), 0), ["x must not be empty"]);
 */
export function assert(condition: TensorLike, data: TensorLike[], options: AssertOptions = {}): Operation {
  const cond = convertToTensor(condition, "bool");
  const values = data.map((d) => convertToTensor(d));
  return makeOp(
    "Assert",
    [cond, ...values],
    { T: { list: { type: values.map((v) => v.dtype) } }, summarize: { i: options.summarize ?? 3 } },
    [],
    { name: options.name ?? "Assert" },
  );
}
