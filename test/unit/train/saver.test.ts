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
  it("save writes TF's V2 layout of safetensors files; restore brings the values back", async () => {
    const m = model();
    const saver = m.g.asDefault(() => new Saver());
    const sess = new tf.Session(undefined, { graph: m.g });
    await sess.run(m.init);
    const path = join(dir, "one", "model");
    expect(await saver.save(sess, path)).toBe(path);
    expect(readdirSync(join(dir, "one")).sort()).toEqual(["checkpoint", "model.data-00000-of-00001", "model.index"]);
    const file = decodeSafetensors(readFileSync(`${path}.data-00000-of-00001`));
    expect([...file.keys()].sort()).toEqual(["b", "flag", "layer/w", "n"]);
    expect([file.get("layer/w")!.dtype, file.get("layer/w")!.shape]).toEqual(["float32", [2, 2]]);
    const raw = readFileSync(`${path}.data-00000-of-00001`);
    const header = JSON.parse(raw.subarray(8, 8 + Number(raw.readBigUInt64LE(0))).toString()) as Record<string, { dtype: string }>;
    expect([header.b!.dtype, header.n!.dtype, header.flag!.dtype]).toEqual(["F64", "I64", "BOOL"]);
    expect(decodeSafetensors(readFileSync(`${path}.index`)).size).toBe(0); // the index is safetensors too, metadata only
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

  it("sharded by task: one data file per task and one index; restorable into an unsharded saver", async () => {
    const a = model(["/job:localhost/task:0/device:CPU:0", ""]);
    const saver = a.g.asDefault(() => new Saver({ sharded: true }));
    expect(a.g.getOperations().filter((op) => op.type === "SaveV2").map((op) => op.device)).toEqual(["", "/job:localhost/task:0/device:CPU:0"]);
    const s1 = new tf.Session(undefined, { graph: a.g });
    await s1.run(a.init);
    const path = await saver.save(s1, join(dir, "sharded", "ckpt"));
    expect(path).toBe(join(dir, "sharded", "ckpt"));
    expect(readdirSync(join(dir, "sharded")).sort()).toEqual(["checkpoint", "ckpt.data-00000-of-00002", "ckpt.data-00001-of-00002", "ckpt.index"]);
    expect([...decodeSafetensors(readFileSync(`${path}.data-00001-of-00002`)).keys()]).toEqual(["layer/w"]);
    await s1.close();

    const b = model();
    const single = b.g.asDefault(() => new Saver({ sharded: false }));
    const s2 = new tf.Session(undefined, { graph: b.g });
    await single.restore(s2, path);
    expect(await read(s2, b.vars)).toEqual(SAVED);
    await s2.close();
  });

  it("restore reads the files its own index lists, never a stale file at the same prefix", async () => {
    const m = model(["/job:localhost/task:0/device:CPU:0", ""]);
    const saver = m.g.asDefault(() => new Saver({ sharded: true }));
    const sess = new tf.Session(undefined, { graph: m.g });
    await sess.run(m.init);
    const prefix = join(dir, "stale", "ckpt");
    await saver.save(sess, prefix);
    // A leftover of some other save: a 3-shard data file holding other values.
    writeFileSync(`${prefix}.data-00000-of-00003`, encodeSafetensors([["b", tf.ndarray([5, 5], { dtype: "float64" })]]));
    await sess.run(m.bump);
    await saver.restore(sess, prefix);
    expect(await read(sess, m.vars)).toEqual(SAVED);
    // A data file overwritten by another checkpoint's is noticed, not mixed in.
    const other = `${prefix}.data-00001-of-00002`;
    writeFileSync(other, encodeSafetensors([["layer/w", tf.ndarray([[0, 0], [0, 0]])]], { checkpoint_id: "other" }));
    const err = await saver.restore(sess, prefix).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(DataLossError);
    expect((err as Error).message).toContain("belongs to another checkpoint");
    await sess.close();
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
    expect([...decodeSafetensors(readFileSync(`${path}.data-00000-of-00001`)).keys()]).toEqual(["renamed/key"]);
    await sess.close();
  });

  it("restore errors (TF section 6.5): no checkpoint, missing key, wrong dtype, wrong shape", async () => {
    const g = new tf.Graph();
    const { saver, other, wrongType, wrongShape, init } = g.asDefault(() => {
      const x = new tf.Variable([1, 2], { name: "x" });
      const y = new tf.Variable([1, 2], { name: "y" });
      const xi = new tf.Variable([1, 2], { name: "xi", dtype: "int32" });
      const xs = new tf.Variable([1, 2, 3], { name: "xs" });
      return {
        saver: new Saver([x], { name: "save_x" }),
        other: new Saver([y], { name: "save_y" }),
        wrongType: new Saver({ x: xi }, { name: "save_xi" }),
        wrongShape: new Saver({ x: xs }, { name: "save_xs" }),
        init: tf.globalVariablesInitializer(),
      };
    });
    const sess = new tf.Session(undefined, { graph: g });
    await sess.run(init);
    const fail = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as Error);
    const missing = await fail(saver.restore(sess, join(dir, "does-not-exist")));
    expect(missing!.message).toBe(`The passed save_path is not a valid checkpoint: ${join(dir, "does-not-exist")}`);
    expect((await fail(saver.restore(sess, null)))!.message).toBe("Can't load save_path when it is None.");
    const path = await saver.save(sess, join(dir, "errors"));
    const noKey = await fail(other.restore(sess, path));
    expect(noKey).toBeInstanceOf(NotFoundError);
    expect(noKey!.message).toMatch(/^Restoring from checkpoint failed\. This is most likely due to a Variable name or other graph key that is missing from the checkpoint\. Please ensure that you have not altered the graph expected based on the checkpoint\. Original error:\n\n/);
    expect(noKey!.message).toContain(`Key y not found in checkpoint ${path}`);
    const dtype = await fail(wrongType.restore(sess, path));
    expect(dtype).toBeInstanceOf(InvalidArgumentError);
    expect(dtype!.message).toContain("due to a mismatch between the current graph and the graph from the checkpoint");
    expect(dtype!.message).toContain("tensor_name = x; expected dtype int32 does not equal original dtype float32");
    const shape = await fail(wrongShape.restore(sess, path));
    expect(shape).toBeInstanceOf(InvalidArgumentError);
    expect(shape!.message).toContain("Assign requires shapes of both tensors to match. lhs shape= [3] rhs shape= [2]");
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
      expect(new Saver({ allowEmpty: true }).saveTensor).toBeNull();
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
