/**
 * decode_csv's building blocks: ExtractFields (§4.2, §4.4) and TF1's number parsing (§4.3).
 * The whole op, through its kernel, is in decode-csv.test.ts.
 */
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../../../src/errors/index.js";
import { extractFields } from "../../../../src/engine/io/csv.js";
import type { CsvSplitOptions } from "../../../../src/engine/io/csv.js";
import { parseFloat32, parseFloat64, parseInt32, parseInt64 } from "../../../../src/engine/io/numbers.js";

const enc = new TextEncoder();
const dec = new TextDecoder();
const COMMA: CsvSplitOptions = { delim: 0x2c, useQuoteDelim: true, selectCols: [] };

function split(record: string, options: Partial<CsvSplitOptions> = {}): string[] {
  return extractFields(enc.encode(record), { ...COMMA, ...options }).map((f) => dec.decode(f));
}

describe("extractFields", () => {
  it.each([
    ["", []],
    ["a", ["a"]],
    ["a,", ["a", ""]],
    [",", ["", ""]],
    [",,", ["", "", ""]],
    ['"ab , c"', ["ab , c"]],
    ['"a\nbc"', ["a\nbc"]],
    ['"ab""c"', ['ab"c']],
    ['""', [""]],
    ['"1,a,"', ["1,a,"]],
    [" abc ", [" abc "]],
    ["\n\r1,2", ["1", "2"]],
    ['"a",', ["a", ""]],
  ])("%j → %j", (record, fields) => {
    expect(split(record)).toEqual(fields);
  });

  it.each([
    ['a"bc', "Unquoted fields cannot have quotes/CRLFs inside"],
    ["1,2\n", "Unquoted fields cannot have quotes/CRLFs inside"],
    ["1\r2", "Unquoted fields cannot have quotes/CRLFs inside"],
    ['"a"b"', "Quote inside a string has to be escaped by another quote"],
    ['"', "Quoted field has to end with quote followed by delim or end"],
    ['"abc', "Quoted field has to end with quote followed by delim or end"],
  ])("%j fails: %s", (record, message) => {
    expect(() => split(record)).toThrow(InvalidArgumentError);
    expect(() => split(record)).toThrow(message);
  });

  it("without quote delimiting, quotes are ordinary characters (CR/LF still are not)", () => {
    expect(split('"3"', { useQuoteDelim: false })).toEqual(['"3"']);
    expect(split('""', { useQuoteDelim: false })).toEqual(['""']);
    expect(split('3.0,,"', { useQuoteDelim: false })).toEqual(["3.0", "", '"']);
    expect(() => split("a\nb", { useQuoteDelim: false })).toThrow("Unquoted fields cannot have quotes/CRLFs inside");
  });

  it("another delimiter byte", () => {
    expect(split("1\t1", { delim: 0x09 })).toEqual(["1", "1"]);
    expect(split("3.0\t", { delim: 0x09 })).toEqual(["3.0", ""]);
  });

  it("select_cols keeps the chosen columns and stops after the last", () => {
    expect(split("4,5,6", { selectCols: [0, 1] })).toEqual(["4", "5"]);
    expect(split(",,", { selectCols: [0, 1] })).toEqual(["", ""]);
    expect(split("1,2,3", { selectCols: [1] })).toEqual(["2"]);
    expect(split('a,"bad"x,c', { selectCols: [0] })).toEqual(["a"]);
    expect(split("4,5", { selectCols: [0, 1, 3] })).toEqual(["4", "5"]);
    expect(split("1,2,3", { selectCols: [0, 3] })).toEqual(["1"]);
    expect(split("1,", { selectCols: [1] })).toEqual([""]);
  });
});

describe("integers (safe_strto32/64, TF1)", () => {
  it("accepts surrounding whitespace and a minus sign, nothing else", () => {
    expect(parseInt32("42")).toBe(42);
    expect(parseInt32(" 7 \t")).toBe(7);
    expect(parseInt32("-0")).toBe(0);
    expect(parseInt32("-2147483648")).toBe(-2147483648);
    expect(parseInt32("2147483647")).toBe(2147483647);
    for (const bad of ["+1", "1.0", "1e3", "234a", "", " ", "- 1", "0x10", "2147483648", "-2147483649", "9999999999999999999999999"]) {
      expect(parseInt32(bad)).toBeNull();
    }
  });

  it("int64 covers the whole range exactly", () => {
    expect(parseInt64("2147483648")).toBe(2147483648n);
    expect(parseInt64("9223372036854775807")).toBe(9223372036854775807n);
    expect(parseInt64("-9223372036854775808")).toBe(-9223372036854775808n);
    expect(parseInt64("9223372036854775808")).toBeNull();
  });
});

describe("floats (double-conversion with TF's flags)", () => {
  it("accepts decimals, exponents, spaces, hex integers, inf and nan in any case", () => {
    expect(parseFloat64("1.0")).toBe(1);
    expect(parseFloat64("-1.79e+308")).toBe(-1.79e308);
    expect(parseFloat64(" 2.5 ")).toBe(2.5);
    expect(parseFloat64("INF")).toBe(Infinity);
    expect(parseFloat64("-inf")).toBe(-Infinity);
    expect(parseFloat64("nan")).toBeNaN();
    expect(parseFloat64("NaN")).toBeNaN();
    expect(parseFloat64("0x1A")).toBe(26);
    expect(parseFloat64("-0X1a")).toBe(-26);
    expect(parseFloat64("+1.5")).toBe(1.5);
    expect(parseFloat64(".5")).toBe(0.5);
    expect(parseFloat64("5.")).toBe(5);
    expect(parseFloat64("1e400")).toBe(Infinity);
    expect(parseFloat64("  ")).toBe(0);
  });

  it("rejects trailing junk, bare signs, hex floats and texts of 32 characters or more", () => {
    for (const bad of ["3.0adf", "", ".", "e5", "1e", "infinity", "- 1", "0x", "0x1.8p1", "1,5", "1.0".padEnd(32, "0")]) {
      expect(parseFloat64(bad)).toBeNull();
    }
    expect(parseFloat64("1.0".padEnd(31, "0"))).toBe(1);
  });

  it("float32 rounds, and overflows to infinity rather than failing", () => {
    expect(parseFloat32("0.1")).toBe(Math.fround(0.1));
    expect(parseFloat32("1e39")).toBe(Infinity);
    expect(parseFloat32("3.0adf")).toBeNull();
  });
});
