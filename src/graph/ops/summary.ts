/**
 * tf.summary's graph ops (python/summary/summary.py, summary_op_util.py; tf-training.md §7.1):
 * scalar, histogram, text, merge and mergeAll. Each summary op is named after its summary scope
 * and tagged with that scope (prefixed by `family/` when a family is given), and joins the
 * "summaries" collection unless `collections` says otherwise.
 */
import type { DType } from "../../tensor/dtypes.js";
import { NDArray } from "../../tensor/ndarray.js";
import { convertToTensor } from "../convert.js";
import type { NameOption, TensorLike } from "../convert.js";
import { GraphKeys } from "../graph.js";
import type { Graph } from "../graph.js";
import { Tensor } from "../tensor.js";
import { checkDType, graphOf, toTensor } from "./builder-utils.js";

export interface SummaryOptions {
  /** The graph collections the op joins; ["summaries"] by default. */
  collections?: string[];
  /** A prefix for the tag and the op's name scope (TensorBoard's tab). */
  family?: string;
}

const REAL_TYPES: readonly DType[] = ["float32", "float64", "int32", "int64", "uint8"];
// Python's [^-/\w\.] with \w as Unicode word characters.
const INVALID_TAG_CHARACTERS = /[^-/\p{L}\p{N}\p{M}_.]/gu;

/** TF's clean_tag: illegal characters become "_", leading slashes go. */
export function cleanTag(name: string): string {
  return name.replace(INVALID_TAG_CHARACTERS, "_").replace(/^\/+/, "");
}

/**
 * summary_scope: runs `build(tag, opName)` inside name scope `family/name` (or `name`); the op
 * takes the scope's own name, and the tag is that name, prefixed by `family/` with a family.
 */
function inSummaryScope<T>(graph: Graph, name: string, family: string | undefined, build: (tag: string, opName: string) => T): T {
  const clean = cleanTag(name);
  const fam = family === undefined ? undefined : cleanTag(family);
  const base = fam === undefined ? clean : `${fam}/${clean}`;
  return graph.asDefault(() =>
    graph.withNameScope(base, (scope) => build(fam === undefined ? scope : `${fam}/${scope}`, scope)),
  );
}

function collect(graph: Graph, t: Tensor, collections: string[] | undefined, defaults: string[]): void {
  for (const key of collections ?? defaults) graph.addToCollection(key, t);
}

/** Adds a summary op named exactly `opName` with one scalar string output. */
function addSummaryOp(graph: Graph, type: string, opName: string, inputs: Tensor[], dtype: DType): Tensor {
  return graph.addOp({ type, name: opName, exactName: true, inputs, attrs: { T: { type: dtype } }, outputs: [{ dtype: "string", shape: [] }] }).output;
}

/**
 * A Summary with one simple value per element of `tensor` (ScalarSummary), tagged with its scope.
 * @example const s = tf.summary.scalar("loss", loss);
 */
export function scalar(name: string, tensor: TensorLike, options: SummaryOptions = {}): Tensor {
  const graph = graphOf([tensor]);
  const out = inSummaryScope(graph, name, options.family, (tag, opName) => {
    const tags = convertToTensor(tag, "string", "tags");
    const values = toTensor(tensor, undefined, "values");
    checkDType("ScalarSummary", "values", values, REAL_TYPES);
    return addSummaryOp(graph, "ScalarSummary", opName, [tags, values], values.dtype);
  });
  collect(graph, out, options.collections, [GraphKeys.SUMMARIES]);
  return out;
}

/**
 * A Summary holding a histogram of `values` with TF's default buckets (HistogramSummary).
 * @example tf.summary.histogram("weights", w);
 */
export function histogram(name: string, values: TensorLike, options: SummaryOptions = {}): Tensor {
  const graph = graphOf([values]);
  const out = inSummaryScope(graph, name, options.family, (tag, opName) => {
    const tagT = convertToTensor(tag, "string", "tag");
    const v = toTensor(values, undefined, "values");
    checkDType("HistogramSummary", "values", v, REAL_TYPES);
    return addSummaryOp(graph, "HistogramSummary", opName, [tagT, v], v.dtype);
  });
  collect(graph, out, options.collections, [GraphKeys.SUMMARIES]);
  return out;
}

const utf8 = new TextEncoder();

/**
 * SummaryMetadata{plugin_data{plugin_name}} as protobuf bytes, written out by hand: the graph
 * layer sits below the wire schema (field 1 → PluginData, its field 1 → the name).
 */
export function pluginMetadataBytes(pluginName: string): Uint8Array {
  const nameBytes = utf8.encode(pluginName);
  if (nameBytes.length > 125) throw new RangeError(`plugin name too long: ${pluginName}`);
  return Uint8Array.of(0x0a, nameBytes.length + 2, 0x0a, nameBytes.length, ...nameBytes);
}

/** A Summary holding `tensor` itself with serialized `metadata` (TensorSummaryV2). */
function tensorSummary(name: string, tensor: TensorLike, metadata: Uint8Array, options: SummaryOptions = {}): Tensor {
  const graph = graphOf([tensor]);
  const out = inSummaryScope(graph, name, options.family, (tag, opName) => {
    const t = toTensor(tensor, undefined, "tensor");
    const tagT = convertToTensor(tag, "string", "tag");
    const meta = convertToTensor(new NDArray("string", [], [metadata]), "string", "serialized_summary_metadata");
    return addSummaryOp(graph, "TensorSummaryV2", opName, [tagT, t, meta], t.dtype);
  });
  collect(graph, out, options.collections, [GraphKeys.SUMMARIES]);
  return out;
}

/**
 * A Summary of a string tensor for TensorBoard's text plugin (TensorSummaryV2, plugin "text").
 * @example tf.summary.text("note", tf.constant("hello"));
 */
export function text(name: string, tensor: TensorLike, options: Omit<SummaryOptions, "family"> = {}): Tensor {
  const t = toTensor(tensor, "string");
  if (t.dtype !== "string") throw new RangeError(`Expected tensor ${t.name} to have dtype string, got ${t.dtype}`);
  return tensorSummary(name, t, pluginMetadataBytes("text"), options);
}

export interface MergeOptions extends NameOption {
  /** Collections the merged op joins (none by default). */
  collections?: string[];
}

/**
 * One Summary holding every value of `inputs` (MergeSummary); a repeated tag fails at run time.
 * @example const merged = tf.summary.merge([s1, s2]);
 */
export function merge(inputs: TensorLike[], options: MergeOptions = {}): Tensor {
  const graph = graphOf(inputs);
  const name = options.name === undefined ? undefined : cleanTag(options.name);
  const out = graph.asDefault(() =>
    graph.withNameScope(name ?? "Merge", () => {
      const ts = inputs.map((x, i) => toTensor(x, "string", i === 0 ? "inputs" : `inputs_${i}`));
      for (const t of ts) checkDType("MergeSummary", "inputs", t, ["string"]);
      return graph.addOp({
        type: "MergeSummary",
        name: name ?? "MergeSummary",
        inputs: ts,
        attrs: { N: { i: ts.length } },
        outputs: [{ dtype: "string", shape: [] }],
      }).output;
    }),
  );
  collect(graph, out, options.collections, []);
  return out;
}

export interface MergeAllOptions extends NameOption {
  /** The collection to merge; "summaries" by default. */
  key?: string;
  /** Only summaries whose names match this regular expression from their start. */
  scope?: string;
  graph?: Graph;
}

/**
 * Merges every summary of a collection, or returns null when it is empty (TF's merge_all).
 * @example const summaryOp = tf.summary.mergeAll();
 */
export function mergeAll(options: MergeAllOptions = {}): Tensor | null {
  const graph = options.graph ?? graphOf([]);
  let items = graph.getCollection<unknown>(options.key ?? GraphKeys.SUMMARIES).filter((x): x is Tensor => x instanceof Tensor);
  if (options.scope !== undefined) {
    const re = new RegExp(`^(?:${options.scope})`);
    items = items.filter((t) => re.test(t.name));
  }
  if (items.length === 0) return null;
  return merge(items, options.name === undefined ? {} : { name: options.name });
}
