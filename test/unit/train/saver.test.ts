/**
 * Saver and the safetensors checkpoint kernels. Model: a checkpoint is a map name → (dtype,
 * shape, values); save then restore (in the same or a fresh graph and session, sharded or not)
 * must give back exactly the saved values, and the files must be plain safetensors.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeSafetensors, encodeSafetensors } from "../../../src/engine/kernels/save-restore.js";
import { DataLossError, InvalidArgumentError, NotFoundError, UnimplementedError } from "../../../src/errors/index.js";
import * as tf from "../../../src/index.js";
import { Saver } from "../../../src/train/saver.js";

const dir = mkdtempSync(join(tmpdir(), "tfcluster-saver-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function model(devices: [string, string] = ["", ""]) {
  const g = new tf.Graph();
  return g.asDefault(() => {
    const w = tf.device(devices[0], () => new tf.Variable([[1.5, -2], [3, 4.25]], { name: "layer/w" }));
    const b = tf.device(devices[1], () => new tf.Variable([0.1, 0.2], { name: "b", dtype: "float64" }));
    const n = new tf.Variable(7n, { name: "n", dtype: "int64" });
    const flag = new tf.Variable([true, false], { name: "flag" });
    const vars = { w, b, n, flag };
    const bump = tf.group(w.assign(tf.zeros([2, 2])), b.assign([9, 9]), n.assign(tf.constant(0n)), flag.assign([false, false]));
    return { g, vars, bump, init: tf.globalVariablesInitializer() };
  });
}

async function read(sess: tf.Session, vars: Record<string, tf.Variable>): Promise<unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(vars)) out[k] = (await sess.run(v)).toArray();
  return out;
}

const SAVED = { w: [[1.5, -2], [3, 4.25]], b: [0.1, 0.2], n: 7n, flag: [true, false] };

describe("Saver", () => {
  it("save writes one safetensors file; restore brings the values back", async () => {
    const m = model();
    const saver = m.g.asDefault(() => new Saver());
    const sess = new tf.Session(undefined, { graph: m.g });
    await sess.run(m.init);
    const path = join(dir, "one", "model");
    expect(await saver.save(sess, path)).toBe(path);
    const file = decodeSafetensors(readFileSync(path));
    expect([...file.keys()].sort()).toEqual(["b", "flag", "layer/w", "n"]);
    expect([file.get("layer/w")!.dtype, file.get("layer/w")!.shape]).toEqual(["float32", [2, 2]]);
    const header = JSON.parse(readFileSync(path).subarray(8, 8 + Number(readFileSync(path).readBigUInt64LE(0))).toString()) as Record<string, { dtype: string }>;
    expect([header.b!.dtype, header.n!.dtype, header.flag!.dtype]).toEqual(["F64", "I64", "BOOL"]);
    await sess.run(m.bump);
    expect(await read(sess, m.vars)).not.toEqual(SAVED);
    await saver.restore(sess, path);
    expect(await read(sess, m.vars)).toEqual(SAVED);
    await sess.close();
  });

  it("restores into a fresh graph and session with no initialisation", async () => {
    const a = model();
    const saverA = a.g.asDefault(() => new Saver());
    const s1 = new tf.Session(undefined, { graph: a.g });
    await s1.run(a.init);
    const path = await saverA.save(s1, join(dir, "fresh"), { globalStep: 12 });
    expect(path).toBe(join(dir, "fresh-12"));
    await s1.close();

    const b = model();
    const saverB = b.g.asDefault(() => new Saver(Object.values(b.vars)));
    const s2 = new tf.Session(undefined, { graph: b.g });
    await saverB.restore(s2, path);
    expect(await read(s2, b.vars)).toEqual(SAVED);
    await s2.close();
  });

  it("sharded by task: one file per task, restorable into an unsharded saver", async () => {
    const a = model(["/job:localhost/task:0/device:CPU:0", ""]);
    const saver = a.g.asDefault(() => new Saver());
    expect(a.g.getOperations().filter((op) => op.type === "SaveV2").map((op) => op.device)).toEqual(["/job:localhost/task:0/device:CPU:0", ""]);
    const s1 = new tf.Session(undefined, { graph: a.g });
    await s1.run(a.init);
    const path = await saver.save(s1, join(dir, "sharded", "ckpt"));
    expect(readdirSync(join(dir, "sharded")).sort()).toEqual(["ckpt-00000-of-00002", "ckpt-00001-of-00002"]);
    expect([...decodeSafetensors(readFileSync(`${path}-00000-of-00002`)).keys()]).toEqual(["layer/w"]);
    await s1.close();

    const b = model();
    const single = b.g.asDefault(() => new Saver(undefined, { sharded: false }));
    const s2 = new tf.Session(undefined, { graph: b.g });
    await single.restore(s2, path);
    expect(await read(s2, b.vars)).toEqual(SAVED);
    await s2.close();
  });

  it("a name map chooses the checkpoint keys", async () => {
    const g = new tf.Graph();
    const { v, saver } = g.asDefault(() => {
      const v = new tf.Variable([5, 6], { name: "v" });
      return { v, saver: new Saver({ "renamed/key": v }) };
    });
    const sess = new tf.Session(undefined, { graph: g });
    await sess.run(v.initializer);
    const path = await saver.save(sess, join(dir, "renamed"));
    expect([...decodeSafetensors(readFileSync(path)).keys()]).toEqual(["renamed/key"]);
    await sess.close();
  });

  it("restore errors: no such checkpoint, missing key, wrong dtype", async () => {
    const g = new tf.Graph();
    const { saver, other, wrongType, init } = g.asDefault(() => {
      const x = new tf.Variable([1, 2], { name: "x" });
      const y = new tf.Variable([1, 2], { name: "y" });
      const xi = new tf.Variable([1, 2], { name: "xi", dtype: "int32" });
      return { saver: new Saver([x], { name: "save_x" }), other: new Saver([y], { name: "save_y" }), wrongType: new Saver({ x: xi }, { name: "save_xi" }), init: tf.globalVariablesInitializer() };
    });
    const sess = new tf.Session(undefined, { graph: g });
    await sess.run(init);
    const fail = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as Error);
    const missing = await fail(saver.restore(sess, join(dir, "does-not-exist")));
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing!.message).toContain("Failed to find any matching files for");
    const path = await saver.save(sess, join(dir, "errors"));
    const noKey = await fail(other.restore(sess, path));
    expect(noKey).toBeInstanceOf(NotFoundError);
    expect(noKey!.message).toBe(`Key y not found in checkpoint ${path}`);
    const dtype = await fail(wrongType.restore(sess, path));
    expect(dtype).toBeInstanceOf(InvalidArgumentError);
    expect(dtype!.message).toBe("tensor_name = x; expected dtype int32 does not equal original dtype float32");
    await sess.close();
  });

  it("string variables cannot be saved in safetensors (UnimplementedError)", async () => {
    const g = new tf.Graph();
    const { s, saver } = g.asDefault(() => {
      const s = new tf.Variable("hello", { name: "s" });
      return { s, saver: new Saver([s]) };
    });
    const sess = new tf.Session(undefined, { graph: g });
    await sess.run(s.initializer);
    await expect(saver.save(sess, join(dir, "strings"))).rejects.toBeInstanceOf(UnimplementedError);
    await sess.close();
  });

  it("graph-building errors", () => {
    const g = new tf.Graph();
    g.asDefault(() => {
      expect(() => new Saver()).toThrow("No variables to save");
      const a = new tf.Variable(1, { name: "a" });
      expect(() => new Saver([a, a])).toThrow("At least two variables have the same name: a");
    });
  });
});

describe("safetensors codec", () => {
  it("round-trips every supported dtype; header is 8-byte aligned JSON", () => {
    const tensors: [string, tf.NDArray][] = [
      ["f32", tf.ndarray([[1, 2, 3]], { dtype: "float32" })],
      ["f64", tf.ndarray([0.1], { dtype: "float64" })],
      ["i32", tf.ndarray([-1, 5], { dtype: "int32" })],
      ["i64", tf.ndarray([2n ** 40n], { dtype: "int64" })],
      ["u8", tf.ndarray([255], { dtype: "uint8" })],
      ["b", tf.ndarray([true, false, true], { dtype: "bool" })],
      ["empty", tf.ndarray([], { dtype: "float32", shape: [0, 3] })],
    ];
    const bytes = encodeSafetensors(tensors, { note: "x" });
    expect(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8).toBe(0);
    const back = decodeSafetensors(bytes);
    for (const [name, t] of tensors) {
      expect([back.get(name)!.dtype, back.get(name)!.shape, back.get(name)!.toArray()]).toEqual([t.dtype, t.shape, t.toArray()]);
    }
  });

  it("reads a file laid out by another writer (no padding, metadata absent)", () => {
    const header = Buffer.from(JSON.stringify({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    const data = Buffer.from(new Float32Array([1.5, -3]).buffer);
    const path = join(dir, "foreign.safetensors");
    writeFileSync(path, Buffer.concat([len, header, data]));
    expect(decodeSafetensors(readFileSync(path)).get("a")!.toArray()).toEqual([1.5, -3]);
  });

  it("a corrupt file is DataLossError", () => {
    expect(() => decodeSafetensors(new Uint8Array([1, 2, 3]))).toThrow(DataLossError);
    const bad = new Uint8Array(16);
    new DataView(bad.buffer).setBigUint64(0, 100n, true);
    expect(() => decodeSafetensors(bad)).toThrow(/runs past the end/);
  });
});
