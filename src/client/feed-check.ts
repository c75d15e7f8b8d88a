/**
 * A fed value's strings against a numeric placeholder: "3" converts (as numpy would), "abc" is an
 * InvalidArgumentError naming the tensor, instead of becoming NaN silently.
 */
import { InvalidArgumentError } from "../errors/index.js";
import type { DType } from "../tensor/dtypes.js";

const NUMERIC: ReadonlySet<DType> = new Set<DType>(["float32", "float64", "int32", "int64", "uint8", "bool"]);

function isNumberText(s: string): boolean {
  const t = s.trim().toLowerCase();
  return t !== "" && (!Number.isNaN(Number(t)) || t === "nan" || t === "inf" || t === "-inf");
}

/** Throws when `value` holds a string that is not a number and `dtype` is numeric. */
export function checkFeedStrings(tensorName: string, dtype: DType, value: unknown): void {
  if (!NUMERIC.has(dtype)) return;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "string") {
      if (!isNumberText(v)) {
        throw new InvalidArgumentError(`Cannot feed the string '${v.slice(0, 40)}' to Tensor '${tensorName}' of dtype ${dtype}: it is not a number`);
      }
    } else if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
    }
  }
}
