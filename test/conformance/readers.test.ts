/**
 * Readers on a real cluster, on every transport. Scenario S6: a CSV read by reader ops inside the
 * graph on the worker feeds a RandomShuffleQueue that a trainer (another client, another server)
 * dequeues in batches; plus keys, the closed filename queue, the queue-colocation rule, TFRecord
 * files, deadlines on a blocked read, and a reader shared by name across clients.
 * The files live in a temp directory every task can see (all tasks run on this host).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { decodeCsv, TextLineReader, TFRecordReader } from "../../src/graph/ops/io.js";
import { TFRecordWriter } from "../../src/io/index.js";
import { describeOnTransports } from "../helpers/transports.js";

const CLOSED = "is closed and has insufficient elements (requested 1, current size 0)";
const WORKER = "/job:worker/task:0";

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tfcluster-readers-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeCsv(name: string): string {
  const path = join(dir, name);
  writeFileSync(path, "x1, x2, target\n1.,2.,0\n4.,5,1\n7.,,0\n");
  return path;
}

async function errorOf(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => new Error("expected the step to fail"),
    (e: unknown) => e as Error,
  );
}

/** The instance queue of S6, as both clients declare it. */
function instanceQueue(sharedName: string): tf.RandomShuffleQueue {
  return new tf.RandomShuffleQueue({ capacity: 10, minAfterDequeue: 2, dtypes: ["float32", "int32"], shapes: [[2], []], sharedName });
}

describeOnTransports("readers in a cluster (S6)", { ps: 1, worker: 1 }, (ctx) => {
  it("S6: the loader reads my_test.csv in the graph into a shared RandomShuffleQueue; the trainer takes 2, then the last 1", async () => {
    const csv = writeCsv(`my_test_${ctx.transport}.csv`);
    const sharedName = `shared_instance_q_${ctx.transport}`;
    const loader = new tf.Graph();
    const l = loader.asDefault(() => {
      const instances = instanceQueue(sharedName);
      return tf.device(WORKER, () => {
        const filenames = new tf.FIFOQueue({ capacity: 10, dtypes: "string", shapes: [[]], name: "filename_queue" });
        const reader = new TextLineReader({ skipHeaderLines: 1 });
        const [, line] = reader.read(filenames);
        const [x1, x2, target] = decodeCsv(line, [[-1.0], [-1.0], Int32Array.of(-1)]);
        return {
          enqueueFilename: filenames.enqueue(csv),
          closeFilenames: filenames.close(),
          enqueueInstance: instances.enqueue([tf.stack([x1!, x2!]), target!]),
          closeInstances: instances.close(),
        };
      });
    });
    const loaderSession = new tf.Session(ctx.target("worker", 0), { graph: loader });
    await loaderSession.run(l.enqueueFilename);
    await loaderSession.run(l.closeFilenames);
    let loaded = 0;
    for (;;) {
      const err = await loaderSession.run(l.enqueueInstance).then(
        () => null,
        (e: unknown) => e,
      );
      if (err !== null) {
        expect(err).toBeInstanceOf(tf.errors.OutOfRangeError);
        expect((err as Error).message).toContain(CLOSED);
        break;
      }
      loaded++;
      expect(loaded).toBeLessThanOrEqual(3);
    }
    expect(loaded).toBe(3);
    await loaderSession.run(l.closeInstances);
    await loaderSession.close();

    const trainer = new tf.Graph();
    const t = trainer.asDefault(() => {
      const q = instanceQueue(sharedName);
      return { batch: q.dequeueMany(2), rest: q.dequeueUpTo(2) };
    });
    const trainerSession = new tf.Session(ctx.target("ps", 0), { graph: trainer });
    const [xs, ys] = await trainerSession.run(t.batch);
    expect(xs!.shape).toEqual([2, 2]);
    expect(ys!.shape).toEqual([2]);
    const [xsRest, ysRest] = await trainerSession.run(t.rest);
    expect(xsRest!.shape).toEqual([1, 2]);
    expect([xs!.dtype, ys!.dtype]).toEqual(["float32", "int32"]);
    const rows = [...(xs!.toArray() as number[][]), ...(xsRest!.toArray() as number[][])].map((x, i) => [...x, [...(ys!.toArray() as number[]), ...(ysRest!.toArray() as number[])][i]!]);
    expect(rows.sort((a, b) => a[0]! - b[0]!)).toEqual([
      [1, 2, 0],
      [4, 5, 1],
      [7, -1, 0],
    ]);
    await expect(trainerSession.run(t.rest)).rejects.toBeInstanceOf(tf.errors.OutOfRangeError);
    await trainerSession.close();
  });

  it("keys are '<file>:<line>' counting the header; a closed, drained filename queue ends the reads", async () => {
    const csv = writeCsv(`keys_${ctx.transport}.csv`);
    const g = new tf.Graph();
    const ops = g.asDefault(() =>
      tf.device(WORKER, () => {
        const filenames = new tf.FIFOQueue({ capacity: 10, dtypes: "string", shapes: [[]] });
        const reader = new TextLineReader({ skipHeaderLines: 1 });
        const [key, value] = reader.read(filenames);
        return { key, value, fill: filenames.enqueueMany([[csv]]), close: filenames.close(), produced: reader.numRecordsProduced() };
      }),
    );
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    await sess.run(ops.fill);
    await sess.run(ops.close);
    const got: string[][] = [];
    for (let i = 0; i < 3; i++) {
      const [k, v] = await sess.run([ops.key, ops.value]);
      got.push([k!.item() as string, v!.item() as string]);
    }
    expect(got).toEqual([
      [`${csv}:2`, "1.,2.,0"],
      [`${csv}:3`, "4.,5,1"],
      [`${csv}:4`, "7.,,0"],
    ]);
    const err = await errorOf(sess.run(ops.key));
    expect(err).toBeInstanceOf(tf.errors.OutOfRangeError);
    expect(err.message).toContain(CLOSED);
    expect((err as tf.errors.OpError).nodeName).toBe("ReaderReadV2");
    expect((await sess.run(ops.produced)).item()).toBe(3n);
    await sess.close();
  });

  it("a filename queue on another task than the reader fails with InvalidArgumentError", async () => {
    const g = new tf.Graph();
    const key = g.asDefault(() => {
      const filenames = tf.device("/job:ps/task:0", () => new tf.FIFOQueue({ capacity: 10, dtypes: "string", shapes: [[]], sharedName: "far_filenames" }));
      const reader = tf.device(WORKER, () => new TextLineReader());
      return reader.read(filenames)[0];
    });
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    const err = await errorOf(sess.run(key));
    expect(err).toBeInstanceOf(tf.errors.InvalidArgumentError);
    expect(err.message).toContain("must be on the reader's device");
    await sess.close();
  });

  it("TFRecordReader reads what tf.io.TFRecordWriter wrote (GZIP): keys are byte offsets", async () => {
    const path = join(dir, `records_${ctx.transport}.tfrecord.gz`);
    const writer = await TFRecordWriter.open(path, { compressionType: "GZIP" });
    for (const r of ["abc", "de", "fghij"]) await writer.write(r);
    await writer.close();
    const g = new tf.Graph();
    const ops = g.asDefault(() =>
      tf.device(WORKER, () => {
        const filenames = new tf.FIFOQueue({ capacity: 10, dtypes: "string", shapes: [[]] });
        const reader = new TFRecordReader({ compressionType: "GZIP" });
        const [keys, values] = reader.readUpTo(filenames, 10);
        return { keys, values, fill: filenames.enqueue(path), close: filenames.close() };
      }),
    );
    const sess = new tf.Session(ctx.target("ps", 0), { graph: g });
    await sess.run(ops.fill);
    await sess.run(ops.close);
    const [keys, values] = await sess.run([ops.keys, ops.values]);
    expect(keys!.toArray()).toEqual([`${path}:0`, `${path}:19`, `${path}:37`]);
    expect(values!.toArray()).toEqual(["abc", "de", "fghij"]);
    await expect(sess.run(ops.keys)).rejects.toBeInstanceOf(tf.errors.OutOfRangeError);
    await sess.close();
  });

  it("a read blocked on an open, empty filename queue honours the step deadline; a shared reader resumes later", async () => {
    const csv = writeCsv(`deadline_${ctx.transport}.csv`);
    const build = () => {
      const g = new tf.Graph();
      const ops = g.asDefault(() =>
        tf.device(WORKER, () => {
          const filenames = new tf.FIFOQueue({ capacity: 10, dtypes: "string", shapes: [[]], sharedName: `deadline_files_${ctx.transport}` });
          const reader = new TextLineReader({ sharedName: `deadline_reader_${ctx.transport}` });
          const [key] = reader.read(filenames);
          return { key, fill: filenames.enqueue(csv), produced: reader.numRecordsProduced() };
        }),
      );
      return { g, ...ops };
    };
    const a = build();
    const first = new tf.Session(ctx.target("worker", 0), { graph: a.g });
    await expect(first.run(a.key, { options: { timeoutInMs: 200 } })).rejects.toBeInstanceOf(tf.errors.DeadlineExceededError);
    await first.run(a.fill);
    expect((await first.run(a.key)).item()).toBe(`${csv}:1`);

    // Another client, through another server, reads on from the same reader.
    const b = build();
    const second = new tf.Session(ctx.target("ps", 0), { graph: b.g });
    expect((await second.run(b.key)).item()).toBe(`${csv}:2`);
    expect((await second.run(b.produced)).item()).toBe(2n);
    await first.close();
    await second.close();
  });
});
