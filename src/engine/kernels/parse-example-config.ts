/**
 * The configuration of the Example parsing kernels, read from a node's attrs and inputs and
 * checked as TF's kernels check it, and the two wordings of their errors: the batch op's
 * ("Name: …, Key: …, Index: …") and the fused single-example op's ("Key: …").
 */
import { InvalidArgumentError } from "../../errors/index.js";
import type { DType } from "../../tensor/dtypes.js";
import type { NDArray } from "../../tensor/ndarray.js";
import { invalidArg, shapeStr } from "./kernel-utils.js";
import type { KernelContext } from "./registry.js";

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

/** DataTypeString, as the messages print types. */
export const TYPE_NAME: Partial<Record<DType, string>> = { float32: "float", int64: "int64", string: "string" };
export const LIST_NAME: Partial<Record<DType, string>> = { float32: "float", int64: "int64", string: "bytes" };

export interface Config {
  denseKeys: Uint8Array[];
  denseNames: string[];
  denseTypes: DType[];
  denseShapes: number[][];
  /** Values per record (per row, for a FixedLenSequenceFeature) of each dense feature. */
  strides: number[];
  /** Dense features of unknown first dimension (FixedLenSequenceFeature): rows padded to the longest. */
  variable: boolean[];
  denseDefaults: NDArray[];
  sparseKeys: Uint8Array[];
  sparseNames: string[];
  sparseTypes: DType[];
}

/** The two wordings of the errors: batch (names and index) and the fused single-example op. */
export interface Wording {
  example(key: string, b: number, suffix: string): string;
  /** A list that does not parse, or one of the wrong length (the fused op says the same for both). */
  badList(key: string, b: number, serialized: Uint8Array): string;
  wrongCount(key: string, b: number, count: number, type: DType, shape: number[], serialized: Uint8Array): string;
  required(key: string, b: number, type: DType): string;
}

/** A FixedLenSequenceFeature's count that is no multiple of its row (both ops word it alike). */
export function notMultiple(w: Wording, key: string, b: number, count: number, type: DType, shape: number[]): string {
  return w.example(key, b, `Number of ${LIST_NAME[type]} values is not a multiple of stride length. Saw ${count} values but output shape is: ${partialShapeStr(shape)}`);
}

/** A PartialTensorShape's DebugString: unknown dims as "?". */
export function partialShapeStr(shape: readonly number[]): string {
  return `[${shape.map((d) => (d < 0 ? "?" : String(d))).join(",")}]`;
}

export function couldNotParse(serialized: Uint8Array): string {
  return `Could not parse example input, value: '${utf8d.decode(serialized)}'`;
}

export function batchWording(names: string[]): Wording {
  const nameOf = (b: number): string => names[b] ?? "<unknown>";
  const example = (key: string, b: number, suffix: string): string => `Name: ${nameOf(b)}, Key: ${key}, Index: ${b}.  ${suffix}`;
  return {
    example,
    badList: (_key, _b, serialized) => couldNotParse(serialized),
    wrongCount: (key, b, count, type, shape) =>
      example(key, b, `Number of ${LIST_NAME[type]} values != expected.  Values size: ${count} but output shape: ${shapeStr(shape)}`),
    required: (key, b, type) => `Name: ${nameOf(b)}, Feature: ${key} (data type: ${TYPE_NAME[type]}) is required but could not be found.`,
  };
}

export const singleWording: Wording = {
  example: (key, _b, suffix) => `Key: ${key}.  ${suffix}`,
  badList: (key) => `Key: ${key}.  Can't parse serialized Example.`,
  wrongCount: (key) => `Key: ${key}.  Can't parse serialized Example.`,
  required: (key, _b, type) => `Feature: ${key} (data type: ${TYPE_NAME[type]}) is required but could not be found.`,
};

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The dense defaults' checks of both kernels. */
function checkDefaults(ctx: KernelContext, cfg: Config): void {
  for (let d = 0; d < cfg.denseDefaults.length; d++) {
    const def = cfg.denseDefaults[d]!;
    const shape = cfg.denseShapes[d]!;
    if (cfg.variable[d]) {
      if (def.size !== 1) {
        throw invalidArg(
          ctx,
          `dense_shape[${d}] is a variable length shape: ${partialShapeStr(shape)}, therefore def_value[${d}] must contain a single element (the padding element).  But its shape is: ${shapeStr(def.shape)}`,
        );
      }
    } else if (def.size > 0 && !sameDims(def.shape, shape)) {
      throw invalidArg(ctx, `def_value[${d}].shape() == ${shapeStr(def.shape)} is not compatible with dense_shapes_[${d}] == ${shapeStr(shape)}`);
    }
    if (def.dtype !== cfg.denseTypes[d]) {
      throw invalidArg(ctx, `dense_defaults[${d}].dtype() == ${TYPE_NAME[def.dtype] ?? def.dtype} != dense_types_[${d}] == ${TYPE_NAME[cfg.denseTypes[d]!]}`);
    }
  }
}

type StaticConfig = Omit<Config, "denseDefaults">;

/** A node's attrs never change, so their reading is kept per NodeDef (keys come from attrs or inputs). */
const staticConfigs = new WeakMap<object, { dense: string[]; sparse: string[]; cfg: StaticConfig }>();

function staticConfig(ctx: KernelContext, denseNames: string[], sparseNames: string[]): StaticConfig {
  const cached = staticConfigs.get(ctx.node);
  if (cached && sameStrings(cached.dense, denseNames) && sameStrings(cached.sparse, sparseNames)) return cached.cfg;
  const denseShapes = (ctx.attrs.list("dense_shapes").shape ?? []).map((s) => (s ?? []).map((d) => d ?? -1));
  if (denseShapes.some((s) => s.slice(1).some((x) => x < 0))) throw new InvalidArgumentError("Only the first dimension of a dense shape may be unknown");
  const variable = denseShapes.map((s) => s.length > 0 && s[0]! < 0);
  const cfg: StaticConfig = {
    denseKeys: denseNames.map((k) => utf8.encode(k)),
    denseNames,
    denseTypes: ctx.attrs.list("Tdense").type ?? [],
    denseShapes,
    strides: denseShapes.map((s, d) => (variable[d] ? s.slice(1) : s).reduce((a, x) => a * x, 1)),
    variable,
    sparseKeys: sparseNames.map((k) => utf8.encode(k)),
    sparseNames,
    sparseTypes: ctx.attrs.list("sparse_types").type ?? [],
  };
  staticConfigs.set(ctx.node, { dense: denseNames, sparse: sparseNames, cfg });
  return cfg;
}

function sameStrings(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function makeConfig(ctx: KernelContext, denseNames: string[], sparseNames: string[], denseDefaults: NDArray[]): Config {
  const cfg: Config = { ...staticConfig(ctx, denseNames, sparseNames), denseDefaults };
  checkDefaults(ctx, cfg);
  return cfg;
}

