/**
 * tf.train.Examples and summaries on a real cluster, on every transport: a TFRecord file of
 * Examples (tf.io.serializeExample → tf.io.TFRecordWriter) read by a TFRecordReader on the worker,
 * parsed there by parseSingleExample and parseExample, and fetched by a client of the ps; and a
 * merged summary computed on the worker, fetched as bytes and written by a FileWriter.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { decodeSummary } from "../../src/transport/wire/summary-codec.js";
import { describeOnTransports } from "../helpers/transports.js";

const WORKER = "/job:worker/task:0";

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tfcluster-examples-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Three Examples: a 4-float image, an exact int64 label, a name and (twice) tags. */
async function writeExamples(path: string): Promise<void> {
  const writer = await tf.io.TFRecordWriter.open(path);
  for (let i = 0; i < 3; i++) {
    await writer.write(
      tf.io.serializeExample({
        feature: {
          image: { floatList: [i, i + 0.5, -i, 0.25] },
          label: { int64List: [2n ** 40n + BigInt(i)] },
          name: { bytesList: [`rec${i}`] },
          ...(i === 1 ? {} : { tags: { bytesList: ["x", `t${i}`] } }),
        },
      }),
    );
  }
  await writer.close();
}

const FEATURES = () => ({
  image: tf.io.FixedLenFeature([2, 2], "float32"),
  label: tf.io.FixedLenFeature([], "int64"),
  name: tf.io.FixedLenFeature([], "string"),
  missing: tf.io.FixedLenFeature([1], "float32", [-1]),
  tags: tf.io.VarLenFeature("string"),
});

describeOnTransports("Examples and summaries in a cluster", { ps: 1, worker: 1 }, (ctx) => {
  it("TFRecord of Examples → TFRecordReader → parseSingleExample on the worker, fetched by a ps client", async () => {
    const path = join(dir, `examples_${ctx.transport}.tfrecord`);
    await writeExamples(path);
    const g = new tf.Graph();
    const ops = g.asDefault(() =>
      tf.device(WORKER, () => {
        const filenames = new tf.FIFOQueue({ capacity: 10, dtypes: "string", shapes: [[]] });
        const [, record] = new tf.TFRecordReader().read(filenames);
        const parsed = tf.parseSingleExample(record, FEATURES());
        const tags = parsed.tags as tf.SparseTensor;
        return { parsed, tags, fill: filenames.enqueue(path), close: filenames.close() };
      }),
    );
    const sess = new tf.Session(ctx.target("ps", 0), { graph: g });
    await sess.run(ops.fill);
    await sess.run(ops.close);
    for (let i = 0; i < 3; i++) {
      const p = ops.parsed;
      const [image, label, name, missing, indices, values, shape] = await sess.run([
        p.image as tf.Tensor,
        p.label as tf.Tensor,
        p.name as tf.Tensor,
        p.missing as tf.Tensor,
        ops.tags.indices,
        ops.tags.values,
        ops.tags.denseShape,
      ]);
      expect(image!.shape).toEqual([2, 2]);
      expect(image!.toArray()).toEqual([[i, i + 0.5], [-i, 0.25]]);
      expect(label!.dtype).toBe("int64");
      expect(label!.item()).toBe(2n ** 40n + BigInt(i));
      expect(name!.item()).toBe(`rec${i}`);
      expect(missing!.toArray()).toEqual([-1]);
      if (i === 1) {
        expect([indices!.shape, values!.toArray(), shape!.toArray()]).toEqual([[0, 1], [], [0n]]);
      } else {
        expect([indices!.toArray(), values!.toArray(), shape!.toArray()]).toEqual([[[0n], [1n]], ["x", `t${i}`], [2n]]);
      }
    }
    await expect(sess.run(ops.parsed.label as tf.Tensor)).rejects.toBeInstanceOf(tf.errors.OutOfRangeError);
    await sess.close();
  });

  it("readUpTo → parseExample: a batch of records; a bad record fails the step with TF's message", async () => {
    const path = join(dir, `batch_${ctx.transport}.tfrecord`);
    await writeExamples(path);
    const g = new tf.Graph();
    const ops = g.asDefault(() =>
      tf.device(WORKER, () => {
        const filenames = new tf.FIFOQueue({ capacity: 10, dtypes: "string", shapes: [[]] });
        const [, records] = new tf.TFRecordReader().readUpTo(filenames, 10);
        const parsed = tf.parseExample(records, FEATURES());
        const wrongShape = tf.parseExample(records, { image: tf.io.FixedLenFeature([3], "float32") });
        const rows = tf.parseExample(records, { image: tf.io.FixedLenSequenceFeature([2], "float32", true) });
        return { parsed, wrongShape, rows, fill: filenames.enqueue(path), close: filenames.close() };
      }),
    );
    const sess = new tf.Session(ctx.target("ps", 0), { graph: g });
    // One file for each of the three reads below.
    for (let i = 0; i < 3; i++) await sess.run(ops.fill);
    await sess.run(ops.close);
    const [labels, tagShape] = await sess.run([ops.parsed.label as tf.Tensor, (ops.parsed.tags as tf.SparseTensor).denseShape]);
    expect(labels!.toArray()).toEqual([0n, 1n, 2n].map((i) => 2n ** 40n + i));
    expect(tagShape!.toArray()).toEqual([3n, 2n]);
    const rows = await sess.run(ops.rows.image as tf.Tensor);
    expect(rows.shape).toEqual([3, 2, 2]);
    expect(rows.toArray()).toEqual([0, 1, 2].map((i) => [[i, i + 0.5], [-i, 0.25]]));
    const err = await sess.run(ops.wrongShape.image as tf.Tensor).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(tf.errors.InvalidArgumentError);
    expect(err!.message).toContain("Name: <unknown>, Key: image, Index: 0.  Number of float values != expected.  Values size: 4 but output shape: [3]");
    await sess.close();
  });

  it("a merged summary computed on the worker is fetched as bytes and written to an event file", async () => {
    const g = new tf.Graph();
    const merged = g.asDefault(() =>
      tf.device(WORKER, () => {
        const x = tf.constant([1, 2, 3]);
        tf.summary.scalar("avg", tf.reduceMean(x));
        tf.summary.histogram("x", x);
        tf.summary.text("note", tf.constant("hi"));
        return tf.summary.mergeAll()!;
      }),
    );
    const sess = new tf.Session(ctx.target("ps", 0), { graph: g });
    const value = await sess.run(merged);
    const summary = decodeSummary(value.bytes()[0]!);
    expect(summary.value.map((v) => v.tag)).toEqual(["avg", "x", "note"]);
    expect(summary.value[0]!.simpleValue).toBe(2);
    expect(summary.value[1]!.histo!.num).toBe(3);
    const logdir = join(dir, `logs_${ctx.transport}`);
    const writer = new tf.summary.FileWriter(logdir, { graph: g });
    writer.addSummary(value, 7);
    await writer.close();
    expect(readdirSync(logdir).length).toBe(1);
    const events = [];
    for await (const r of tf.io.tfRecordIterator(writer.path)) events.push(r);
    expect(events.length).toBe(3);
    await sess.close();
  });
});
