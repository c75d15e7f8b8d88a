/**
 * Deep copies of host values, for the one place values cross by reference (the inproc transport
 * and private sessions): a client's fed array or fetched result must never be the storage of a
 * variable or queue element, or mutating it would change the cluster's state on inproc only.
 */
import { NDArray } from "./ndarray.js";
import type { NDData } from "./ndarray.js";

function copyData(data: NDData): NDData {
  if (!Array.isArray(data)) return data.slice();
  // Strings are Uint8Array[] (each copied); resource handles are immutable records.
  return data.map((x) => (x instanceof Uint8Array ? x.slice() : x)) as NDData;
}

/** An NDArray with its own storage (shape and values equal to `a`'s). */
export function copyNDArray(a: NDArray): NDArray {
  return new NDArray(a.dtype, [...a.shape], copyData(a.data));
}
