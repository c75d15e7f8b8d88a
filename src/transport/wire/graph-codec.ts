/**
 * GraphDef / NodeDef / AttrValue ↔ TensorFlow's graph.proto, node_def.proto, attr_value.proto.
 * A GraphDef encoded here is a real TensorFlow GraphDef. Attribute strings are UTF-8 bytes (TF's
 * `s` is bytes); `f` is a float32 on the wire, as in TF. AttrValue kinds our GraphDef type has no
 * room for (func, placeholder, list of tensors or funcs) are refused with UnimplementedError.
 */
import { UnimplementedError } from "../../errors/index.js";
import type { AttrList, AttrValue, GraphDef, NodeDef } from "../../graph/graph-def.js";
import { codec, has, toNumber, utf8Bytes, utf8String, type Int64Wire } from "./proto.js";
import {
  dtypeFromWire,
  dtypeToWire,
  shapeFromWire,
  shapeToWire,
  tensorFromWire,
  tensorToWire,
  type ShapeWire,
  type TensorProtoWire,
} from "./tensor-codec.js";

export interface ListValueWire {
  s?: Uint8Array[];
  i?: Int64Wire[];
  f?: number[];
  b?: boolean[];
  type?: number[];
  shape?: ShapeWire[];
  tensor?: TensorProtoWire[];
  func?: unknown[];
}

export interface AttrValueWire {
  s?: Uint8Array;
  i?: Int64Wire;
  f?: number;
  b?: boolean;
  type?: number;
  shape?: ShapeWire;
  tensor?: TensorProtoWire;
  list?: ListValueWire;
  func?: unknown;
  placeholder?: string;
}

export interface NodeDefWire {
  name?: string;
  op?: string;
  input?: string[];
  device?: string;
  attr?: Record<string, AttrValueWire>;
}

export interface GraphDefWire {
  node?: NodeDefWire[];
  versions?: { producer?: number; min_consumer?: number } | null;
}

function listToWire(l: AttrList): ListValueWire {
  const w: ListValueWire = {};
  if (l.s) w.s = l.s.map(utf8Bytes);
  if (l.i) w.i = l.i;
  if (l.f) w.f = l.f;
  if (l.b) w.b = l.b;
  if (l.type) w.type = l.type.map(dtypeToWire);
  if (l.shape) w.shape = l.shape.map(shapeToWire);
  return w;
}

/** Empty repeated fields cannot be told from absent ones on the wire: a list keeps only non-empty kinds. */
function listFromWire(w: ListValueWire, attrName: string): AttrList {
  if (w.tensor?.length || w.func?.length) {
    throw new UnimplementedError(`Attr '${attrName}': lists of tensors or functions are not supported`);
  }
  const l: AttrList = {};
  if (w.s?.length) l.s = w.s.map(utf8String);
  if (w.i?.length) l.i = w.i.map(toNumber);
  if (w.f?.length) l.f = w.f.slice();
  if (w.b?.length) l.b = w.b.slice();
  if (w.type?.length) l.type = w.type.map(dtypeFromWire);
  if (w.shape?.length) l.shape = w.shape.map(shapeFromWire);
  return l;
}

export function attrToWire(a: AttrValue): AttrValueWire {
  if ("s" in a) return { s: utf8Bytes(a.s) };
  if ("i" in a) return { i: a.i };
  if ("f" in a) return { f: a.f };
  if ("b" in a) return { b: a.b };
  if ("type" in a) return { type: dtypeToWire(a.type) };
  if ("shape" in a) return { shape: shapeToWire(a.shape) };
  if ("tensor" in a) return { tensor: tensorToWire(a.tensor) };
  return { list: listToWire(a.list) };
}

export function attrFromWire(w: AttrValueWire, attrName = "?"): AttrValue {
  if (has(w, "s")) return { s: utf8String(w.s!) };
  if (has(w, "i")) return { i: toNumber(w.i) };
  if (has(w, "f")) return { f: w.f! };
  if (has(w, "b")) return { b: w.b! };
  if (has(w, "type")) return { type: dtypeFromWire(w.type) };
  if (has(w, "shape")) return { shape: shapeFromWire(w.shape) };
  if (has(w, "tensor")) return { tensor: tensorFromWire(w.tensor!) };
  if (has(w, "list")) return { list: listFromWire(w.list!, attrName) };
  if (has(w, "func") || has(w, "placeholder")) {
    throw new UnimplementedError(`Attr '${attrName}': function and placeholder attrs are not supported`);
  }
  // An AttrValue with nothing set: TF's empty list (e.g. `shapes = []`).
  return { list: {} };
}

export function nodeToWire(n: NodeDef): NodeDefWire {
  const attr: Record<string, AttrValueWire> = {};
  for (const [k, v] of Object.entries(n.attr)) attr[k] = attrToWire(v);
  return { name: n.name, op: n.op, input: n.input, device: n.device, attr };
}

export function nodeFromWire(w: NodeDefWire): NodeDef {
  const attr: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(w.attr ?? {})) attr[k] = attrFromWire(v, `${w.name ?? ""}.${k}`);
  return { name: w.name ?? "", op: w.op ?? "", input: (w.input ?? []).slice(), device: w.device ?? "", attr };
}

export function graphToWire(g: GraphDef): GraphDefWire {
  const w: GraphDefWire = { node: g.node.map(nodeToWire) };
  if (g.versions) w.versions = { producer: g.versions.producer, min_consumer: g.versions.minConsumer };
  return w;
}

export function graphFromWire(w: GraphDefWire): GraphDef {
  const g: GraphDef = { node: (w.node ?? []).map(nodeFromWire) };
  if (has(w, "versions")) g.versions = { producer: w.versions!.producer ?? 0, minConsumer: w.versions!.min_consumer ?? 0 };
  return g;
}

export const attrValueCodec = codec<AttrValue, AttrValueWire>("tensorflow.AttrValue", attrToWire, (w) => attrFromWire(w));
export const encodeAttrValue = attrValueCodec.encode;
export const decodeAttrValue = attrValueCodec.decode;

export const nodeDefCodec = codec<NodeDef, NodeDefWire>("tensorflow.NodeDef", nodeToWire, nodeFromWire);
export const encodeNodeDef = nodeDefCodec.encode;
export const decodeNodeDef = nodeDefCodec.decode;

export const graphDefCodec = codec<GraphDef, GraphDefWire>("tensorflow.GraphDef", graphToWire, graphFromWire);
export const encodeGraphDef = graphDefCodec.encode;
export const decodeGraphDef = graphDefCodec.decode;
