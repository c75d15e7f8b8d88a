/**
 * Array helpers for data-sized inputs. `dst.push(...src)` and `Math.max(...xs)` pass every
 * element as a call argument and throw RangeError past about 10^5 of them (V8's argument
 * limit), after part of the work is done: a 250 000-element batch put back that way is lost.
 */

/** Appends every element of `src` to `dst`, in order, whatever its length. */
export function appendAll<T>(dst: T[], src: Iterable<T>): T[] {
  for (const x of src) dst.push(x);
  return dst;
}

/** The largest of `xs`, or `empty` when there are none. */
export function maxOf(xs: Iterable<number>, empty = -Infinity): number {
  let best = empty;
  let first = true;
  for (const x of xs) {
    if (first || x > best) best = x;
    first = false;
  }
  return best;
}
