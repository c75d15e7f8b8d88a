import { expect, it } from "vitest";
import { appendAll, maxOf } from "../../../src/util/arrays.js";

it("appendAll and maxOf take arrays far past V8's argument limit", () => {
  const big = Array.from({ length: 300_000 }, (_, i) => i);
  expect(() => [].push(...(big as never[]))).toThrow(RangeError);
  const dst = [-1];
  appendAll(dst, big);
  expect(dst.length).toBe(300_001);
  expect(dst[300_000]).toBe(299_999);
  expect(maxOf(big)).toBe(299_999);
  expect(maxOf([], 0)).toBe(0);
  expect(maxOf([-5, -7])).toBe(-5);
});
