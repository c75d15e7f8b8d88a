/**
 * decodeCsv (DecodeCSV), readFile (ReadFile) and matchingFiles (MatchingFiles), as TF's
 * parsing_ops.py and io_ops.py build them. Mistakes visible at build time throw at once.
 */
import type { DType } from "../../tensor/dtypes.js";
import { convertToTensor, makeOp, makeTensorOp } from "../convert.js";
import type { NameOption, TensorLike } from "../convert.js";
import type { Tensor } from "../tensor.js";
import { opNamer } from "./builder-utils.js";

export interface DecodeCsvOptions extends NameOption {
  /** One character; "," by default. */
  fieldDelim?: string;
  /** Whether double quotes delimit fields (true by default). */
  useQuoteDelim?: boolean;
  /** A field equal to this (after unquoting) counts as missing; "" by default. */
  naValue?: string;
  /** The columns to keep, strictly increasing; all when absent. */
  selectCols?: number[];
}

const CSV_TYPES: readonly DType[] = ["float32", "float64", "int32", "int64", "string"];

/** parsing_ops.decode_csv's ValueErrors for select_cols. */
function checkSelectCols(selectCols: number[] | undefined, defaults: number): void {
  if (selectCols === undefined) return;
  for (let i = 0; i + 1 < selectCols.length; i++) {
    if (selectCols[i]! >= selectCols[i + 1]!) throw new RangeError("select_cols is not strictly increasing.");
  }
  if (selectCols.length > 0 && selectCols[0]! < 0) throw new RangeError("select_cols contains negative values.");
  if (selectCols.length !== defaults) throw new RangeError("Length of select_cols and record_defaults do not match.");
}

/**
 * Parses CSV records into one tensor per column, each shaped like `records`. Each default sets its
 * column's dtype (float32, float64, int32, int64 or string) and holds one value, used for an empty
 * or NA field, or none (an empty tensor) to make the field required. A JS number is float32: give
 * an int column as `Int32Array.of(-1)` or `tf.constant([-1], {dtype: "int32"})`.
 * @example const [x1, x2, target] = tf.decodeCsv(line, [[-1.0], [-1.0], Int32Array.of(-1)]);
 */
export function decodeCsv(records: TensorLike, recordDefaults: TensorLike[], options: DecodeCsvOptions = {}): Tensor[] {
  checkSelectCols(options.selectCols, recordDefaults.length);
  const namer = opNamer([records, ...recordDefaults], "DecodeCSV", options.name);
  const [recordsT, defaults] = namer.inside(() => {
    const r = convertToTensor(records, "string", "records");
    return [r, recordDefaults.map((d, i) => convertToTensor(d, undefined, i === 0 ? "record_defaults" : `record_defaults_${i}`))] as const;
  });
  for (const d of defaults) {
    if (!CSV_TYPES.includes(d.dtype)) {
      throw new TypeError(`Value passed to parameter 'record_defaults' has DataType ${d.dtype} not in list of allowed values: ${CSV_TYPES.join(", ")}`);
    }
    if (d.shape !== null && d.shape.length > 1) {
      throw new RangeError(`Shape must be at most rank 1 but is rank ${d.shape.length} for '${namer.fullName}' (op: 'DecodeCSV')`);
    }
  }
  const outTypes = defaults.map((d) => d.dtype);
  const shape = recordsT.shape === null ? null : [...recordsT.shape];
  const op = makeOp(
    "DecodeCSV",
    [recordsT, ...defaults],
    {
      OUT_TYPE: { list: { type: outTypes } },
      field_delim: { s: options.fieldDelim ?? "," },
      use_quote_delim: { b: options.useQuoteDelim ?? true },
      na_value: { s: options.naValue ?? "" },
      select_cols: { list: { i: options.selectCols ?? [] } },
    },
    outTypes.map((dtype) => ({ dtype, shape: shape === null ? null : [...shape] })),
    { name: namer.name },
  );
  return op.outputs;
}

/** The contents of a file (ReadFile), a string scalar, read on the task the op runs on. */
export function readFile(filename: TensorLike, options: NameOption = {}): Tensor {
  const namer = opNamer([filename], "ReadFile", options.name);
  const f = namer.inside(() => convertToTensor(filename, "string", "filename"));
  return makeTensorOp("ReadFile", [f], {}, "string", [], { name: namer.name });
}

/** The sorted paths matching a glob pattern, or a vector of them (MatchingFiles): a string vector. */
export function matchingFiles(pattern: TensorLike, options: NameOption = {}): Tensor {
  const namer = opNamer([pattern], "MatchingFiles", options.name);
  const p = namer.inside(() => convertToTensor(pattern, "string", "pattern"));
  return makeTensorOp("MatchingFiles", [p], {}, "string", [null], { name: namer.name });
}
