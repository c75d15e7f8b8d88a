/**
 * batchJoin / shuffleBatchJoin shapes with several sources. Model: TF's _shapes/_merge_shapes
 * (input.py): every source's static shape must be compatible with the others', but the first
 * source's shape is the one kept (merge_with's result is discarded).
 */
import { afterEach, describe, expect, it } from "vitest";
import * as tf from "../../../src/index.js";
import { Coordinator } from "../../../src/train/coordinator.js";
import { batchJoin, shuffleBatchJoin } from "../../../src/train/input-batch.js";
import { limitEpochs } from "../../../src/train/input.js";
import { startQueueRunners } from "../../../src/train/queue-runner.js";

const sessions: tf.Session[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
});

const queueShapes = (g: tf.Graph, type: string) => g.getOperations().find((o) => o.type === type)!.attrs.shapes;

describe("batchJoin with dynamicPad takes the first source's shapes", () => {
  it("a variable dim in the first source stays variable, a known one stays known", () => {
    const g = new tf.Graph();
    g.asDefault(() => {
      const varying = tf.placeholder("string", [null], { name: "varying" });
      const fixed = tf.placeholder("string", [2], { name: "fixed" });
      const [a] = batchJoin([[varying], [fixed]], 4, { dynamicPad: true });
      expect(a!.shape).toEqual([4, null]);
      expect(queueShapes(g, "PaddingFIFOQueueV2")).toEqual({ list: { shape: [[null]] } });
      const [b] = batchJoin([[fixed], [varying]], 4, { dynamicPad: true, name: "fixed_first" });
      expect(b!.shape).toEqual([4, 2]);
      const [c] = shuffleBatchJoin([[fixed], [varying]], 4, { capacity: 10, minAfterDequeue: 2 });
      expect(c!.shape).toEqual([4, 2]);
      expect(() => batchJoin([[fixed], [tf.placeholder("string", [3])]], 4)).toThrow(RangeError);
    });
  });

  it("at run time each batch is padded with '' to its longest row, whichever source it came from", async () => {
    const g = new tf.Graph();
    const out = g.asDefault(() => {
      const three = limitEpochs(tf.constant(["x", "x", "x"]), 4);
      const one = limitEpochs(tf.constant(["y"]), 4);
      // The first source's static shape is [3]: without the rule the second source could not be padded.
      const firstVarying = tf.placeholderWithDefault(one, [null]);
      return batchJoin([[firstVarying], [three]], 4, { dynamicPad: true });
    });
    const sess = new tf.Session(undefined, { graph: g });
    sessions.push(sess);
    await sess.run(g.asDefault(() => tf.group(tf.globalVariablesInitializer(), tf.localVariablesInitializer())));
    const coord = new Coordinator();
    const threads = startQueueRunners(sess, { coord });
    const kinds: string[] = [];
    for (let k = 0; k < 2; k++) {
      const batch = (await sess.run(out[0]!)).toArray() as string[][];
      const width = batch.some((r) => r[0] === "x") ? 3 : 1;
      for (const r of batch) {
        expect(r).toEqual(r[0] === "x" ? ["x", "x", "x"] : ["y", ...Array<string>(width - 1).fill("")]);
        kinds.push(r[0]!);
      }
    }
    expect(kinds.sort()).toEqual(["x", "x", "x", "x", "y", "y", "y", "y"]);
    coord.requestStop();
    await coord.join(threads, { stopGracePeriodMs: 5000 });
  });
});
