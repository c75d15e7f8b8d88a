/**
 * One program, one behaviour: a fed array changed after the run, or a fetched array changed by
 * the caller, never changes a variable or a queued element — on inproc (values by reference) as
 * on thread and grpc (values copied by the medium), and in a private session.
 */
import { expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { describeOnTransports } from "../helpers/transports.js";

function graph(sharedName: string, device: string | null) {
  const g = new tf.Graph();
  const ops = g.asDefault(() =>
    tf.device(device, () => {
      const v = new tf.Variable(tf.zeros([3]), { name: "v" });
      const p = tf.placeholder("float32", [3]);
      const q = new tf.FIFOQueue({ capacity: 4, dtypes: ["float32"], shapes: [[3]], sharedName });
      return { v, set: tf.assign(v, p), p, read: v.value(), enq: q.enqueue(p), deq: q.dequeue()[0]! };
    }),
  );
  return { g, ...ops };
}

async function mutateEverything(target: string | undefined, sharedName: string): Promise<void> {
  const { g, set, p, read, enq, deq } = graph(sharedName, target ? "/job:ps/task:0" : null);
  const sess = new tf.Session(target, { graph: g });
  const fed = tf.ndarray(new Float32Array([1, 2, 3]), { dtype: "float32", shape: [3] });
  await sess.run(set, { feedDict: new Map([[p, fed]]) });
  await sess.run(enq, { feedDict: new Map([[p, fed]]) });
  (fed.data as Float32Array).fill(-1);
  const first = await sess.run(read);
  expect(Array.from(first.data as Float32Array)).toEqual([1, 2, 3]);
  (first.data as Float32Array).fill(-2);
  expect(Array.from((await sess.run(read)).data as Float32Array)).toEqual([1, 2, 3]);
  expect(Array.from((await sess.run(deq)).data as Float32Array)).toEqual([1, 2, 3]);
  await sess.close();
}

describeOnTransports("fetched and fed values never alias cluster state", { ps: 1, worker: 1 }, (ctx) => {
  it("mutating a fed or fetched array after the run changes neither the variable nor the queued element", async () => {
    await mutateEverything(ctx.target("worker", 0), "alias_q");
  });
});

it("in a private session too", async () => {
  await mutateEverything(undefined, "alias_private_q");
});
