/**
 * Helpers for the queue resource tests: a manual clock, value builders, and a probe that shows
 * whether a queue operation's Promise has settled yet (and how).
 */
import { expect } from "vitest";
import type { OpError } from "../../../../src/errors/index.js";
import type { DType } from "../../../../src/tensor/dtypes.js";
import { NDArray, ndarray } from "../../../../src/tensor/ndarray.js";
import type { NestedArray } from "../../../../src/tensor/ndarray.js";
import type { Clock } from "../../../../src/util/env.js";

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  now = 0;
  nowMs(): number {
    return this.now;
  }
  nowMicros(): number {
    return this.now * 1000;
  }
  setTimer(): () => void {
    return () => undefined;
  }
  advance(ms: number): void {
    this.now += ms;
  }
}

export const f32 = (v: unknown): NDArray => ndarray(v, { dtype: "float32" });
export const i32 = (v: unknown): NDArray => ndarray(v, { dtype: "int32" });
export const i64 = (v: unknown): NDArray => ndarray(v, { dtype: "int64" });
export const str = (v: unknown): NDArray => ndarray(v, { dtype: "string" });
export const val = (v: unknown, dtype: DType): NDArray => ndarray(v, { dtype });

/** Lets every pending Promise reaction run (all microtasks, then one macrotask turn). */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export type Probe<T> =
  | { state: "pending" }
  | { state: "fulfilled"; value: T }
  | { state: "rejected"; error: OpError };

/** Watches a Promise: `probe.current` says whether it settled, after a `tick()`. */
export function watch<T>(p: Promise<T>): { readonly current: Probe<T>; promise: Promise<T> } {
  const box: { current: Probe<T>; promise: Promise<T> } = { current: { state: "pending" }, promise: p };
  p.then(
    (value) => (box.current = { state: "fulfilled", value }),
    (error: OpError) => (box.current = { state: "rejected", error }),
  );
  return box;
}

/** The values of a dequeued tuple as nested JS arrays. */
export function values(tuple: NDArray[]): NestedArray[] {
  return tuple.map((t) => t.toArray());
}

/** Expects `p` to reject with an error of class `cls` whose message is exactly (or matches) `message`. */
export async function expectError(p: Promise<unknown>, cls: abstract new (...args: never[]) => Error, message: string | RegExp): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, "expected a rejection").toBeInstanceOf(cls);
  if (typeof message === "string") expect((err as Error).message).toBe(message);
  else expect((err as Error).message).toMatch(message);
}
