/**
 * ParseExample and ParseSingleExample (core/kernels/example_parsing_ops.cc over the fast parser,
 * example_proto_fast_parsing.cc; tf-training.md §10.3-10.4). Dense values are read straight into
 * the output tensors; a VarLenFeature's values are counted first, then read into one allocation.
 * Within a record the last copy of a key wins; the texts of the errors are TF's, which differ
 * between the batch op ("Name: …, Key: …, Index: …") and the fused single op ("Key: …").
 */
import type { OpError } from "../../errors/index.js";
import type { DType } from "../../tensor/dtypes.js";
import { allocData, NDArray } from "../../tensor/ndarray.js";
import type { NDData } from "../../tensor/ndarray.js";
import { featureKind, keyEquals, parseExampleEntries, readBytesList, readFloatList, readInt64List } from "../io/example-wire.js";
import type { FeatureRef } from "../io/example-wire.js";
import { batchWording, couldNotParse, makeConfig, notMultiple, singleWording, TYPE_NAME } from "./parse-example-config.js";
import type { Config, Wording } from "./parse-example-config.js";
import { input, invalidArg, shapeStr } from "./kernel-utils.js";
import { registerKernel } from "./registry.js";
import type { KernelContext } from "./registry.js";

const utf8d = new TextDecoder();

/** Reads a list of `type` into data[offset, offset + capacity); its real length or -1. */
function readList(type: DType, buf: Uint8Array, ref: FeatureRef, data: NDData | null, offset: number, capacity: number): number {
  if (type === "float32") return readFloatList(buf, ref, data as Float32Array | null, offset, capacity);
  if (type === "int64") return readInt64List(buf, ref, data as BigInt64Array | null, offset, capacity);
  return readBytesList(buf, ref, data as Uint8Array[] | null, offset, capacity);
}

function copyDefault(dflt: NDArray, data: NDData, offset: number): void {
  if (Array.isArray(data)) {
    const src = dflt.data as Uint8Array[];
    for (let i = 0; i < src.length; i++) (data as Uint8Array[])[offset + i] = src[i]!;
  } else (data as Float32Array).set(dflt.data as Float32Array, offset);
}

/** A VarLenFeature or FixedLenSequenceFeature of one record: where its list is, how long it is. */
interface SparseHit {
  buf: Uint8Array;
  ref: FeatureRef;
  count: number;
}

class Parser {
  readonly dense: NDData[];
  /** Per sparse key, per record: the list found, or null. */
  readonly sparse: (SparseHit | null)[][];
  /** The same for each FixedLenSequenceFeature (unused for the fixed ones). */
  private readonly sequences: (SparseHit | null)[][];
  /** Values seen so far per sequence feature: TF checks the stride on this running count. */
  private readonly sequenceTotals: number[];

  constructor(
    private readonly ctx: KernelContext,
    private readonly cfg: Config,
    private readonly wording: Wording,
    batch: number,
  ) {
    this.dense = cfg.denseTypes.map((t, d) => allocData(t, cfg.variable[d] ? 0 : batch * cfg.strides[d]!));
    this.sparse = cfg.sparseTypes.map(() => new Array<SparseHit | null>(batch).fill(null));
    this.sequences = cfg.denseTypes.map(() => new Array<SparseHit | null>(batch).fill(null));
    this.sequenceTotals = cfg.denseTypes.map(() => 0);
  }

  private fail(message: string): OpError {
    return invalidArg(this.ctx, message);
  }

  /** Parses record b: its present features from the last on the wire, then the absent ones. */
  record(buf: Uint8Array, b: number): void {
    const entries = parseExampleEntries(buf);
    if (!entries) throw this.fail(couldNotParse(buf));
    const { cfg, wording } = this;
    const seenDense = new Uint8Array(cfg.denseKeys.length);
    const seenSparse = new Uint8Array(cfg.sparseKeys.length);
    for (let i = entries.length - 1; i >= 0; i--) {
      const ref = entries[i]!;
      const d = cfg.denseKeys.findIndex((k) => keyEquals(buf, ref, k));
      const s = d >= 0 ? -1 : cfg.sparseKeys.findIndex((k) => keyEquals(buf, ref, k));
      if (d < 0 && s < 0) continue;
      const kind = featureKind(buf, ref);
      if (kind === "unsupported") throw this.fail("Unsupported datatype.");
      if (kind === null) continue;
      if (d >= 0) {
        if (seenDense[d]) continue;
        seenDense[d] = 1;
        this.denseFeature(buf, ref, kind, d, b);
      } else {
        if (seenSparse[s]) continue;
        seenSparse[s] = 1;
        const type = cfg.sparseTypes[s]!;
        if (kind !== type) {
          throw this.fail(wording.example(cfg.sparseNames[s]!, b, `Data types don't match. Expected type: ${TYPE_NAME[type]}, Actual type: ${TYPE_NAME[kind]}`));
        }
        const count = readList(type, buf, ref, null, 0, 0);
        if (count < 0) throw this.fail(wording.badList(cfg.sparseNames[s]!, b, buf));
        this.sparse[s]![b] = { buf, ref, count };
      }
    }
    for (let d = 0; d < cfg.denseKeys.length; d++) {
      if (seenDense[d] || cfg.variable[d]) continue;
      const dflt = cfg.denseDefaults[d]!;
      if (dflt.size === 0) throw this.fail(wording.required(cfg.denseNames[d]!, b, cfg.denseTypes[d]!));
      copyDefault(dflt, this.dense[d]!, b * cfg.strides[d]!);
    }
  }

  private denseFeature(buf: Uint8Array, ref: FeatureRef, kind: DType, d: number, b: number): void {
    const { cfg, wording } = this;
    const type = cfg.denseTypes[d]!;
    const key = cfg.denseNames[d]!;
    if (kind !== type) {
      throw this.fail(wording.example(key, b, `Data types don't match. Data type: ${TYPE_NAME[kind]} but expected type: ${TYPE_NAME[type]}`));
    }
    const stride = cfg.strides[d]!;
    if (cfg.variable[d]) {
      const n = readList(type, buf, ref, null, 0, 0);
      if (n < 0) throw this.fail(wording.badList(key, b, buf));
      this.sequenceTotals[d]! += n;
      const total = this.sequenceTotals[d]!;
      if (total % stride !== 0) throw this.fail(notMultiple(wording, key, b, total, type, cfg.denseShapes[d]!));
      this.sequences[d]![b] = { buf, ref, count: n };
      return;
    }
    const count = readList(type, buf, ref, this.dense[d]!, b * stride, stride);
    if (count < 0) throw this.fail(wording.badList(key, b, buf));
    if (count !== stride) throw this.fail(wording.wrongCount(key, b, count, type, cfg.denseShapes[d]!, buf));
  }

  /** A FixedLenSequenceFeature's values: [B, T] + row shape (or [T] + row), padded with its default. */
  sequenceOutput(d: number, lead: number[]): NDArray {
    const hits = this.sequences[d]!;
    const stride = this.cfg.strides[d]!;
    const type = this.cfg.denseTypes[d]!;
    let rows = 0;
    for (const h of hits) if (h) rows = Math.max(rows, h.count / stride);
    const perRecord = rows * stride;
    const data = allocData(type, hits.length * perRecord);
    const pad = this.cfg.denseDefaults[d]!.data;
    if (Array.isArray(data)) (data as Uint8Array[]).fill((pad as Uint8Array[])[0]!);
    else (data as Float32Array).fill((pad as Float32Array)[0]! as never);
    hits.forEach((h, b) => {
      if (h) readList(type, h.buf, h.ref, data, b * perRecord, h.count);
    });
    return new NDArray(type, [...lead, rows, ...this.cfg.denseShapes[d]!.slice(1)], data);
  }

  /** A sparse feature's indices, values and dense shape (rank 2 for a batch, 1 for one record). */
  sparseOutputs(s: number, batched: boolean): [NDArray, NDArray, NDArray] {
    const hits = this.sparse[s]!;
    const type = this.cfg.sparseTypes[s]!;
    let total = 0;
    let longest = 0;
    for (const h of hits) {
      if (!h) continue;
      total += h.count;
      longest = Math.max(longest, h.count);
    }
    const values = allocData(type, total);
    const rank = batched ? 2 : 1;
    const indices = new BigInt64Array(total * rank);
    let n = 0;
    hits.forEach((h, b) => {
      if (!h) return;
      readList(type, h.buf, h.ref, values, n, h.count);
      for (let j = 0; j < h.count; j++, n++) {
        if (batched) {
          indices[2 * n] = BigInt(b);
          indices[2 * n + 1] = BigInt(j);
        } else indices[n] = BigInt(j);
      }
    });
    const shape = batched ? BigInt64Array.of(BigInt(hits.length), BigInt(longest)) : BigInt64Array.of(BigInt(longest));
    return [new NDArray("int64", [total, rank], indices), new NDArray(type, [total], values), new NDArray("int64", [rank], shape)];
  }
}

function stringsOf(t: NDArray): string[] {
  return (t.data as Uint8Array[]).map((b) => utf8d.decode(b));
}

function parseExampleKernel(ctx: KernelContext): NDArray[] {
  const ns = ctx.attrs.i("Nsparse");
  const nd = ctx.attrs.i("Ndense");
  const serialized = input(ctx, 0);
  const names = input(ctx, 1);
  if (serialized.rank !== 1) throw invalidArg(ctx, `Expected serialized to be a vector, got shape: ${shapeStr(serialized.shape)}`);
  if (names.size > 0 && names.size !== serialized.size) {
    throw invalidArg(ctx, `Expected len(names) == len(serialized), but got: ${names.size} vs. ${serialized.size}`);
  }
  const keys = (from: number, n: number): string[] => ctx.inputs.slice(from, from + n).map((t) => stringsOf(t)[0] ?? "");
  const cfg = makeConfig(ctx, keys(2 + ns, nd), keys(2, ns), ctx.inputs.slice(2 + ns + nd, 2 + ns + 2 * nd));
  const batch = serialized.size;
  const parser = new Parser(ctx, cfg, batchWording(stringsOf(names)), batch);
  const records = serialized.data as Uint8Array[];
  for (let b = 0; b < batch; b++) parser.record(records[b]!, b);
  return assemble(parser, cfg, true, [batch]);
}

function parseSingleExampleKernel(ctx: KernelContext): NDArray[] {
  const serialized = input(ctx, 0);
  if (serialized.rank !== 0) throw invalidArg(ctx, `Expected serialized to be a scalar, got shape: ${shapeStr(serialized.shape)}`);
  const cfg = makeConfig(ctx, ctx.attrs.list("dense_keys").s ?? [], ctx.attrs.list("sparse_keys").s ?? [], ctx.inputs.slice(1));
  const parser = new Parser(ctx, cfg, singleWording, 1);
  parser.record((serialized.data as Uint8Array[])[0]!, 0);
  return assemble(parser, cfg, false, []);
}

/** The outputs in op order: sparse indices, values, shapes, then the dense values. */
function assemble(parser: Parser, cfg: Config, batched: boolean, lead: number[]): NDArray[] {
  const sparse = cfg.sparseTypes.map((_t, s) => parser.sparseOutputs(s, batched));
  const dense = cfg.denseTypes.map((t, d) => (cfg.variable[d] ? parser.sequenceOutput(d, lead) : new NDArray(t, [...lead, ...cfg.denseShapes[d]!], parser.dense[d]!)));
  return [...sparse.map((x) => x[0]), ...sparse.map((x) => x[1]), ...sparse.map((x) => x[2]), ...dense];
}

registerKernel("ParseExample", parseExampleKernel, { deviceTypes: ["CPU"] });
registerKernel("ParseSingleExample", parseSingleExampleKernel, { deviceTypes: ["CPU"] });
