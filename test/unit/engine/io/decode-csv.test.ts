/**
 * DecodeCSV through its builder and kernel: the cases of tf-input-pipeline.md §4.5 (TF's
 * decode_csv_op_test.py), plus the kernel's attr checks.
 */
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../../../src/errors/index.js";
import { decodeCsv } from "../../../../src/graph/ops/io.js";
import type { DecodeCsvOptions } from "../../../../src/graph/ops/io.js";
import type { TensorLike } from "../../../../src/graph/convert.js";
import { Graph } from "../../../../src/graph/graph.js";
import { ndarray } from "../../../../src/tensor/ndarray.js";
import type { NestedArray } from "../../../../src/tensor/ndarray.js";
import { errorOf, MiniSession } from "./io-harness.js";

async function decode(records: TensorLike, defaults: TensorLike[], options: DecodeCsvOptions = {}): Promise<NestedArray[]> {
  const g = new Graph();
  const outs = g.asDefault(() => decodeCsv(records, defaults, options));
  const sess = new MiniSession();
  const values = await sess.run(outs[0]!);
  return values.map((v) => v.toArray());
}

async function failure(records: TensorLike, defaults: TensorLike[], options: DecodeCsvOptions = {}): Promise<Error> {
  return errorOf(decode(records, defaults, options));
}

const i32 = (...v: number[]): Int32Array => Int32Array.from(v);
const f64 = (...v: number[]): Float64Array => Float64Array.from(v);

describe("decodeCsv: TF's cases", () => {
  it("one int column, quoted value", async () => {
    expect(await decode(["1", "2", '"3"'], [i32(1)])).toEqual([[1, 2, 3]]);
  });

  it("two int columns", async () => {
    expect(await decode(["1,4", "2,5", "3,6"], [i32(1), i32(2)])).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  it("a scalar record gives scalars; an empty quoted field takes the default", async () => {
    expect(await decode('1,""', [i32(3), i32(4)])).toEqual([1, 4]);
  });

  it("a 2-D batch keeps its shape", async () => {
    expect(await decode([["1", "2"], ['""', "4"]], [i32(5)])).toEqual([[[1, 2], [5, 4]]]);
  });

  it("mixed float, int and string columns", async () => {
    const [a, b, c] = await decode(["1.0,4,aa", "0.2,5,bb", "3,6,cc"], [[1.0], i32(1), ["aa"]]);
    expect((a as number[]).map((x) => Math.fround(x))).toEqual([1, Math.fround(0.2), 3]);
    expect(b).toEqual([4, 5, 6]);
    expect(c).toEqual(["aa", "bb", "cc"]);
  });

  it("na_value counts as missing in every column type", async () => {
    const [a, b, c] = await decode(["2.0,NA,aa", "NA,5,bb", "3,6,NA"], [[0.0], i32(0), [""]], { naValue: "NA" });
    expect(a).toEqual([2, 0, 3]);
    expect(b).toEqual([0, 5, 6]);
    expect(c).toEqual(["aa", "bb", ""]);
  });

  it("defaults fill empty fields, a trailing delimiter adds one", async () => {
    const [a, b, c] = await decode([",1,", "0.2,3,bcd", "3.0,,"], [[1.0], i32(0), ["a"]]);
    expect((a as number[]).map(Math.fround)).toEqual([1, Math.fround(0.2), 3]);
    expect(b).toEqual([1, 3, 0]);
    expect(c).toEqual(["a", "bcd", "a"]);
  });

  it("without quote delimiting a lone quote is a value", async () => {
    const [, , c] = await decode([",1,", "0.2,3,bcd", '3.0,,"'], [[1.0], i32(0), ["a"]], { useQuoteDelim: false });
    expect(c).toEqual(["a", "bcd", '"']);
  });

  it("a tab delimiter", async () => {
    const [a, b] = await decode(["1\t1", "0.2\t3", "3.0\t"], [[1.0], i32(0)], { fieldDelim: "\t" });
    expect((a as number[]).map(Math.fround)).toEqual([1, Math.fround(0.2), 3]);
    expect(b).toEqual([1, 3, 0]);
  });

  it("float64 keeps full precision, int64 goes past int32", async () => {
    expect(await decode(["1.0", "-1.79e+308", '"1.79e+308"'], [f64(0)])).toEqual([[1, -1.79e308, 1.79e308]]);
    expect(await decode('"2147483648"', [BigInt64Array.of(0n)])).toEqual([2147483648n]);
  });

  it("bare scalar defaults are accepted", async () => {
    expect(await decode(["1,2"], [ndarray(0, { dtype: "int32" }), ndarray(0, { dtype: "int32" })])).toEqual([[1], [2]]);
  });
});

describe("decodeCsv: TF's errors", () => {
  it("a required field that is missing", async () => {
    const err = await failure([",1", "0.2,3", "3.0,"], [[1.0], new Int32Array(0)]);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.message).toBe("Field 1 is required but missing in record 2!");
    expect((err as InvalidArgumentError).nodeName).toBe("DecodeCSV");
  });

  it("bad ints, int overflow and bad floats name field and record", async () => {
    expect((await failure(["1.0,1", "0.2,234a"], [[1.0], i32(0)])).message).toBe("Field 1 in record 1 is not a valid int32: 234a");
    expect((await failure(["1", "9999999999999999999999999"], [i32(0)])).message).toBe(
      "Field 0 in record 1 is not a valid int32: 9999999999999999999999999",
    );
    expect((await failure(["1,1", "2,2", "3.0adf,3"], [[1.0], i32(0)])).message).toBe("Field 0 in record 2 is not a valid float: 3.0adf");
    expect((await failure(["x"], [f64(0)])).message).toBe("Field 0 in record 0 is not a valid double: x");
  });

  it("quote and field-count errors", async () => {
    expect((await failure(['"1,a,"', "0.22", 'a"bc'], [["a"]])).message).toBe("Unquoted fields cannot have quotes/CRLFs inside");
    expect((await failure([",1"], [i32(0)])).message).toBe("Expect 1 fields but have 2 in record 0");
    expect((await failure([""], [i32(0)])).message).toBe("Expect 1 fields but have 0 in record 0");
    expect((await failure(['"'], [["a"]])).message).toBe("Quoted field has to end with quote followed by delim or end");
  });

  it("more than one default per field", async () => {
    expect((await failure(["1"], [i32(1, 2)])).message).toBe("There should only be 1 default per field but field 0 has 2");
  });

  it("field_delim must be one byte", async () => {
    expect((await failure(["1"], [i32(1)], { fieldDelim: ",," })).message).toBe("field_delim should be only 1 char");
  });
});

describe("decodeCsv: select_cols", () => {
  it("keeps the chosen columns", async () => {
    expect(await decode([",,", "4,5,6"], [i32(1), i32(2)], { selectCols: [0, 1] })).toEqual([[1, 4], [2, 5]]);
    expect(await decode([",,", "4,5,6"], [i32(0), i32(1), i32(2)], { selectCols: [0, 1, 2] })).toEqual([[0, 4], [1, 5], [2, 6]]);
  });

  it("an index past the record is a field-count error", async () => {
    expect((await failure([",,", "4,5,6"], [i32(0), i32(1), i32(2)], { selectCols: [0, 1, 3] })).message).toBe(
      "Expect 3 fields but have 2 in record 0",
    );
    expect((await failure(["1,2,3"], [i32(0), i32(1)], { selectCols: [0, 3] })).message).toBe("Expect 2 fields but have 1 in record 0");
  });
});
