/** The per-session step cache: an LRU of STEP_CACHE_MAX signatures that never evicts one in use. */
import { describe, expect, it } from "vitest";
import { STEP_CACHE_MAX, StepCache } from "../../../../src/engine/master/step-cache.js";

describe("StepCache", () => {
  it("keeps at most `max` entries, evicting the least recently used", async () => {
    const evicted: number[] = [];
    const cache = new StepCache<number>((p) => void p.then((v) => evicted.push(v)), 3);
    for (const k of [1, 2, 3]) cache.acquire(String(k), () => Promise.resolve(k)).release();
    cache.acquire("1", () => Promise.resolve(-1)).release(); // 1 is now the most recent
    cache.acquire("4", () => Promise.resolve(4)).release();
    await Promise.resolve();
    expect(cache.size).toBe(3);
    expect(evicted).toEqual([2]);
    expect(await cache.acquire("1", () => Promise.resolve(-1)).value).toBe(1);
  });

  it("never evicts an entry a run still holds; it goes once released", async () => {
    const evicted: string[] = [];
    const cache = new StepCache<string>((p) => void p.then((v) => evicted.push(v)), 1);
    const held = cache.acquire("a", () => Promise.resolve("a"));
    cache.acquire("b", () => Promise.resolve("b")).release();
    await Promise.resolve();
    expect(evicted).toEqual(["b"]);
    held.release();
    cache.acquire("c", () => Promise.resolve("c")).release();
    await Promise.resolve();
    expect(evicted).toEqual(["b", "a"]);
    expect(cache.size).toBe(1);
  });

  it("drops a signature whose reification failed, so the next run retries it", async () => {
    const cache = new StepCache<number>(() => {});
    const failed = cache.acquire("x", () => Promise.reject(new Error("no such node")));
    await expect(failed.value).rejects.toThrow("no such node");
    failed.release();
    expect(cache.size).toBe(0);
    expect(await cache.acquire("x", () => Promise.resolve(5)).value).toBe(5);
  });

  it("the documented bound is 64", () => {
    expect(STEP_CACHE_MAX).toBe(64);
  });
});
