import { describe, expect, it } from "vitest";
import { UnimplementedError } from "../../../../src/errors/index.js";
import type { AttrValue, GraphDef } from "../../../../src/graph/graph-def.js";
import { NDArray } from "../../../../src/tensor/index.js";
import {
  decodeAttrValue,
  decodeGraphDef,
  decodeNodeDef,
  encodeAttrValue,
  encodeGraphDef,
  encodeNodeDef,
  messageType,
} from "../../../../src/transport/wire/index.js";

/** One attribute of every kind our AttrValue has (f values are float32-exact: `f` is a float on the wire). */
const EVERY_ATTR: Record<string, AttrValue> = {
  s: { s: "shared_queue/é" },
  s_empty: { s: "" },
  i: { i: -42 },
  i_big: { i: 2 ** 40 + 3 },
  f: { f: 0.25 },
  b_true: { b: true },
  b_false: { b: false },
  type: { type: "int64" },
  shape: { shape: [2, null, 3] },
  shape_scalar: { shape: [] },
  shape_unknown: { shape: null },
  tensor: { tensor: new NDArray("float32", [2, 2], Float32Array.of(1, 2, 3, 4)) },
  tensor_string: { tensor: new NDArray("string", [], [new TextEncoder().encode("hello")]) },
  list_s: { list: { s: ["a", "", "ü"] } },
  list_i: { list: { i: [1, -2, 2 ** 33] } },
  list_f: { list: { f: [0.5, -1.5] } },
  list_b: { list: { b: [true, false, true] } },
  list_type: { list: { type: ["float32", "string", "resource", "bool"] } },
  list_shape: { list: { shape: [[], [null], null, [1, 2]] } },
  list_mixed: { list: { i: [7], type: ["int32"] } },
  list_empty: { list: {} },
};

const GRAPH: GraphDef = {
  node: [
    { name: "c", op: "Const", input: [], device: "/job:ps/task:0", attr: { value: EVERY_ATTR.tensor!, dtype: { type: "float32" } } },
    { name: "q", op: "FIFOQueueV2", input: [], device: "", attr: EVERY_ATTR },
    { name: "scope/add", op: "Add", input: ["c", "c:0", "^q"], device: "/job:worker/replica:0/task:1/device:CPU:0", attr: {} },
  ],
  versions: { producer: 27, minConsumer: 12 },
};

describe("AttrValue codec", () => {
  for (const [name, attr] of Object.entries(EVERY_ATTR)) {
    it(`round-trips ${name}`, () => {
      expect(decodeAttrValue(encodeAttrValue(attr))).toEqual(attr);
    });
  }

  it("uses TF's field numbers: list 1, s 2, i 3, f 4, b 5, type 6, shape 7, tensor 8", () => {
    expect(encodeAttrValue({ list: {} })[0]).toBe((1 << 3) | 2);
    expect(encodeAttrValue({ s: "x" })[0]).toBe((2 << 3) | 2);
    expect(encodeAttrValue({ i: 1 })[0]).toBe(3 << 3);
    expect(encodeAttrValue({ f: 1 })[0]).toBe((4 << 3) | 5);
    expect(encodeAttrValue({ b: true })[0]).toBe(5 << 3);
    expect([...encodeAttrValue({ type: "int64" })]).toEqual([6 << 3, 9]);
    expect(encodeAttrValue({ shape: [] })[0]).toBe((7 << 3) | 2);
    expect(encodeAttrValue(EVERY_ATTR.tensor_string!)[0]).toBe((8 << 3) | 2);
  });

  it("refuses func and placeholder attrs and lists of tensors with UnimplementedError", () => {
    const A = messageType("tensorflow.AttrValue");
    expect(() => decodeAttrValue(A.encode({ placeholder: "T" }).finish())).toThrow(UnimplementedError);
    expect(() => decodeAttrValue(A.encode({ func: { name: "f" } }).finish())).toThrow(UnimplementedError);
    expect(() => decodeAttrValue(A.encode({ list: { tensor: [{ dtype: 1 }] } }).finish())).toThrow(UnimplementedError);
  });

  it("reads an AttrValue with nothing set as TF's empty list", () => {
    expect(decodeAttrValue(new Uint8Array(0))).toEqual({ list: {} });
  });
});

describe("NodeDef and GraphDef codec", () => {
  it("round-trips a NodeDef with every attr kind", () => {
    expect(decodeNodeDef(encodeNodeDef(GRAPH.node[1]!))).toEqual(GRAPH.node[1]);
  });

  it("round-trips a GraphDef with versions, devices, data and control inputs", () => {
    expect(decodeGraphDef(encodeGraphDef(GRAPH))).toEqual(GRAPH);
  });

  it("round-trips a GraphDef without versions and an empty one", () => {
    const g: GraphDef = { node: [{ name: "x", op: "NoOp", input: [], device: "", attr: {} }] };
    expect(decodeGraphDef(encodeGraphDef(g))).toEqual(g);
    expect(decodeGraphDef(encodeGraphDef({ node: [] }))).toEqual({ node: [] });
  });

  it("is a real GraphDef: node 1 {name 1, op 2, input 3, device 4, attr 5}, versions 4", () => {
    const G = messageType("tensorflow.GraphDef");
    const obj = G.toObject(G.decode(encodeGraphDef(GRAPH)), { longs: Number, bytes: String }) as {
      node: { name: string; op: string; input?: string[]; device?: string; attr?: Record<string, unknown> }[];
      versions: { producer: number; min_consumer: number };
    };
    expect(obj.node.map((n) => n.name)).toEqual(["c", "q", "scope/add"]);
    expect(obj.node[2]!.input).toEqual(["c", "c:0", "^q"]);
    expect(obj.versions).toEqual({ producer: 27, min_consumer: 12 });
    expect(G.fields["node"]!.id).toBe(1);
    expect(G.fields["versions"]!.id).toBe(4);
    const N = messageType("tensorflow.NodeDef");
    expect(["name", "op", "input", "device", "attr"].map((f) => N.fields[f]!.id)).toEqual([1, 2, 3, 4, 5]);
  });
});
