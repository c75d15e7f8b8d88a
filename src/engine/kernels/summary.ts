/**
 * The summary kernels (core/kernels/summary_op.cc, summary_tensor_op.cc; tf-training.md §7.1):
 * ScalarSummary, HistogramSummary, TensorSummaryV2 and MergeSummary. Each returns a scalar string
 * holding a serialized Summary proto, which a FileWriter writes as is.
 */
import { NDArray } from "../../tensor/ndarray.js";
import { decodeSummaryMetadata, decodeSummaryValues, encodeSummary, encodeSummaryValues, summaryValueFromWire } from "../../transport/wire/summary-codec.js";
import type { SummaryMetadata, SummaryValue, SummaryValueWire } from "../../transport/wire/summary-codec.js";
import { Histogram } from "./histogram.js";
import { input, invalidArg, shapeStr } from "./kernel-utils.js";
import { registerKernel } from "./registry.js";
import type { KernelContext } from "./registry.js";

const utf8d = new TextDecoder();

function summaryOutput(bytes: Uint8Array): NDArray[] {
  return [new NDArray("string", [], [bytes])];
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function stringAt(t: NDArray, i: number): string {
  return utf8d.decode((t.data as Uint8Array[])[i]);
}

/** The numbers of a real tensor (int64 through Number, as TF's float(v) / double(v) casts). */
function numberAt(t: NDArray, i: number): number {
  return Number((t.data as ArrayLike<number | bigint>)[i]);
}

function scalarSummary(ctx: KernelContext): NDArray[] {
  const tags = input(ctx, 0);
  const values = input(ctx, 1);
  if (!sameShape(tags.shape, values.shape)) {
    const single = tags.size === 1 ? ` (tag '${stringAt(tags, 0)}')` : "";
    throw invalidArg(ctx, `tags and values not the same shape: ${shapeStr(tags.shape)} != ${shapeStr(values.shape)}${single}`);
  }
  const value: SummaryValue[] = [];
  for (let i = 0; i < tags.size; i++) value.push({ tag: stringAt(tags, i), simpleValue: Math.fround(numberAt(values, i)) });
  return summaryOutput(encodeSummary({ value }));
}

function histogramSummary(ctx: KernelContext): NDArray[] {
  const tags = input(ctx, 0);
  const values = input(ctx, 1);
  if (tags.rank !== 0) throw invalidArg(ctx, "tags must be scalar");
  const histo = new Histogram();
  for (let i = 0; i < values.size; i++) {
    const v = numberAt(values, i);
    if (Number.isNaN(v)) throw invalidArg(ctx, `Nan in summary histogram for: ${ctx.node.name}`);
    if (!Number.isFinite(v)) throw invalidArg(ctx, `Infinity in summary histogram for: ${ctx.node.name}`);
    histo.add(v);
  }
  return summaryOutput(encodeSummary({ value: [{ tag: stringAt(tags, 0), histo: histo.toProto() }] }));
}

function parseMetadata(ctx: KernelContext, bytes: Uint8Array): SummaryMetadata {
  try {
    return decodeSummaryMetadata(bytes);
  } catch {
    throw invalidArg(ctx, "Could not parse serialized_summary_metadata");
  }
}

function tensorSummaryV2(ctx: KernelContext): NDArray[] {
  const tag = input(ctx, 0);
  const tensor = input(ctx, 1);
  const metadata = input(ctx, 2);
  if (tag.rank !== 0) throw invalidArg(ctx, "tag must be scalar");
  const meta = parseMetadata(ctx, (metadata.data as Uint8Array[])[0] ?? new Uint8Array(0));
  return summaryOutput(encodeSummary({ value: [{ tag: stringAt(tag, 0), metadata: meta, tensor }] }));
}

function mergeSummary(ctx: KernelContext): NDArray[] {
  const seen = new Set<string>();
  const merged: SummaryValueWire[] = [];
  for (const t of ctx.inputs) {
    for (const bytes of t.data as Uint8Array[]) {
      let values: SummaryValueWire[];
      try {
        values = decodeSummaryValues(bytes);
        values.forEach(summaryValueFromWire);
      } catch {
        throw invalidArg(ctx, "Could not parse one of the summary inputs");
      }
      for (const v of values) {
        const tagName = v.tag ?? "";
        // TensorSummary values may share an empty tag; only named ones must be unique.
        if (tagName !== "" && seen.has(tagName)) throw invalidArg(ctx, `Duplicate tag ${tagName} found in summary inputs`);
        seen.add(tagName);
        merged.push(v);
      }
    }
  }
  return summaryOutput(encodeSummaryValues(merged));
}

registerKernel("ScalarSummary", scalarSummary, { deviceTypes: ["CPU"] });
registerKernel("HistogramSummary", histogramSummary, { deviceTypes: ["CPU"] });
registerKernel("TensorSummaryV2", tensorSummaryV2, { deviceTypes: ["CPU"] });
registerKernel("MergeSummary", mergeSummary, { deviceTypes: ["CPU"] });
