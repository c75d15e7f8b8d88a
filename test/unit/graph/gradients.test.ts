/**
 * tf.gradients. Model: for f(x) = sum(op(x) · W) with a fixed random W (so every output element
 * counts), the gradient graph's value must match central finite differences
 * (f(x + εeᵢ) − f(x − εeᵢ)) / 2ε for every element of every input, within float32 tolerance.
 * Each op with a gradient function is checked this way, with static and unknown shapes.
 */
import { beforeAll, describe, expect, it } from "vitest";
import "../../../src/engine/kernels/all.js";
import { initBackend } from "../../../src/engine/compute/backend.js";
import { registeredGradientTypes } from "../../../src/graph/grad/registry.js";
import { gradients } from "../../../src/graph/gradients.js";
import type { Shape } from "../../../src/graph/graph-def.js";
import * as tf from "../../../src/index.js";
import type { NDArray } from "../../../src/tensor/ndarray.js";
import { SeededRandom } from "../../../src/util/env.js";
import { evaluate } from "../engine/kernels/harness.js";

type Build = (xs: tf.Tensor[]) => tf.Tensor;

interface Input {
  values: number[];
  shape: number[];
  /** The placeholder's static shape (the value's shape by default); nulls test the dynamic paths. */
  staticShape?: Shape;
}

const rng = new SeededRandom(42);
const uniform = (n: number, lo = -1, hi = 1): number[] => Array.from({ length: n }, () => lo + (hi - lo) * rng.next());
const inp = (shape: number[], lo = -1, hi = 1, staticShape?: Shape): Input => ({
  values: uniform(shape.reduce((a, b) => a * b, 1), lo, hi),
  shape,
  ...(staticShape !== undefined ? { staticShape } : {}),
});
/** Values spread apart (no ties, none near 0), for max/min/relu/abs. */
const distinct = (shape: number[]): Input => {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, i) => (i + 1) * 0.37 * (i % 2 ? 1 : -1));
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
  return { values, shape };
};

/** Checks tf.gradients of sum(build(xs) · W) against central differences. */
async function checkGradient(build: Build, inputs: Input[], options: { eps?: number; tol?: number } = {}): Promise<void> {
  const { eps = 5e-3, tol = 1e-2 } = options;
  const g = new tf.Graph();
  const { xs, y } = g.asDefault(() => {
    const xs = inputs.map((x, i) => tf.placeholder("float32", x.staticShape !== undefined ? x.staticShape : x.shape, { name: `x${i}` }));
    return { xs, y: build(xs) };
  });
  const feeds = (values: number[][]): Map<tf.Tensor, NDArray> => new Map(xs.map((x, i) => [x, tf.ndarray(values[i]!, { dtype: "float32", shape: inputs[i]!.shape })]));
  const base = inputs.map((x) => x.values);
  const [yValue] = await evaluate([y], feeds(base));
  const { loss, grads } = g.asDefault(() => {
    const w = tf.constant(uniform(yValue!.size, 0.5, 1.5), { dtype: y.dtype, shape: yValue!.shape });
    const loss = tf.reduceSum(tf.mul(y, w));
    return { loss, grads: gradients(loss, xs) };
  });
  const analytic = await evaluate(grads.map((t) => t!), feeds(base));
  for (let i = 0; i < inputs.length; i++) {
    const got = Array.from(analytic[i]!.data as Float32Array);
    expect(analytic[i]!.shape).toEqual(inputs[i]!.shape);
    for (let j = 0; j < base[i]!.length; j++) {
      const shifted = (d: number) => base.map((v, k) => (k === i ? v.map((e, m) => (m === j ? e + d : e)) : v));
      const [plus] = await evaluate([loss], feeds(shifted(eps)));
      const [minus] = await evaluate([loss], feeds(shifted(-eps)));
      const numeric = (Number(plus!.item()) - Number(minus!.item())) / (2 * eps);
      if (Math.abs(got[j]! - numeric) > tol * Math.max(1, Math.abs(numeric))) {
        throw new Error(`d/dx${i}[${j}]: analytic ${got[j]} vs numeric ${numeric} (all analytic: ${got.join(", ")})`);
      }
    }
  }
}

const checked = new Set<string>();
function gradCase(name: string, types: string[], build: Build, inputs: () => Input[], options?: { eps?: number; tol?: number }): void {
  for (const t of types) checked.add(t);
  it(name, async () => checkGradient(build, inputs(), options));
}

for (const backend of ["wasm", "cpu"] as const) describe(`gradient functions match finite differences [${backend}]`, () => {
  beforeAll(() => initBackend(backend));

  // Element-wise unary ops.
  gradCase("Neg", ["Neg"], ([x]) => tf.neg(x!), () => [inp([2, 3])]);
  gradCase("Square", ["Square"], ([x]) => tf.square(x!), () => [inp([2, 3])]);
  gradCase("Sqrt", ["Sqrt"], ([x]) => tf.sqrt(x!), () => [inp([2, 3], 0.5, 2)]);
  gradCase("Exp", ["Exp"], ([x]) => tf.exp(x!), () => [inp([2, 3])]);
  gradCase("Log", ["Log"], ([x]) => tf.log(x!), () => [inp([2, 3], 0.5, 2)]);
  gradCase("Log1p", ["Log1p"], ([x]) => tf.log1p(x!), () => [inp([2, 3], 0, 2)]);
  gradCase("Abs", ["Abs"], ([x]) => tf.abs(x!), () => [distinct([2, 3])]);
  gradCase("Sigmoid (SigmoidGrad)", ["Sigmoid", "SigmoidGrad"], ([x]) => tf.sigmoid(x!), () => [inp([2, 3], -3, 3)]);
  gradCase("Tanh (TanhGrad)", ["Tanh", "TanhGrad"], ([x]) => tf.tanh(x!), () => [inp([2, 3], -2, 2)]);
  gradCase("Relu (ReluGrad)", ["Relu", "ReluGrad"], ([x]) => tf.relu(x!), () => [distinct([2, 3])]);
  gradCase("Identity", ["Identity"], ([x]) => tf.identity(x!), () => [inp([3])]);
  gradCase("Cast float32 → float64 → float32", ["Cast"], ([x]) => tf.cast(tf.mul(tf.cast(x!, "float64"), 2), "float32"), () => [inp([3])]);

  // Broadcasting binary ops (static shapes: axes computed at build time).
  gradCase("AddV2 with broadcasting", ["AddV2"], ([a, b]) => tf.add(a!, b!), () => [inp([2, 3]), inp([3])]);
  gradCase("Sub with broadcasting", ["Sub"], ([a, b]) => tf.sub(a!, b!), () => [inp([2, 3]), inp([2, 1])]);
  gradCase("Mul with broadcasting", ["Mul"], ([a, b]) => tf.mul(a!, b!), () => [inp([2, 1, 3]), inp([4, 1])]);
  gradCase("RealDiv with broadcasting", ["RealDiv"], ([a, b]) => tf.div(a!, b!), () => [inp([2, 3]), inp([3], 0.5, 2)]);
  gradCase("Pow", ["Pow"], ([a, b]) => tf.pow(a!, b!), () => [inp([2, 3], 0.5, 2), inp([3], 0.5, 2)]);
  gradCase("Maximum", ["Maximum"], ([a, b]) => tf.maximum(a!, b!), () => [distinct([2, 3]), { values: [0.1, -0.2, 0.05], shape: [3] }]);
  gradCase("Minimum", ["Minimum"], ([a, b]) => tf.minimum(a!, b!), () => [distinct([2, 3]), { values: [0.1, -0.2, 0.05], shape: [3] }]);
  // Unknown shapes: BroadcastGradientArgs computes the axes in the graph.
  gradCase("AddV2, unknown shapes (BroadcastGradientArgs)", ["BroadcastGradientArgs"], ([a, b]) => tf.add(a!, b!), () => [inp([2, 3], -1, 1, [null, 3]), inp([1, 3], -1, 1, null)]);
  gradCase("Mul, unknown shapes", [], ([a, b]) => tf.mul(a!, b!), () => [inp([2, 3], -1, 1, [null, null]), inp([2, 1], -1, 1, [null, 1])]);

  // Matrix products, softmax, reductions.
  for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]] as const) {
    gradCase(`MatMul transposeA=${ta} transposeB=${tb}`, ["MatMul"], ([a, b]) => tf.matMul(a!, b!, { transposeA: ta, transposeB: tb }), () => [
      inp(ta ? [3, 2] : [2, 3]),
      inp(tb ? [4, 3] : [3, 4]),
    ]);
  }
  gradCase("Softmax", ["Softmax"], ([x]) => tf.softmax(x!), () => [inp([2, 4], -2, 2)]);
  gradCase("LogSoftmax", ["LogSoftmax"], ([x]) => tf.logSoftmax(x!), () => [inp([2, 4], -2, 2)]);
  gradCase("Sum over one axis", ["Sum"], ([x]) => tf.reduceSum(x!, 1), () => [inp([2, 3, 2])]);
  gradCase("Sum over all axes, keepDims", [], ([x]) => tf.reduceSum(x!, null, true), () => [inp([2, 3])]);
  gradCase("Sum, unknown dims", [], ([x]) => tf.reduceSum(x!, [0, 2]), () => [inp([2, 3, 2], -1, 1, [null, 3, null])]);
  gradCase("Sum, unknown rank, all axes", [], ([x]) => tf.reduceSum(x!), () => [inp([2, 3], -1, 1, null)]);
  gradCase("Mean", ["Mean"], ([x]) => tf.reduceMean(x!, 0), () => [inp([4, 3])]);
  gradCase("Mean, unknown dims", [], ([x]) => tf.reduceMean(x!, -1), () => [inp([2, 3], -1, 1, [null, null])]);
  gradCase("Max", ["Max"], ([x]) => tf.reduceMax(x!, 1), () => [distinct([3, 4])]);
  gradCase("Min", ["Min"], ([x]) => tf.reduceMin(x!, [0, 1]), () => [distinct([3, 4])]);

  // Array ops.
  gradCase("Reshape", ["Reshape"], ([x]) => tf.reshape(x!, [3, 2]), () => [inp([2, 3])]);
  gradCase("ExpandDims and Squeeze", ["ExpandDims", "Squeeze"], ([x]) => tf.squeeze(tf.expandDims(tf.mul(x!, x!), 1), [1]), () => [inp([3])]);
  gradCase("Transpose", ["Transpose"], ([x]) => tf.transpose(x!, [2, 0, 1]), () => [inp([2, 3, 4])]);
  gradCase("Transpose, computed perm (InvertPermutation)", ["InvertPermutation"], ([x]) => tf.transpose(x!), () => [inp([2, 3], -1, 1, null)]);
  gradCase("ConcatV2", ["ConcatV2"], ([a, b]) => tf.concat([a!, b!], 1), () => [inp([2, 3]), inp([2, 2])]);
  gradCase("ConcatV2, unknown dims", [], ([a, b]) => tf.concat([a!, b!], -1), () => [inp([2, 3], -1, 1, [2, null]), inp([2, 2], -1, 1, [null, null])]);
  gradCase("Pack", ["Pack"], ([a, b]) => tf.stack([a!, tf.square(b!)], 1), () => [inp([2, 3]), inp([2, 3])]);
  gradCase("Unpack, one output unused", ["Unpack"], ([x]) => {
    const [a, , c] = tf.unstack(x!, { axis: 1 });
    return tf.add(tf.mul(a!, 2), c!);
  }, () => [inp([2, 3])]);
  gradCase("GatherV2 axis 0, repeated indices (UnsortedSegmentSum)", ["GatherV2", "UnsortedSegmentSum"], ([x]) => tf.gather(x!, tf.constant([2, 0, 2], { dtype: "int32" })), () => [inp([3, 2])]);
  gradCase("GatherV2 axis 1, 2-D indices", [], ([x]) => tf.gather(x!, tf.constant([[1], [1]], { dtype: "int32" }), 1), () => [inp([2, 3, 2])]);
  gradCase("GatherV2, unknown dims", [], ([x]) => tf.gather(x!, tf.constant([1, 1, 0], { dtype: "int32" })), () => [inp([2, 3], -1, 1, [null, 3])]);
  gradCase("Slice", ["Slice"], ([x]) => tf.slice(x!, [0, 1], [2, -1]), () => [inp([3, 3])]);
  gradCase("Pad", ["Pad"], ([x]) => tf.pad(x!, [[1, 0], [0, 2]]), () => [inp([2, 2])]);
  gradCase("Tile", ["Tile"], ([x]) => tf.tile(x!, [2, 3]), () => [inp([2, 2])]);
  gradCase("Split", ["Split"], ([x]) => {
    const [a, b] = tf.split(x!, 2, 1);
    return tf.mul(a!, tf.square(b!));
  }, () => [inp([2, 4])]);
  gradCase("SplitV, one part unused", ["SplitV"], ([x]) => tf.split(x!, [1, -1], 0)[1]!, () => [inp([3, 2])]);
  gradCase("Select", ["Select"], ([a, b]) => tf.where(tf.constant([[true, false, true], [false, false, true]]), a!, b!), () => [inp([2, 3]), inp([2, 3])]);
  gradCase("Fill", ["Fill"], ([x]) => tf.fill([2, 3], x!), () => [inp([])]);
  gradCase("PlaceholderWithDefault", ["PlaceholderWithDefault"], ([x]) => tf.placeholderWithDefault(tf.square(x!), [3]), () => [inp([3])]);

  // Losses.
  gradCase("sigmoidCrossEntropyWithLogits (Select, Log1p, ...)", [], ([x]) => tf.nn.sigmoidCrossEntropyWithLogits({ labels: tf.constant([[0, 1, 1], [1, 0, 0.5]]), logits: x! }), () => [inp([2, 3], -3, 3)]);
  gradCase("SoftmaxCrossEntropyWithLogits, logits and labels", ["SoftmaxCrossEntropyWithLogits"], ([x, l]) => tf.nn.softmaxCrossEntropyWithLogits({ labels: l!, logits: x! }), () => [
    inp([2, 3], -2, 2),
    // Each row a distribution, as the kernel's backprop (softmax − labels) assumes.
    { values: [0.2, 0.5, 0.3, 0.6, 0.1, 0.3], shape: [2, 3] },
  ]);
  gradCase("SoftmaxCrossEntropyWithLogits, rank 3", [], ([x]) => tf.nn.softmaxCrossEntropyWithLogits({ labels: tf.constant([[[0, 1], [1, 0]]]), logits: x! }), () => [inp([1, 2, 2], -2, 2)]);
  gradCase("SparseSoftmaxCrossEntropyWithLogits", ["SparseSoftmaxCrossEntropyWithLogits"], ([x]) => tf.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: tf.constant([2, 0], { dtype: "int32" }), logits: x! }), () => [inp([2, 3], -2, 2)]);
  gradCase("A gradient of the xent backprop output", [], ([x]) => {
    const op = tf.nn.softmaxCrossEntropyWithLogits({ labels: tf.constant([[0.2, 0.8, 0]]), logits: x! }).op;
    return tf.add(tf.reduceSum(op.outputs[0]!), tf.reduceSum(tf.square(op.outputs[1]!)));
  }, () => [inp([1, 3], -2, 2)]);

  gradCase("AddN, and a tensor with several consumers", ["AddN"], ([x]) => tf.add(tf.mul(x!, x!), tf.exp(x!)), () => [inp([3])]);

  gradCase("L2Loss, and clipByGlobalNorm built on it", ["L2Loss"], ([x]) => tf.add(tf.nn.l2Loss(x!), tf.reduceSum(tf.clipByGlobalNorm([x!], 1)[0][0]!)), () => [inp([2, 3])]);

  it("every registered gradient function is checked above", () => {
    const missing = registeredGradientTypes().filter((t) => !checked.has(t) && !["Add", "ReadVariableOp"].includes(t));
    expect(missing).toEqual([]);
  });
});

describe("tf.gradients: the graph walk", () => {
  it("null for unconnected xs and through StopGradient; ops named under gradients/", () => {
    const g = new tf.Graph();
    g.asDefault(() => {
      const x = tf.placeholder("float32", [3], { name: "x" });
      const z = tf.placeholder("float32", [3], { name: "z" });
      const y = tf.add(tf.mul(x, 2), tf.stopGradient(tf.square(x)));
      const [dx, dz] = gradients(y, [x, z]);
      expect(dz).toBeNull();
      expect(dx!.name.startsWith("gradients/")).toBe(true);
      expect(gradients(tf.stopGradient(x), x)).toEqual([null]);
      // An integer path carries no gradient.
      expect(gradients(tf.cast(tf.cast(x, "int32"), "float32"), x)).toEqual([null]);
    });
  });

  it("sums the gradients of several consumers with AddN", () => {
    const g = new tf.Graph();
    g.asDefault(() => {
      const x = tf.placeholder("float32", [3], { name: "x" });
      const [dx] = gradients(tf.add(tf.exp(x), tf.square(x)), x);
      expect(dx!.op.type).toBe("AddN");
      expect(dx!.op.name).toBe("gradients/x_grad/AddN");
    });
  });

  it("an op without a gradient function fails with TF's LookupError text", () => {
    const g = new tf.Graph();
    g.asDefault(() => {
      const x = tf.placeholder("float32", [2, 2], { name: "x" });
      const y = tf.matMul(x, x);
      const op = g.addOp({ type: "MyCustomOp", name: "custom", inputs: [y], outputs: [{ dtype: "float32", shape: [2, 2] }] });
      expect(() => gradients(op.output, x)).toThrow("No gradient defined for operation 'custom' (op type: MyCustomOp)");
    });
  });

  it("gradYs weight the ys; several ys are summed", async () => {
    const g = new tf.Graph();
    const [dx] = g.asDefault(() => {
      const x = tf.constant([1, 2, 3], { name: "x" });
      return gradients([tf.mul(x, 3), tf.square(x)], x, [tf.constant([1, 0, 2]), null]);
    });
    const [single] = g.asDefault(() => gradients(tf.square(g.getTensorByName("x:0")), g.getTensorByName("x:0"), [1, 2, 3]));
    const [v, w] = await evaluate([dx!, single!]);
    expect(Array.from(v!.data as Float32Array)).toEqual([3 + 2, 0 + 4, 6 + 6]);
    expect(Array.from(w!.data as Float32Array)).toEqual([2, 8, 18]);
  });

  it("gradients of every read of a variable flow to the variable", async () => {
    const g = new tf.Graph();
    const { v, dv, dvs } = g.asDefault(() => {
      const v = new tf.Variable([1, 2], { name: "v" });
      const loss = tf.add(tf.reduceSum(tf.square(v)), tf.reduceSum(tf.mul(v.readValue(), 3)));
      return { v, dv: gradients(loss, v)[0]!, dvs: gradients(loss, [v.value()])[0]! };
    });
    const sess = new tf.Session(undefined, { graph: g });
    await sess.run(v.initializer);
    const [a, b] = await sess.run([dv, dvs]);
    await sess.close();
    expect(Array.from(a!.data as Float32Array)).toEqual([2 + 3, 4 + 3]);
    expect(Array.from(b!.data as Float32Array)).toEqual([2, 4]);
  });
});
