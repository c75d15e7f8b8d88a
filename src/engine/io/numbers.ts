/**
 * TF1's number parsing for decode_csv (core/lib/strings/numbers.cc):
 * - safe_strto32/64: surrounding whitespace allowed, only a "-" sign, digits only, overflow fails;
 * - safe_strtof/strtod: double-conversion with leading/trailing spaces, hex integers and
 *   case-insensitive "inf"/"nan"; trailing junk fails, overflow gives ±inf; a text of 32 or
 *   more characters fails (kFastToBufferSize), and a text of spaces only reads as 0.
 * Each function returns null where TF's returns false.
 */
const latin1 = new TextDecoder("latin1");

/** C's isspace in the "C" locale. */
const SPACE = "[ \\t\\n\\v\\f\\r]";
const INTEGER = new RegExp(`^${SPACE}*(-?)([0-9]+)${SPACE}*$`);
const FLOAT = new RegExp(
  `^${SPACE}*([+-]?)(?:(inf)|(nan)|0x([0-9a-f]+)|([0-9]+\\.?[0-9]*(?:e[+-]?[0-9]+)?|\\.[0-9]+(?:e[+-]?[0-9]+)?))${SPACE}*$`,
  "i",
);
const ONLY_SPACES = new RegExp(`^${SPACE}+$`);
/** TF's kFastToBufferSize: longer texts never parse as floats. */
const FLOAT_TEXT_MAX = 32;

const INT32_MAX = 2147483647n;
const INT64_MAX = 9223372036854775807n;

function asText(bytes: Uint8Array | string): string {
  return typeof bytes === "string" ? bytes : latin1.decode(bytes);
}

function parseInteger(bytes: Uint8Array | string, max: bigint): bigint | null {
  const m = INTEGER.exec(asText(bytes));
  if (!m) return null;
  const negative = m[1] === "-";
  const magnitude = BigInt(m[2]!);
  // The negative range reaches one further (INT_MIN).
  if (magnitude > (negative ? max + 1n : max)) return null;
  return negative ? -magnitude : magnitude;
}

export function parseInt32(bytes: Uint8Array | string): number | null {
  const v = parseInteger(bytes, INT32_MAX);
  return v === null ? null : Number(v);
}

export function parseInt64(bytes: Uint8Array | string): bigint | null {
  return parseInteger(bytes, INT64_MAX);
}

/** safe_strtod. */
export function parseFloat64(bytes: Uint8Array | string): number | null {
  const text = asText(bytes);
  if (text.length === 0 || text.length >= FLOAT_TEXT_MAX) return null;
  if (ONLY_SPACES.test(text)) return 0;
  const m = FLOAT.exec(text);
  if (!m) return null;
  const sign = m[1] === "-" ? -1 : 1;
  if (m[2] !== undefined) return sign * Infinity;
  if (m[3] !== undefined) return NaN;
  if (m[4] !== undefined) return sign * Number(`0x${m[4]}`);
  return sign * Number(m[5]);
}

/** safe_strtof: as safe_strtod, rounded to float32 (overflow becomes ±inf). */
export function parseFloat32(bytes: Uint8Array | string): number | null {
  const v = parseFloat64(bytes);
  return v === null ? null : Math.fround(v);
}
