/**
 * tf.clipByGlobalNorm / tf.globalNorm. Model: TF's clip_ops: global norm = √Σ‖t‖², each t scaled by
 * clipNorm / max(norm, clipNorm); null entries pass through; an infinite norm gives NaN everywhere.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as tf from "../../../../src/index.js";

let sess: tf.Session | null = null;
afterEach(async () => {
  await sess?.close();
  sess = null;
});

async function run(build: () => tf.Tensor[]): Promise<number[][]> {
  const g = new tf.Graph();
  const fetches = g.asDefault(build);
  sess = new tf.Session(undefined, { graph: g });
  return (await sess.run(fetches)).map((a) => Array.from(a.data as Float32Array, Number));
}

const close = (got: number[], want: number[]) => got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));

describe("tf.clipByGlobalNorm", () => {
  it("scales every tensor by clipNorm / globalNorm when the norm is larger (3-4-12 → norm 13)", async () => {
    const [a, b, norm, global] = await run(() => {
      const [clipped, norm] = tf.clipByGlobalNorm([tf.constant([3, 4]), null, tf.constant([[12]])], 6.5);
      expect(clipped[1]).toBeNull();
      return [clipped[0]!, clipped[2]!, norm, tf.globalNorm([tf.constant([3, 4]), tf.constant([[12]])])];
    });
    expect(norm).toEqual([13]);
    expect(global).toEqual([13]);
    close(a!, [1.5, 2]);
    close(b!, [6]);
  });

  it("leaves tensors unchanged when the norm is within clipNorm; useNorm replaces the computed norm", async () => {
    const [a, norm, b] = await run(() => {
      const [[c], norm] = tf.clipByGlobalNorm([tf.constant([3, 4])], 10);
      const [[d]] = tf.clipByGlobalNorm([tf.constant([3, 4])], 1, { useNorm: 2 });
      return [c!, norm, d!];
    });
    close(a!, [3, 4]);
    expect(norm).toEqual([5]);
    close(b!, [1.5, 2]);
  });

  it("an infinite norm makes every output NaN", async () => {
    const [a] = await run(() => [tf.clipByGlobalNorm([tf.constant([Infinity, 1])], 1)[0][0]!]);
    expect(a!.every(Number.isNaN)).toBe(true);
  });

  it("has gradients: d(Σ clipped)/dt with norm > clipNorm", async () => {
    // f(t) = c·Σt/‖t‖ for ‖t‖ > c; ∂f/∂tᵢ = c(1/‖t‖ − tᵢ·Σt/‖t‖³).
    const [g] = await run(() => {
      const t = tf.constant([3, 4]);
      const [[c]] = tf.clipByGlobalNorm([t], 1);
      return [tf.gradients(tf.reduceSum(c!), [t])[0]!];
    });
    close(g!, [1 / 5 - (3 * 7) / 125, 1 / 5 - (4 * 7) / 125]);
  });

  it("a non-list fails with TF's TypeError", () => {
    expect(() => tf.clipByGlobalNorm(5 as unknown as tf.Tensor[], 1)).toThrow("t_list should be a sequence");
  });
});
