import { describe, expect, it } from "vitest";
import * as tf from "../../../../src/index.js";

describe("tf.assert", () => {
  it("passes silently when the condition holds and fails the step with TF's text when it does not", async () => {
    const g = new tf.Graph();
    const { x, out } = g.asDefault(() => {
      const x = tf.placeholder("float32", [null], { name: "x" });
      const check = tf.assert(tf.greater(tf.size(x), 0), ["x must not be empty", x], { summarize: 2 });
      return { x, out: tf.controlDependencies([check], () => tf.identity(x)) };
    });
    expect(g.getOperations().find((o) => o.type === "Assert")!.getAttr("summarize")).toEqual({ i: 2 });
    const sess = new tf.Session(undefined, { graph: g });
    expect((await sess.run(out, { feedDict: [[x, [1, 2, 3]]] })).toArray()).toEqual([1, 2, 3]);
    const err = await sess.run(out, { feedDict: [[x, []]] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(tf.errors.InvalidArgumentError);
    expect((err as Error).message).toBe("assertion failed: [x must not be empty] []");
    expect((err as tf.errors.OpError).nodeName).toBe("Assert");
    await sess.close();
  });

  it("stringInputProducer fails its enqueue on an input that is empty at run time (TF's check)", async () => {
    const g = new tf.Graph();
    const { files, runner } = g.asDefault(() => {
      const files = tf.placeholderWithDefault(tf.constant(["a"], { dtype: "string" }), [null]);
      tf.train.stringInputProducer(files, { shuffle: false });
      return { files, runner: tf.getCollection<tf.train.QueueRunner>(tf.GraphKeys.QUEUE_RUNNERS)[0]! };
    });
    const sess = new tf.Session(undefined, { graph: g });
    const err = await sess.run(runner.enqueueOps[0]!, { feedDict: [[files, tf.ndarray([], { dtype: "string", shape: [0] })]] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(tf.errors.InvalidArgumentError);
    expect((err as Error).message).toContain("string_input_producer requires a non-null input tensor");
    await sess.close();
  });
});
