/**
 * Client-side graph building: operations, unique names, name/device/container/control scopes
 * and collections. Pure: no I/O, no runtime.
 */
import type { DType } from "../tensor/dtypes.js";
import { DeviceSpec } from "./device-spec.js";
import type { AttrValue, GraphDef, NodeDef, Shape } from "./graph-def.js";
import { Tensor } from "./tensor.js";

export type DeviceFunction = (op: Operation) => string | DeviceSpec | null | undefined;

export interface OutputSpec {
  dtype: DType;
  shape: Shape;
}

export interface OpSpec {
  type: string;
  inputs?: Tensor[];
  attrs?: Record<string, AttrValue>;
  outputs?: OutputSpec[];
  /** Base name; defaults to the op type. Made unique under the current name scope. */
  name?: string;
  controlInputs?: Operation[];
  /** Take this op's device instead of running the device scopes (TF's colocate_with). */
  colocateWith?: Operation;
  /** Use `name` exactly (a name derived from a name scope, as TF's name_from_scope_name). */
  exactName?: boolean;
}

export class Operation {
  readonly outputs: Tensor[];
  device = "";
  /** Creation index in its graph; GraphDef order. */
  readonly id: number;

  constructor(
    readonly graph: Graph,
    readonly name: string,
    readonly type: string,
    readonly inputs: Tensor[],
    readonly controlInputs: Operation[],
    readonly attrs: Record<string, AttrValue>,
    outputs: OutputSpec[],
    id: number,
  ) {
    this.outputs = outputs.map((o, i) => new Tensor(this, i, o.dtype, o.shape));
    this.id = id;
  }

  /** Output 0, for single-output ops. */
  get output(): Tensor {
    const t = this.outputs[0];
    if (!t) throw new TypeError(`Operation '${this.name}' (${this.type}) has no outputs`);
    return t;
  }

  getAttr(name: string): AttrValue | undefined {
    return this.attrs[name];
  }

  toNodeDef(): NodeDef {
    return {
      name: this.name,
      op: this.type,
      input: [
        ...this.inputs.map((t) => (t.index === 0 ? t.op.name : t.name)),
        ...this.controlInputs.map((c) => `^${c.name}`),
      ],
      device: this.device,
      attr: { ...this.attrs },
    };
  }

  toString(): string {
    return `Operation("${this.name}", type=${this.type}, device="${this.device}")`;
  }
}

type DeviceScope = DeviceFunction | null;

/** One controlDependencies block: its control inputs and the ops created inside it (TF's controller). */
interface ControlScope {
  inputs: Operation[];
  seen: Set<Operation>;
}

function mergeDevice(spec: DeviceSpec): DeviceFunction {
  return (op) => {
    const merged = spec.clone();
    if (op.device) merged.mergeFrom(DeviceSpec.fromString(op.device));
    return merged;
  };
}

/** Graph-level collection keys (TF's GraphKeys). */
export const GraphKeys = {
  GLOBAL_VARIABLES: "variables",
  LOCAL_VARIABLES: "local_variables",
  TRAINABLE_VARIABLES: "trainable_variables",
  MODEL_VARIABLES: "model_variables",
  QUEUE_RUNNERS: "queue_runners",
  GLOBAL_STEP: "global_step",
  LOSSES: "losses",
  SUMMARIES: "summaries",
  INIT_OP: "init_op",
  LOCAL_INIT_OP: "local_init_op",
  READY_OP: "ready_op",
  TRAIN_OP: "train_op",
  UPDATE_OPS: "update_ops",
} as const;

export class Graph {
  private readonly ops: Operation[] = [];
  private readonly byName = new Map<string, Operation>();
  private readonly namesInUse = new Map<string, number>();
  private nameScope = "";
  private readonly deviceStack: DeviceScope[] = [];
  private containerName = "";
  private controlStack: ControlScope[] = [];
  private readonly colocationStack: Operation[] = [];
  private readonly collections = new Map<string, unknown[]>();
  private finalized = false;
  /** Graph-level random seed (tf.set_random_seed); null when unset. */
  seed: number | null = null;
  private opSeedCounter = 0;

  /** Runs `fn` with this graph as the default graph and returns its result. */
  asDefault<T>(fn: () => T): T {
    graphStack.push(this);
    try {
      return fn();
    } finally {
      graphStack.pop();
    }
  }

  finalize(): void {
    this.finalized = true;
  }

  /** Makes a finalized graph mutable again (TF's _unsafe_unfinalize; MonitoredSession's close uses it). */
  unsafeUnfinalize(): void {
    this.finalized = false;
  }

  get isFinalized(): boolean {
    return this.finalized;
  }

  /** Number of operations; a GraphDef "version" for extendSession. */
  get version(): number {
    return this.ops.length;
  }

  getOperations(): Operation[] {
    return [...this.ops];
  }

  /** The operation called `name`; TF's errors for a tensor name or a missing op. */
  getOperationByName(name: string): Operation {
    if (typeof name !== "string") throw new TypeError(`Operation names are strings (or similar), not ${typeof name}.`);
    // "a Operation" is TF's own wording (it formats "a %s" with the type name).
    if (name.includes(":")) throw new TypeError(`Name '${name}' appears to refer to a Tensor, not a Operation.`);
    const op = this.byName.get(name);
    if (!op) throw new RangeError(`The name '${name}' refers to an Operation not in the graph.`);
    return op;
  }

  hasOperation(name: string): boolean {
    return this.byName.has(name);
  }

  /** The tensor called "op:index"; TF's error texts (KeyError → RangeError, ValueError → TypeError). */
  getTensorByName(name: string): Tensor {
    if (typeof name !== "string") throw new TypeError(`Tensor names are strings (or similar), not ${typeof name}.`);
    const form = 'Tensor names must be of the form "<op_name>:<output_index>".';
    if (!name.includes(":")) {
      const what = this.byName.has(name) ? "refers to an Operation" : "looks like an (invalid) Operation name";
      throw new TypeError(`The name '${name}' ${what}, not a Tensor. ${form}`);
    }
    const parts = name.split(":");
    if (parts.length !== 2 || !/^\d+$/.test(parts[1]!)) {
      throw new TypeError(`The name '${name}' looks a like a Tensor name, but is not a valid one. ${form}`);
    }
    const opName = parts[0]!;
    const op = this.byName.get(opName);
    if (!op) {
      throw new RangeError(`The name '${name}' refers to a Tensor which does not exist. The operation, '${opName}', does not exist in the graph.`);
    }
    const t = op.outputs[Number(parts[1])];
    if (!t) {
      throw new RangeError(`The name '${name}' refers to a Tensor which does not exist. The operation, '${opName}', exists but only has ${op.outputs.length} outputs.`);
    }
    return t;
  }

  /** A name not used yet in this graph, under the current name scope (TF's unique_name). */
  uniqueName(base: string, markAsUsed = true): string {
    const full = this.nameScope ? `${this.nameScope}/${base}` : base;
    const key = full.toLowerCase();
    let count = this.namesInUse.get(key) ?? 0;
    let name = full;
    if (count > 0) {
      let candidate = `${full}_${count}`;
      while (this.namesInUse.has(candidate.toLowerCase())) candidate = `${full}_${++count}`;
      name = candidate;
    }
    if (markAsUsed) {
      this.namesInUse.set(key, count + 1);
      if (name !== full) this.namesInUse.set(name.toLowerCase(), 1);
    }
    return name;
  }

  /** Adds an operation: unique name, control dependencies, container and device scopes applied. */
  addOp(spec: OpSpec): Operation {
    if (this.finalized) throw new Error("Graph is finalized and cannot be modified.");
    const inputs = spec.inputs ?? [];
    for (const t of inputs) {
      if (t.graph !== this) throw new Error(`Tensor ${t.name} must be from the same graph as the new op ${spec.type}.`);
    }
    let name: string;
    if (spec.exactName && spec.name) {
      if (this.byName.has(spec.name)) throw new Error(`Duplicate node name in graph: '${spec.name}'`);
      name = spec.name;
    } else {
      name = this.uniqueName(spec.name ?? spec.type);
    }
    const attrs = { ...(spec.attrs ?? {}) };
    if ("container" in attrs && this.containerName && (attrs.container as { s: string }).s === "") {
      attrs.container = { s: this.containerName };
    }
    const colocateWith = spec.colocateWith ?? this.colocationStack[this.colocationStack.length - 1];
    if (colocateWith) attrs._class = { list: { s: colocationGroups(colocateWith) } };
    const control = [...(spec.controlInputs ?? [])];
    for (const c of this.controlInputsFor(inputs)) if (!control.includes(c)) control.push(c);
    const op = new Operation(this, name, spec.type, inputs, control, attrs, spec.outputs ?? [], this.ops.length);
    if (colocateWith) op.device = colocateWith.device;
    else this.applyDeviceScopes(op);
    this.ops.push(op);
    this.byName.set(name, op);
    for (const scope of this.controlStack) scope.seen.add(op);
    return op;
  }

  /**
   * TF's _control_dependencies_for_inputs: a block's control inputs are skipped when an input op
   * was itself created in that block (it already waits for them), and never duplicate a data input.
   */
  private controlInputsFor(inputs: Tensor[]): Operation[] {
    const inputOps = new Set(inputs.map((t) => t.op));
    const out: Operation[] = [];
    for (const scope of this.controlStack) {
      if ([...inputOps].some((op) => scope.seen.has(op))) continue;
      for (const c of scope.inputs) if (!inputOps.has(c)) out.push(c);
    }
    return out;
  }

  private applyDeviceScopes(op: Operation): void {
    for (let i = this.deviceStack.length - 1; i >= 0; i--) {
      const fn = this.deviceStack[i];
      if (fn === null || fn === undefined) break;
      const d = fn(op);
      op.device = d === null || d === undefined ? "" : DeviceSpec.from(d).toString();
    }
  }

  withNameScope<T>(name: string | null, fn: (scope: string) => T): T {
    const saved = this.nameScope;
    if (name === null || name === "") this.nameScope = "";
    else if (name.endsWith("/")) this.nameScope = name.slice(0, -1);
    else this.nameScope = this.uniqueName(name);
    try {
      return fn(this.nameScope);
    } finally {
      this.nameScope = saved;
    }
  }

  get currentNameScope(): string {
    return this.nameScope;
  }

  withDevice<T>(device: string | DeviceSpec | DeviceFunction | null, fn: () => T): T {
    let entry: DeviceScope;
    if (device === null || device === undefined) entry = null;
    else if (typeof device === "function") entry = device;
    else entry = mergeDevice(DeviceSpec.from(device));
    this.deviceStack.push(entry);
    try {
      return fn();
    } finally {
      this.deviceStack.pop();
    }
  }

  /**
   * Ops created in `fn` go where `op` goes (TF's colocate_with): its device, device scopes
   * ignored, and `_class: ["loc:@op"]` in their NodeDef, which the placer keeps together.
   */
  withColocation<T>(op: Operation, fn: () => T): T {
    this.colocationStack.push(op);
    try {
      return fn();
    } finally {
      this.colocationStack.pop();
    }
  }

  withContainer<T>(name: string, fn: () => T): T {
    const saved = this.containerName;
    this.containerName = name;
    try {
      return fn();
    } finally {
      this.containerName = saved;
    }
  }

  get currentContainer(): string {
    return this.containerName;
  }

  /** `null` clears the enclosing control dependencies, as in TF. */
  withControlDependencies<T>(deps: Operation[] | null, fn: () => T): T {
    const saved = this.controlStack;
    if (deps === null) {
      this.controlStack = [{ inputs: [], seen: new Set() }];
    } else {
      // As TF: a dependency already imposed by an enclosing block is not repeated in this one.
      const current = new Set(saved.flatMap((scope) => scope.inputs));
      const inputs: Operation[] = [];
      for (const d of deps) {
        if (current.has(d)) continue;
        current.add(d);
        inputs.push(d);
      }
      this.controlStack = [...saved, { inputs, seen: new Set() }];
    }
    try {
      return fn();
    } finally {
      this.controlStack = saved;
    }
  }

  addToCollection(key: string, value: unknown): void {
    let c = this.collections.get(key);
    if (!c) this.collections.set(key, (c = []));
    c.push(value);
  }

  getCollection<T = unknown>(key: string): T[] {
    return [...((this.collections.get(key) ?? []) as T[])];
  }

  getCollectionRef<T = unknown>(key: string): T[] {
    let c = this.collections.get(key);
    if (!c) this.collections.set(key, (c = []));
    return c as T[];
  }

  getAllCollectionKeys(): string[] {
    return [...this.collections.keys()];
  }

  /** (graph seed, op seed) for a random op, TF's get_seed rules. */
  seeds(opSeed?: number): [number, number] {
    if (this.seed === null && opSeed === undefined) return [0, 0];
    const g = this.seed ?? 87654321;
    const o = opSeed ?? ++this.opSeedCounter;
    return [g, o];
  }

  /** A GraphDef of every operation from index `from` on (for extendSession). */
  toGraphDef(from = 0): GraphDef {
    return {
      node: this.ops.slice(from).map((op) => op.toNodeDef()),
      versions: { producer: 27, minConsumer: 0 },
    };
  }
}

/**
 * The `_class` values an op colocated with `op` carries (TF's colocation_groups): `op`'s own
 * group when it has one, so colocation chains to the root, else `loc:@<op>`.
 */
export function colocationGroups(op: Operation): string[] {
  const own = op.attrs._class;
  const list = own && "list" in own ? (own.list.s ?? []).filter((s) => s.startsWith("loc:@")) : [];
  return list.length > 0 ? [...list] : [`loc:@${op.name}`];
}

const rootGraph: { current: Graph } = { current: new Graph() };
const graphStack: Graph[] = [];

/** The graph ops are added to: the innermost `asDefault`, else the global default graph. */
export function getDefaultGraph(): Graph {
  return graphStack[graphStack.length - 1] ?? rootGraph.current;
}

/** Replaces the global default graph with a new, empty one. */
export function resetDefaultGraph(): void {
  if (graphStack.length > 0) throw new Error("Do not use tf.resetDefaultGraph() to clear nested graphs.");
  rootGraph.current = new Graph();
}
