/**
 * decode_csv's field splitting (TF's DecodeCSVOp::ExtractFields), byte for byte:
 * - an empty record has no fields; "\n" and "\r" at the start of a field are skipped;
 * - an unquoted field runs to the next delimiter and may not hold a quote (when quotes delimit),
 *   "\n" or "\r";
 * - a quoted field ends at a quote followed by the delimiter or the end; "" inside is one quote;
 * - a record whose last byte is the delimiter gets one more, empty, field;
 * - with `selectCols`, only those columns are kept and splitting stops after the last of them.
 */
import { InvalidArgumentError } from "../../errors/index.js";

export interface CsvSplitOptions {
  /** The delimiter byte. */
  delim: number;
  useQuoteDelim: boolean;
  /** Strictly increasing column indices; empty keeps every column. */
  selectCols: readonly number[];
}

const QUOTE = 0x22;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

class FieldBuilder {
  private readonly bytes: number[] = [];
  constructor(private readonly keep: boolean) {}
  push(b: number): void {
    if (this.keep) this.bytes.push(b);
  }
  build(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** Reads an unquoted field from `start`; returns the index after its delimiter. */
function unquotedField(input: Uint8Array, start: number, field: FieldBuilder, options: CsvSplitOptions): number {
  let i = start;
  while (i < input.length && input[i] !== options.delim) {
    const c = input[i]!;
    if ((options.useQuoteDelim && c === QUOTE) || c === NEWLINE || c === CARRIAGE_RETURN) {
      throw new InvalidArgumentError("Unquoted fields cannot have quotes/CRLFs inside");
    }
    field.push(c);
    i++;
  }
  return i + 1;
}

/** Reads a quoted field whose opening quote is before `start`; returns the index after quote + delimiter. */
function quotedField(input: Uint8Array, start: number, field: FieldBuilder, delim: number): number {
  let i = start;
  while (i < input.length - 1 && (input[i] !== QUOTE || input[i + 1] !== delim)) {
    if (input[i] !== QUOTE) {
      field.push(input[i]!);
      i++;
    } else {
      if (input[i + 1] !== QUOTE) throw new InvalidArgumentError("Quote inside a string has to be escaped by another quote");
      field.push(QUOTE);
      i += 2;
    }
  }
  if (!(i < input.length && input[i] === QUOTE && (i === input.length - 1 || input[i + 1] === delim))) {
    throw new InvalidArgumentError("Quoted field has to end with quote followed by delim or end");
  }
  return i + 2;
}

/** The fields of one record (only the selected ones when `selectCols` is not empty). */
export function extractFields(input: Uint8Array, options: CsvSplitOptions): Uint8Array[] {
  const result: Uint8Array[] = [];
  if (input.length === 0) return result;
  const selectAll = options.selectCols.length === 0;
  let index = 0;
  let parsed = 0;
  let selector = 0;
  while (index < input.length) {
    if (input[index] === NEWLINE || input[index] === CARRIAGE_RETURN) {
      index++;
      continue;
    }
    const include = selectAll || options.selectCols[selector] === parsed;
    const field = new FieldBuilder(include);
    if (options.useQuoteDelim && input[index] === QUOTE) index = quotedField(input, index + 1, field, options.delim);
    else index = unquotedField(input, index, field, options);
    parsed++;
    if (include) {
      result.push(field.build());
      selector++;
      if (!selectAll && selector === options.selectCols.length) return result;
    }
  }
  const include = selectAll || options.selectCols[selector] === parsed;
  if (include && input[input.length - 1] === options.delim) result.push(new Uint8Array(0));
  return result;
}
