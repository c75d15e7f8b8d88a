import { describe, expect, it } from "vitest";
import * as tf from "../../../src/index.js";
import { getDefaultGraph, Graph, GraphKeys, resetDefaultGraph } from "../../../src/graph/graph.js";
import type { Operation, OpSpec, OutputSpec } from "../../../src/graph/graph.js";
import type { Tensor } from "../../../src/graph/tensor.js";

const scalar = (): OutputSpec => ({ dtype: "float32", shape: [] });

/** An op with `n` float32 scalar outputs. */
function op(g: Graph, type: string, spec: Partial<OpSpec> & { n?: number } = {}): Operation {
  const { n = 1, ...rest } = spec;
  return g.addOp({ type, outputs: Array.from({ length: n }, scalar), ...rest });
}

function out(g: Graph, type: string, spec: Partial<OpSpec> = {}): Tensor {
  return op(g, type, spec).output;
}

describe("unique names", () => {
  it("defaults to the op type and numbers repeats", () => {
    const g = new Graph();
    expect([op(g, "Const"), op(g, "Const"), op(g, "Const")].map((o) => o.name)).toEqual(["Const", "Const_1", "Const_2"]);
  });

  it("numbers repeats of an explicit name", () => {
    const g = new Graph();
    expect(["a", "a", "b", "a"].map((name) => op(g, "NoOp", { name }).name)).toEqual(["a", "a_1", "b", "a_2"]);
  });

  it("treats names case-insensitively but keeps the given capitalisation", () => {
    const g = new Graph();
    expect(op(g, "NoOp", { name: "foo" }).name).toBe("foo");
    expect(op(g, "NoOp", { name: "Foo" }).name).toBe("Foo_1");
  });

  it("skips numbered names already taken", () => {
    const g = new Graph();
    expect(["a", "a_1", "a", "a"].map((name) => op(g, "NoOp", { name }).name)).toEqual(["a", "a_1", "a_2", "a_3"]);
  });

  it("uniqueName without marking does not reserve the name", () => {
    const g = new Graph();
    expect(g.uniqueName("x", false)).toBe("x");
    expect(g.uniqueName("x")).toBe("x");
    expect(g.uniqueName("x", false)).toBe("x_1");
    expect(g.uniqueName("x")).toBe("x_1");
  });
});

describe("name scopes", () => {
  it("are made unique: layer, layer_1", () => {
    const g = new Graph();
    const names = [0, 1, 2].map(() => g.withNameScope("layer", (scope) => [scope, op(g, "Add").name]));
    expect(names).toEqual([
      ["layer", "layer/Add"],
      ["layer_1", "layer_1/Add"],
      ["layer_2", "layer_2/Add"],
    ]);
  });

  it("nest, and ops inside them are prefixed and numbered within the scope", () => {
    const g = new Graph();
    const names = g.withNameScope("outer", () => {
      const a = op(g, "Add").name;
      const b = op(g, "Add").name;
      const inner = g.withNameScope("inner", (scope) => [scope, op(g, "MatMul", { name: "mm" }).name]);
      return [a, b, ...inner, g.currentNameScope];
    });
    expect(names).toEqual(["outer/Add", "outer/Add_1", "outer/inner", "outer/inner/mm", "outer"]);
    expect(g.currentNameScope).toBe("");
  });

  it("share the namespace of op names", () => {
    const g = new Graph();
    g.withNameScope("layer", () => op(g, "NoOp"));
    expect(op(g, "NoOp", { name: "layer" }).name).toBe("layer_1");
    expect(g.withNameScope("x", (s) => s)).toBe("x");
    expect(g.withNameScope("x", (s) => s)).toBe("x_1");
  });

  it("a name ending in / re-enters that scope exactly", () => {
    const g = new Graph();
    g.withNameScope("layer", () => op(g, "Add"));
    const name = g.withNameScope("layer/", () => op(g, "Add").name);
    expect(name).toBe("layer/Add_1");
  });

  it("null or an empty name returns to the root scope", () => {
    const g = new Graph();
    const names = g.withNameScope("a", () => [
      g.withNameScope(null, () => op(g, "NoOp").name),
      g.withNameScope("", () => op(g, "NoOp").name),
    ]);
    expect(names).toEqual(["NoOp", "NoOp_1"]);
  });

  it("tensor names carry the scope and the output index", () => {
    const g = new Graph();
    const o = g.withNameScope("scope", () => op(g, "Split", { n: 2 }));
    expect(o.outputs.map((t) => t.name)).toEqual(["scope/Split:0", "scope/Split:1"]);
  });
});

describe("controlDependencies", () => {
  it("adds the control inputs to ops created inside", () => {
    const g = new Graph();
    const a = op(g, "NoOp", { name: "a" });
    const b = op(g, "NoOp", { name: "b" });
    const c = g.withControlDependencies([a, b], () => op(g, "NoOp", { name: "c" }));
    expect(c.controlInputs).toEqual([a, b]);
    expect(op(g, "NoOp").controlInputs).toEqual([]);
  });

  it("nested blocks accumulate; null clears the enclosing ones", () => {
    const g = new Graph();
    const [a, b] = [op(g, "NoOp"), op(g, "NoOp")];
    const [inner, cleared, nested] = g.withControlDependencies([a], () =>
      g.withControlDependencies([b], () => [
        op(g, "NoOp"),
        g.withControlDependencies(null, () => op(g, "NoOp")),
        g.withControlDependencies(null, () => g.withControlDependencies([a], () => op(g, "NoOp"))),
      ]),
    );
    expect(inner!.controlInputs).toEqual([a, b]);
    expect(cleared!.controlInputs).toEqual([]);
    expect(nested!.controlInputs).toEqual([a]);
  });

  it("does not repeat an explicit control input or a dependency already imposed outside", () => {
    const g = new Graph();
    const a = op(g, "NoOp");
    const c = g.withControlDependencies([a, a], () => g.withControlDependencies([a], () => op(g, "NoOp", { controlInputs: [a] })));
    expect(c.controlInputs).toEqual([a]);
  });

  it("skips a dependency that is already a data input", () => {
    const g = new Graph();
    const x = out(g, "Const", { name: "x" });
    const y = out(g, "Const", { name: "y" });
    const add = g.withControlDependencies([x.op, y.op], () => op(g, "Add", { inputs: [x] }));
    expect(add.controlInputs).toEqual([y.op]);
  });

  it("skips a block's dependencies for an op whose input was created in that block (TF's domination)", () => {
    const g = new Graph();
    const a = op(g, "NoOp", { name: "a" });
    const b = op(g, "NoOp", { name: "b" });
    const x = out(g, "Const", { name: "x" });
    const [first, second, third] = g.withControlDependencies([a], () => {
      const first = op(g, "Neg", { inputs: [x] });
      const second = op(g, "Neg", { inputs: [first.output] });
      const third = g.withControlDependencies([b], () => op(g, "Neg", { inputs: [second.output] }));
      return [first, second, third];
    });
    expect(first.controlInputs).toEqual([a]);
    expect(second.controlInputs).toEqual([]);
    // `second` was seen by the outer block only: b still applies, a does not.
    expect(third.controlInputs).toEqual([b]);
    expect(g.toGraphDef().node.map((n) => n.input)).toEqual([[], [], [], ["x", "^a"], ["Neg"], ["Neg_1", "^b"]]);
  });

  it("ops built under a null block are not seen by the enclosing block", () => {
    const g = new Graph();
    const a = op(g, "NoOp", { name: "a" });
    const consumer = g.withControlDependencies([a], () => {
      const free = g.withControlDependencies(null, () => out(g, "Const"));
      return op(g, "Neg", { inputs: [free] });
    });
    expect(consumer.controlInputs).toEqual([a]);
  });
});

describe("containers", () => {
  const stateful = (g: Graph, container = "") => op(g, "VarHandleOp", { attrs: { container: { s: container }, shared_name: { s: "v" } } });

  it("set the empty container attr of ops built inside", () => {
    const g = new Graph();
    const [inside, explicit, plain] = g.withContainer("my_problem_1", () => [stateful(g), stateful(g, "other"), op(g, "Add")]);
    expect(inside.getAttr("container")).toEqual({ s: "my_problem_1" });
    expect(explicit.getAttr("container")).toEqual({ s: "other" });
    expect(plain.getAttr("container")).toBeUndefined();
    expect(stateful(g).getAttr("container")).toEqual({ s: "" });
  });

  it("nest and restore", () => {
    const g = new Graph();
    const names = g.withContainer("a", () => {
      const inner = g.withContainer("b", () => stateful(g).getAttr("container"));
      return [inner, stateful(g).getAttr("container"), g.currentContainer];
    });
    expect(names).toEqual([{ s: "b" }, { s: "a" }, "a"]);
    expect(g.currentContainer).toBe("");
  });

  it("do not change the caller's attrs object", () => {
    const g = new Graph();
    const attrs = { container: { s: "" } };
    g.withContainer("c", () => g.addOp({ type: "VarHandleOp", attrs }));
    expect(attrs.container.s).toBe("");
  });
});

describe("collections", () => {
  it("collect values in order per key", () => {
    const g = new Graph();
    g.addToCollection(GraphKeys.GLOBAL_VARIABLES, "v0");
    g.addToCollection(GraphKeys.GLOBAL_VARIABLES, "v1");
    g.addToCollection("mine", 3);
    expect(g.getCollection(GraphKeys.GLOBAL_VARIABLES)).toEqual(["v0", "v1"]);
    expect(g.getCollection("nothing")).toEqual([]);
    expect(g.getAllCollectionKeys().sort()).toEqual(["mine", "variables"]);
  });

  it("getCollection returns a copy, getCollectionRef the live list", () => {
    const g = new Graph();
    g.getCollection<string>("k").push("lost");
    expect(g.getCollection("k")).toEqual([]);
    g.getCollectionRef<string>("k").push("kept");
    expect(g.getCollection("k")).toEqual(["kept"]);
  });

  it("GraphKeys has TF's key strings", () => {
    expect(GraphKeys.GLOBAL_VARIABLES).toBe("variables");
    expect(GraphKeys.LOCAL_VARIABLES).toBe("local_variables");
    expect(GraphKeys.TRAINABLE_VARIABLES).toBe("trainable_variables");
    expect(GraphKeys.QUEUE_RUNNERS).toBe("queue_runners");
  });
});

describe("lookup by name", () => {
  const g = new Graph();
  const x = op(g, "Const", { name: "x" });
  const split = op(g, "Split", { name: "split", n: 2 });
  const form = 'Tensor names must be of the form "<op_name>:<output_index>".';

  it("finds operations and tensors", () => {
    expect(g.getOperationByName("x")).toBe(x);
    expect(g.getTensorByName("split:1")).toBe(split.outputs[1]);
    expect(g.hasOperation("x")).toBe(true);
    expect(g.hasOperation("y")).toBe(false);
    expect(g.getOperations()).toEqual([x, split]);
  });

  const tensorErrors: [name: string, type: typeof TypeError | typeof RangeError, message: string][] = [
    ["x", TypeError, `The name 'x' refers to an Operation, not a Tensor. ${form}`],
    ["nope", TypeError, `The name 'nope' looks like an (invalid) Operation name, not a Tensor. ${form}`],
    ["x:a", TypeError, `The name 'x:a' looks a like a Tensor name, but is not a valid one. ${form}`],
    ["x:0:1", TypeError, `The name 'x:0:1' looks a like a Tensor name, but is not a valid one. ${form}`],
    ["nope:0", RangeError, "The name 'nope:0' refers to a Tensor which does not exist. The operation, 'nope', does not exist in the graph."],
    ["split:2", RangeError, "The name 'split:2' refers to a Tensor which does not exist. The operation, 'split', exists but only has 2 outputs."],
  ];
  it.each(tensorErrors)("getTensorByName(%j) throws TF's error", (name, type, message) => {
    expect(() => g.getTensorByName(name)).toThrow(type);
    expect(() => g.getTensorByName(name)).toThrow(message);
  });

  it("getOperationByName throws TF's errors", () => {
    expect(() => g.getOperationByName("nope")).toThrow(new RangeError("The name 'nope' refers to an Operation not in the graph."));
    expect(() => g.getOperationByName("x:0")).toThrow(new TypeError("Name 'x:0' appears to refer to a Tensor, not a Operation."));
  });

  it("Operation.output fails for an op without outputs", () => {
    const noop = op(g, "NoOp", { n: 0 });
    expect(() => noop.output).toThrow(TypeError);
  });
});

describe("toGraphDef", () => {
  it("lists nodes in creation order with inputs, control inputs, device and attrs", () => {
    const g = new Graph();
    const x = out(g, "Const", { name: "x", attrs: { dtype: { type: "float32" } } });
    const split = op(g, "Split", { name: "s", n: 2, inputs: [x] });
    const ctrl = op(g, "NoOp", { name: "ctrl", n: 0 });
    const add = g.withDevice("/job:worker/task:1/cpu:0", () =>
      g.withControlDependencies([ctrl], () => op(g, "Add", { name: "add", inputs: [x, split.outputs[1]!], attrs: { T: { type: "float32" } } })),
    );
    const def = g.toGraphDef();
    expect(def.node.map((n) => n.name)).toEqual(["x", "s", "ctrl", "add"]);
    expect(def.node[3]).toEqual({
      name: "add",
      op: "Add",
      input: ["x", "s:1", "^ctrl"],
      device: "/job:worker/task:1/device:CPU:0",
      attr: { T: { type: "float32" } },
    });
    expect(def.node[0]).toEqual({ name: "x", op: "Const", input: [], device: "", attr: { dtype: { type: "float32" } } });
    expect(def.versions).toEqual({ producer: 27, minConsumer: 0 });
    expect(add.toNodeDef()).toEqual(def.node[3]);
    expect(g.version).toBe(4);
  });

  it("from an index gives only the newer nodes (for extendSession)", () => {
    const g = new Graph();
    op(g, "Const", { name: "a" });
    op(g, "Const", { name: "b" });
    expect(g.toGraphDef(1).node.map((n) => n.name)).toEqual(["b"]);
  });

  it("the NodeDef's attrs are a copy", () => {
    const g = new Graph();
    const o = op(g, "Const", { attrs: { dtype: { type: "int32" } } });
    o.toNodeDef().attr.extra = { i: 1 };
    expect(o.getAttr("extra")).toBeUndefined();
  });
});

describe("default graph and finalize", () => {
  it("asDefault nests and returns fn's result", () => {
    const g1 = new Graph();
    const g2 = new Graph();
    const seen = g1.asDefault(() => [getDefaultGraph(), g2.asDefault(() => getDefaultGraph()), getDefaultGraph()]);
    expect(seen).toEqual([g1, g2, g1]);
    expect(getDefaultGraph()).not.toBe(g1);
  });

  it("resetDefaultGraph replaces the global graph, but not inside asDefault", () => {
    const before = getDefaultGraph();
    resetDefaultGraph();
    expect(getDefaultGraph()).not.toBe(before);
    expect(() => new Graph().asDefault(() => resetDefaultGraph())).toThrow("Do not use tf.resetDefaultGraph() to clear nested graphs.");
  });

  it("a finalized graph rejects new ops", () => {
    const g = new Graph();
    g.finalize();
    expect(g.isFinalized).toBe(true);
    expect(() => op(g, "NoOp")).toThrow("Graph is finalized and cannot be modified.");
  });

  it("inputs must come from the same graph", () => {
    const x = out(new Graph(), "Const");
    expect(() => op(new Graph(), "Neg", { inputs: [x] })).toThrow("must be from the same graph");
  });
});

describe("colocateWith", () => {
  it("writes TF's _class attr, chains to the root of the group and takes the op's device", () => {
    const g = new Graph();
    g.asDefault(() => {
      const v = tf.device("/job:ps/task:1", () => new tf.Variable(1, { name: "cw_v" }));
      const [a, b] = tf.device("/job:worker/task:0", () =>
        tf.colocateWith(v, () => {
          const a = tf.constant(2, { name: "cw_a" });
          return [a, tf.colocateWith(a, () => tf.constant(3, { name: "cw_b" }))];
        }),
      );
      const nodes = new Map(g.toGraphDef().node.map((n) => [n.name, n]));
      expect(nodes.get("cw_a")!.attr._class).toEqual({ list: { s: ["loc:@cw_v"] } });
      expect(nodes.get("cw_b")!.attr._class).toEqual({ list: { s: ["loc:@cw_v"] } });
      expect(nodes.get("cw_v/Read/ReadVariableOp")!.attr._class).toEqual({ list: { s: ["loc:@cw_v"] } });
      expect([a!.device, b!.device]).toEqual(["/job:ps/task:1", "/job:ps/task:1"]);
    });
  });
});
