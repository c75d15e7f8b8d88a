/** Bounded polling for a condition observable through the cluster (never a bare sleep). */
import * as tf from "../../src/index.js";

export async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves once `count` ops of `kind` wait on the queue whose shared name is `name`. */
export function waitForWaiters(target: string, name: string, kind: "enqueue" | "dequeue" | "close", count = 1) {
  return waitFor(async () => {
    const all = await tf.clusterStatus(target);
    const q = all.find((r) => r.name === name);
    const waiting = (q?.details.waiting ?? []) as { kind: string }[];
    return waiting.filter((w) => w.kind === kind).length >= count ? q : undefined;
  }, `${count} ${kind}(s) waiting on queue '${name}'`);
}
