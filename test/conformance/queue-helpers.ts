/**
 * Small helpers shared by the queue conformance tests: queues placed on the ps task, what a
 * failed step threw, a probe that says whether a step has finished, and the queue's line in the
 * cluster status report.
 */
import { expect } from "vitest";
import * as tf from "../../src/index.js";

/** Builds `fn`'s ops on /job:ps/task:0, where every queue of these tests lives. */
export function onPs<T>(fn: () => T): T {
  return tf.device("/job:ps/task:0", fn);
}

/** Resolves with what `p` rejected with; fails the test if it resolved. */
export function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    (v) => {
      throw new Error(`expected the step to fail, it returned ${JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? String(x) : x))}`);
    },
    (e: unknown) => e,
  );
}

/** Expects `p` to fail with an error of class `cls` whose message is `message` exactly (or matches it). */
export async function expectOpError(p: Promise<unknown>, cls: abstract new (...args: never[]) => Error, message: string | RegExp): Promise<void> {
  const err = await failure(p);
  expect(err).toBeInstanceOf(cls);
  if (typeof message === "string") expect((err as Error).message).toBe(message);
  else expect((err as Error).message).toMatch(message);
}

/** Watches a step started now: `settled` turns true once it resolved or failed. */
export function started<T>(p: Promise<T>): { promise: Promise<T>; readonly settled: boolean } {
  const box = { promise: p, settled: false };
  p.then(
    () => (box.settled = true),
    () => (box.settled = true),
  );
  return box;
}

export interface QueueLine {
  size: number;
  capacity: number;
  closed: boolean;
  waiting: { kind: string; elements: number; sinceMs: number; stepId: number | null }[];
}

/** The queue's entry in `tf.clusterStatus` (it must exist). */
export async function queueLine(target: string, sharedName: string): Promise<QueueLine> {
  const line = (await tf.clusterStatus(target)).find((r) => r.name === sharedName);
  if (line === undefined) throw new Error(`queue '${sharedName}' is not in the cluster status`);
  return line.details as unknown as QueueLine;
}

/** The queue's waiters as [kind, elements still to move], enqueue list first. */
export async function waiters(target: string, sharedName: string): Promise<[string, number][]> {
  return (await queueLine(target, sharedName)).waiting.map((w): [string, number] => [w.kind, w.elements]);
}

/** An NDArray (or a list / record of them) as plain nested arrays. */
export function plain(v: tf.NDArray | tf.NDArray[] | Record<string, tf.NDArray>): unknown {
  if (v instanceof tf.NDArray) return v.toArray();
  if (Array.isArray(v)) return v.map((x) => x.toArray());
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x.toArray()]));
}
