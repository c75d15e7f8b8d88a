/**
 * parseExample (ParseExample) and parseSingleExample (ParseSingleExample), as TF 1.15's
 * parsing_ops.py builds them (tf-training.md §10.2-10.4): a FixedLenFeature gives a dense
 * Tensor ([B] + shape, or shape), a VarLenFeature a SparseTensor.
 */
import type { DType } from "../../tensor/dtypes.js";
import { NDArray } from "../../tensor/ndarray.js";
import { constantOp } from "../convert.js";
import type { NameOption, TensorLike } from "../convert.js";
import type { Graph, OutputSpec } from "../graph.js";
import type { Tensor } from "../tensor.js";
import { expandDims, squeeze } from "./array.js";
import { slice } from "./array-index.js";
import { graphOf, toTensor } from "./builder-utils.js";
import { rawParams } from "./parse-features.js";
import type { Feature, RawParams } from "./parse-features.js";

/** A sparse result: int64 indices [N, rank], values [N], int64 denseShape [rank]. */
export class SparseTensor {
  constructor(
    readonly indices: Tensor,
    readonly values: Tensor,
    readonly denseShape: Tensor,
  ) {}

  get dtype(): DType {
    return this.values.dtype;
  }
}

export type ParsedFeatures = Record<string, Tensor | SparseTensor>;

export interface ParseExampleOptions extends NameOption {
  /** One name per record, used in error messages. */
  exampleNames?: TensorLike;
}

function checkFeatures(features: Record<string, Feature>, message: string): void {
  if (!features || Object.keys(features).length === 0) throw new RangeError(message);
}

/** A string constant (a scalar, never a byte vector). */
function stringConst(graph: Graph, s: string, name: string): Tensor {
  return constantOp(new NDArray("string", [], [new TextEncoder().encode(s)]), name, graph);
}

/** The dense_defaults inputs: empty constants for required features, the reshaped values otherwise. */
function defaultInputs(graph: Graph, p: RawParams): Tensor[] {
  return p.denseDefaults.map((d, i) => {
    if (d === null) return constantOp(new NDArray(p.denseTypes[i]!, [0], emptyData(p.denseTypes[i]!)), "Const", graph);
    if (d instanceof NDArray) return constantOp(d, p.denseDefaultNames[i]!, graph);
    return d;
  });
}

function emptyData(dtype: DType): NDArray["data"] {
  return dtype === "float32" ? new Float32Array(0) : dtype === "int64" ? new BigInt64Array(0) : [];
}

function rankError(t: Tensor, want: number, opName: string, opType: string): void {
  if (t.shape !== null && t.shape.length !== want) {
    throw new RangeError(`Shape must be rank ${want} but is rank ${t.shape.length} for '${opName}' (op: '${opType}')`);
  }
}

/** The op's outputs: sparse indices, values, shapes (one each per sparse key), then dense values. */
function outputSpecs(p: RawParams, batch: number | null | undefined): OutputSpec[] {
  const rank = batch === undefined ? 1 : 2;
  const lead = batch === undefined ? [] : [batch];
  return [
    ...p.sparseKeys.map((): OutputSpec => ({ dtype: "int64", shape: [null, rank] })),
    ...p.sparseTypes.map((dtype): OutputSpec => ({ dtype, shape: [null] })),
    ...p.sparseKeys.map((): OutputSpec => ({ dtype: "int64", shape: [rank] })),
    ...p.denseTypes.map((dtype, i): OutputSpec => ({ dtype, shape: [...lead, ...p.denseShapes[i]!] })),
  ];
}

function collectOutputs(p: RawParams, outputs: Tensor[]): ParsedFeatures {
  const out: ParsedFeatures = {};
  const ns = p.sparseKeys.length;
  p.sparseKeys.forEach((k, i) => {
    out[k] = new SparseTensor(outputs[i]!, outputs[ns + i]!, outputs[2 * ns + i]!);
  });
  p.denseKeys.forEach((k, i) => {
    out[k] = outputs[3 * ns + i]!;
  });
  return out;
}

function commonAttrs(p: RawParams): Record<string, { list: { type?: DType[]; shape?: (number | null)[][] } }> {
  return { sparse_types: { list: { type: p.sparseTypes } }, Tdense: { list: { type: p.denseTypes } }, dense_shapes: { list: { shape: p.denseShapes } } };
}

/**
 * Parses a vector of serialized tf.train.Examples: `[B] + shape` per FixedLenFeature, a
 * SparseTensor ([B, longest list]) per VarLenFeature. One bad record fails the whole op.
 * @example const {age, xy} = tf.parseExample(records, {age: tf.io.FixedLenFeature([], "int64", -1), xy: tf.io.FixedLenFeature([2], "float32")});
 */
export function parseExample(serialized: TensorLike, features: Record<string, Feature>, options: ParseExampleOptions = {}): ParsedFeatures {
  checkFeatures(features, `Missing: features was {}.`);
  const graph = graphOf([serialized]);
  return graph.asDefault(() =>
    graph.withNameScope(options.name ?? "ParseExample", (scope) => {
      const p = rawParams(features, scope);
      const s = toTensor(serialized, "string", "serialized");
      const names = toTensor(options.exampleNames ?? new NDArray("string", [0], []), "string", "names");
      const opName = options.name ?? "ParseExample";
      rankError(s, 1, `${scope}/${opName}`, "ParseExample");
      rankError(names, 1, `${scope}/${opName}`, "ParseExample");
      const sparseKeys = p.sparseKeys.map((k, i) => stringConst(graph, k, i === 0 ? "sparse_keys" : `sparse_keys_${i}`));
      const denseKeys = p.denseKeys.map((k, i) => stringConst(graph, k, i === 0 ? "dense_keys" : `dense_keys_${i}`));
      const defaults = defaultInputs(graph, p);
      const op = graph.addOp({
        type: "ParseExample",
        name: opName,
        inputs: [s, names, ...sparseKeys, ...denseKeys, ...defaults],
        attrs: { Nsparse: { i: p.sparseKeys.length }, Ndense: { i: p.denseKeys.length }, ...commonAttrs(p) },
        outputs: outputSpecs(p, s.shape === null ? null : (s.shape[0] ?? null)),
      });
      return collectOutputs(p, op.outputs);
    }),
  );
}

/** parse_single_example with names: ParseExample on a batch of one, then dim 0 removed. */
function parseSingleWithNames(serialized: TensorLike, features: Record<string, Feature>, names: TensorLike, name?: string): ParsedFeatures {
  const graph = graphOf([serialized]);
  return graph.asDefault(() =>
    graph.withNameScope(name ?? "ParseSingleExample", () => {
      const s = toTensor(serialized, "string", "serialized");
      if (s.shape !== null && s.shape.length !== 0) throw new RangeError("Input serialized must be a scalar");
      const parsed = parseExample(expandDims(s, 0), features, { exampleNames: expandDims(toTensor(names, "string", "names"), 0) });
      const out: ParsedFeatures = {};
      for (const [k, v] of Object.entries(parsed)) {
        const kn = k.replace(/[^A-Za-z0-9_.\-/]/g, "_");
        out[k] =
          v instanceof SparseTensor
            ? new SparseTensor(slice(v.indices, [0, 1], [-1, 1], { name: `Slice_Indices_${kn}` }), v.values, slice(v.denseShape, [1], [1], { name: `Squeeze_Shape_${kn}` }))
            : squeeze(v, [0], { name: `Squeeze_${kn}` });
      }
      return out;
    }),
  );
}

/**
 * Parses one serialized tf.train.Example (a string scalar): `shape` per FixedLenFeature, a
 * SparseTensor ([longest list]) per VarLenFeature. Values go straight into the output tensors.
 * @example const {image, label} = tf.parseSingleExample(record, {image: tf.io.FixedLenFeature([784], "float32"), label: tf.io.FixedLenFeature([], "int64")});
 */
export function parseSingleExample(serialized: TensorLike, features: Record<string, Feature>, options: ParseExampleOptions = {}): ParsedFeatures {
  checkFeatures(features, "Missing features.");
  if (options.exampleNames !== undefined) return parseSingleWithNames(serialized, features, options.exampleNames, options.name);
  const graph = graphOf([serialized]);
  return graph.asDefault(() =>
    graph.withNameScope(options.name ?? "ParseSingleExample", (scope) => {
      const p = rawParams(features, scope);
      const s = toTensor(serialized, "string", "serialized");
      const opName = options.name ?? "ParseSingleExample";
      rankError(s, 0, `${scope}/${opName}`, "ParseSingleExample");
      const defaults = defaultInputs(graph, p);
      const op = graph.addOp({
        type: "ParseSingleExample",
        name: opName,
        inputs: [s, ...defaults],
        attrs: {
          num_sparse: { i: p.sparseKeys.length },
          sparse_keys: { list: { s: p.sparseKeys } },
          dense_keys: { list: { s: p.denseKeys } },
          ...commonAttrs(p),
        },
        outputs: outputSpecs(p, undefined),
      });
      return collectOutputs(p, op.outputs);
    }),
  );
}
