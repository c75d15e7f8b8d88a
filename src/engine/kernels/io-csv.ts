/**
 * DecodeCSV (decode_csv_op.cc): one output per record default, each shaped like `records`, typed
 * like its default. A default of one element makes the column optional (used when the field is
 * empty or equals na_value), an empty default makes it required. Texts as TF's.
 */
import { InvalidArgumentError } from "../../errors/index.js";
import type { DType } from "../../tensor/dtypes.js";
import { DATA_TYPE_NUMBER } from "../../tensor/dtypes.js";
import { allocData, NDArray } from "../../tensor/ndarray.js";
import type { NDData } from "../../tensor/ndarray.js";
import { extractFields } from "../io/csv.js";
import type { CsvSplitOptions } from "../io/csv.js";
import { parseFloat32, parseFloat64, parseInt32, parseInt64 } from "../io/numbers.js";
import { kernelFailure } from "./kernel-utils.js";
import { registerKernel } from "./registry.js";
import type { KernelContext } from "./registry.js";

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

const PARSERS: Partial<Record<DType, { name: string; parse: (b: Uint8Array) => number | bigint | null }>> = {
  int32: { name: "int32", parse: parseInt32 },
  int64: { name: "int64", parse: parseInt64 },
  float32: { name: "float", parse: parseFloat32 },
  float64: { name: "double", parse: parseFloat64 },
};

interface CsvConfig extends CsvSplitOptions {
  outTypes: DType[];
  naValue: Uint8Array;
}

/** The op's attrs, checked as TF's kernel constructor checks them. */
function config(ctx: KernelContext): CsvConfig {
  const outTypes = ctx.attrs.list("OUT_TYPE").type ?? [];
  const selectCols = ctx.attrs.list("select_cols").i ?? [];
  if (selectCols.length !== 0 && selectCols.length !== outTypes.length) throw new InvalidArgumentError("select_cols should match output size");
  for (let i = 1; i < selectCols.length; i++) {
    if (selectCols[i - 1]! >= selectCols[i]!) throw new InvalidArgumentError("select_cols should be strictly increasing indices");
  }
  if (selectCols.length > 0 && selectCols[0]! < 0) throw new InvalidArgumentError("select_cols should be non-negative indices");
  const delim = utf8.encode(ctx.attrs.s("field_delim", ","));
  if (delim.length !== 1) throw new InvalidArgumentError("field_delim should be only 1 char");
  return {
    outTypes,
    selectCols,
    delim: delim[0]!,
    useQuoteDelim: ctx.attrs.b("use_quote_delim", true),
    naValue: utf8.encode(ctx.attrs.s("na_value", "")),
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function checkDefaults(defaults: NDArray[], outTypes: DType[]): void {
  if (defaults.length !== outTypes.length) {
    throw new InvalidArgumentError(`Expected ${outTypes.length} record defaults, got ${defaults.length}`);
  }
  defaults.forEach((d, i) => {
    if (d.rank > 1) throw new InvalidArgumentError("Each record default should be at most rank 1");
    if (d.size > 1) throw new InvalidArgumentError(`There should only be 1 default per field but field ${i} has ${d.size}`);
  });
}

/** Writes field f of record i into `out`. */
function decodeField(cfg: CsvConfig, field: Uint8Array, fallback: NDArray, out: NDData, f: number, i: number): void {
  const dtype = cfg.outTypes[f]!;
  const setAt = (v: unknown): void => {
    (out as unknown as unknown[])[i] = v;
  };
  if (field.length === 0 || sameBytes(field, cfg.naValue)) {
    if (fallback.size !== 1) throw new InvalidArgumentError(`Field ${f} is required but missing in record ${i}!`);
    setAt((fallback.data as unknown as unknown[])[0]);
    return;
  }
  if (dtype === "string") {
    setAt(field);
    return;
  }
  const parser = PARSERS[dtype];
  if (!parser) throw new InvalidArgumentError(`csv: data type ${DATA_TYPE_NUMBER[dtype]} not supported in field ${f}`);
  const value = parser.parse(field);
  if (value === null) throw new InvalidArgumentError(`Field ${f} in record ${i} is not a valid ${parser.name}: ${utf8d.decode(field)}`);
  setAt(value);
}

function decodeCsv(ctx: KernelContext): NDArray[] {
  const cfg = config(ctx);
  const records = ctx.inputs[0]!;
  if (records.dtype !== "string") throw new InvalidArgumentError(`records must be strings, got ${records.dtype}`);
  const defaults = ctx.inputs.slice(1);
  checkDefaults(defaults, cfg.outTypes);
  cfg.outTypes.forEach((dtype, f) => {
    if (defaults[f]!.dtype !== dtype) throw new InvalidArgumentError(`record_defaults[${f}] is ${defaults[f]!.dtype}, expected ${dtype}`);
  });
  const outputs = cfg.outTypes.map((dtype) => allocData(dtype, records.size));
  const data = records.data as Uint8Array[];
  for (let i = 0; i < data.length; i++) {
    const fields = extractFields(data[i]!, cfg);
    if (fields.length !== cfg.outTypes.length) {
      throw new InvalidArgumentError(`Expect ${cfg.outTypes.length} fields but have ${fields.length} in record ${i}`);
    }
    for (let f = 0; f < fields.length; f++) decodeField(cfg, fields[f]!, defaults[f]!, outputs[f]!, f, i);
  }
  return cfg.outTypes.map((dtype, f) => new NDArray(dtype, [...records.shape], outputs[f]!));
}

registerKernel(
  "DecodeCSV",
  (ctx) => {
    try {
      return decodeCsv(ctx);
    } catch (err) {
      throw kernelFailure(err, ctx);
    }
  },
  { deviceTypes: ["CPU"] },
);
