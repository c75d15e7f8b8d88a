/**
 * replicaDeviceSetter with the contrib ps strategies. Model: TF's device_setter_test.py
 * (tf-training.md §8.2): greedy placement on the least-loaded task, ties to the lowest index.
 */
import { describe, expect, it } from "vitest";
import * as tf from "../../../src/index.js";

const cluster = { ps: ["ps0:2222", "ps1:2222"], worker: ["w0:2222"] };

function place(strategy: tf.train.PsStrategy, build: () => tf.Variable[]): string[] {
  const g = new tf.Graph();
  return g.asDefault(() => tf.device(tf.train.replicaDeviceSetter({ cluster, psStrategy: strategy }), () => build().map((v) => v.device)));
}

describe("GreedyLoadBalancingStrategy", () => {
  it("with a uniform load it is round robin", () => {
    const devices = place(new tf.train.GreedyLoadBalancingStrategy(2, () => 1), () => [0, 1, 2, 3].map((i) => new tf.Variable(i)));
    expect(devices).toEqual(["/job:ps/task:0", "/job:ps/task:1", "/job:ps/task:0", "/job:ps/task:1"]);
  });

  it("byteSizeLoadFn: 16, 8, 16 and 12 bytes go to tasks 0, 1, 1, 0; other ops to the worker", () => {
    const strategy = new tf.train.GreedyLoadBalancingStrategy(2, tf.train.byteSizeLoadFn);
    const loads: number[][] = [];
    const g = new tf.Graph();
    const { devices, matmul } = g.asDefault(() =>
      tf.device(tf.train.replicaDeviceSetter({ cluster, psStrategy: strategy }), () => {
        const vars = [[2, 2], [2, 1], [2, 2], [1, 3]].map((s) => {
          const v = new tf.Variable(tf.zeros(s));
          loads.push(strategy.currentLoads);
          return v;
        });
        return { devices: vars.map((v) => v.device), matmul: tf.matMul(vars[0]!, vars[1]!) };
      }),
    );
    expect(devices).toEqual(["/job:ps/task:0", "/job:ps/task:1", "/job:ps/task:1", "/job:ps/task:0"]);
    expect(loads).toEqual([[16, 0], [16, 8], [16, 24], [28, 24]]);
    expect(matmul.device).toBe("/job:worker");
  });

  it("byteSizeLoadFn of a scalar variable is its dtype's size; it goes to task 0", () => {
    const strategy = new tf.train.GreedyLoadBalancingStrategy(2, tf.train.byteSizeLoadFn);
    expect(place(strategy, () => [new tf.Variable(1.5)])).toEqual(["/job:ps/task:0"]);
    expect(strategy.currentLoads).toEqual([4, 0]);
  });

  it("byteSizeLoadFn errors: several outputs; a shape that is not fully defined", () => {
    const g = new tf.Graph();
    g.asDefault(() => {
      const [a] = tf.unstack(tf.zeros([2, 3]));
      expect(() => tf.train.byteSizeLoadFn(a!.op)).toThrow(/must have a single output/);
      expect(() => tf.train.byteSizeLoadFn(tf.placeholder("float32", [null, 2]).op)).toThrow(/is not fully defined/);
      expect(tf.train.byteSizeLoadFn(new tf.Variable(tf.zeros([3], "float64")).op)).toBe(24);
    });
  });
});

describe("RandomStrategy", () => {
  it("depends only on the op's name and the seed", () => {
    const names = (seed: number) => place(new tf.train.RandomStrategy(2, seed), () => ["a", "b", "c", "d", "e", "f"].map((n) => new tf.Variable(0, { name: n })));
    const first = names(0);
    expect(names(0)).toEqual(first);
    expect(new Set(first).size).toBe(2);
    for (const d of first) expect(["/job:ps/task:0", "/job:ps/task:1"]).toContain(d);
  });
});
