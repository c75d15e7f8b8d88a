/**
 * GraphDef, NodeDef and AttrValue as plain objects shaped like TensorFlow's protos
 * (graph.proto, node_def.proto, attr_value.proto). The wire codec maps them field for field.
 */
import { InvalidArgumentError } from "../errors/index.js";
import type { DType } from "../tensor/dtypes.js";
import type { NDArray } from "../tensor/ndarray.js";

/** A static shape: `null` for unknown rank, `null` entries for unknown dimensions. */
export type Shape = (number | null)[] | null;

export interface AttrList {
  s?: string[];
  i?: number[];
  f?: number[];
  b?: boolean[];
  type?: DType[];
  shape?: Shape[];
}

export type AttrValue =
  | { s: string }
  | { i: number }
  | { f: number }
  | { b: boolean }
  | { type: DType }
  | { shape: Shape }
  | { tensor: NDArray }
  | { list: AttrList };

export interface NodeDef {
  name: string;
  op: string;
  /** "node", "node:1" for data inputs, "^node" for control inputs (controls last). */
  input: string[];
  device: string;
  attr: Record<string, AttrValue>;
}

export interface GraphDef {
  node: NodeDef[];
  versions?: { producer: number; minConsumer: number };
}

/** Reads attributes of a NodeDef, naming the node and attribute when one is missing. */
export class AttrReader {
  constructor(private readonly node: NodeDef) {}

  private get(name: string): AttrValue {
    const v = this.node.attr[name];
    // A NodeDef from a peer may lack anything: TF's "NodeDef missing attr" is InvalidArgument.
    if (v === undefined) throw new InvalidArgumentError(`NodeDef missing attr '${name}': node '${this.node.name}' (${this.node.op}) has no attr '${name}'`);
    return v;
  }

  has(name: string): boolean {
    return this.node.attr[name] !== undefined;
  }

  s(name: string, dflt?: string): string {
    if (dflt !== undefined && !this.has(name)) return dflt;
    return (this.get(name) as { s: string }).s;
  }

  i(name: string, dflt?: number): number {
    if (dflt !== undefined && !this.has(name)) return dflt;
    return (this.get(name) as { i: number }).i;
  }

  f(name: string, dflt?: number): number {
    if (dflt !== undefined && !this.has(name)) return dflt;
    return (this.get(name) as { f: number }).f;
  }

  b(name: string, dflt?: boolean): boolean {
    if (dflt !== undefined && !this.has(name)) return dflt;
    return (this.get(name) as { b: boolean }).b;
  }

  type(name: string, dflt?: DType): DType {
    if (dflt !== undefined && !this.has(name)) return dflt;
    return (this.get(name) as { type: DType }).type;
  }

  shape(name: string): Shape {
    if (!this.has(name)) return null;
    return (this.get(name) as { shape: Shape }).shape;
  }

  tensor(name: string): NDArray {
    return (this.get(name) as { tensor: NDArray }).tensor;
  }

  list(name: string): AttrList {
    if (!this.has(name)) return {};
    return (this.get(name) as { list: AttrList }).list;
  }
}

/** Splits a NodeDef input string into (node, output index) or a control input. */
export function parseInput(input: string): { node: string; index: number; control: boolean } {
  if (input.startsWith("^")) return { node: input.slice(1), index: -1, control: true };
  const colon = input.lastIndexOf(":");
  if (colon > 0 && /^\d+$/.test(input.slice(colon + 1))) {
    return { node: input.slice(0, colon), index: Number(input.slice(colon + 1)), control: false };
  }
  return { node: input, index: 0, control: false };
}

/** The canonical tensor name "op:index" for an input string. */
export function tensorName(node: string, index: number): string {
  return `${node}:${index}`;
}
