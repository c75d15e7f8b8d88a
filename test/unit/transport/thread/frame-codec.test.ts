/** Frames through a ring in one thread: envelope + tensor payloads, every dtype, size limits. */
import { describe, expect, test } from "vitest";
import { DataLossError, ResourceExhaustedError } from "../../../../src/errors/index.js";
import { NDArray, ndarray } from "../../../../src/tensor/ndarray.js";
import type { GraphDef } from "../../../../src/graph/graph-def.js";
import { FrameReader } from "../../../../src/transport/thread/frame-reader.js";
import { FrameWriter } from "../../../../src/transport/thread/frame-writer.js";
import { FrameKind, methodId } from "../../../../src/transport/thread/protocol.js";
import { RingReader, RingWriter, allocateRing } from "../../../../src/transport/thread/ring.js";

function pipe(capacity: number, maxMessageBytes?: number) {
  const sab = allocateRing(capacity);
  const writer = new FrameWriter(new RingWriter(sab), maxMessageBytes);
  const reader = new FrameReader(new RingReader(sab));
  return { writer, reader };
}

async function roundTrip(message: unknown, capacity = 1 << 16): Promise<unknown> {
  const { writer, reader } = pipe(capacity);
  const frame = { kind: FrameKind.REQUEST, method: methodId("master", "runStep"), callId: 7, timeoutMs: 250, body: message };
  const sent = writer.send(frame);
  const header = await reader.readHeader();
  expect(header).toMatchObject({ kind: FrameKind.REQUEST, callId: 7, timeoutMs: 250, method: frame.method });
  const body = await reader.readBody(header);
  await sent;
  return body;
}

const everyDType = (): NDArray[] => [
  ndarray([[1.5, -2], [3, 4]]),
  ndarray([1, 2, 3], { dtype: "float64" }),
  ndarray([7, -8], { dtype: "int32" }),
  ndarray([2n ** 62n, -5n], { dtype: "int64" }),
  ndarray([0, 255], { dtype: "uint8" }),
  ndarray([true, false, true]),
  ndarray(["héllo", "", "wörld"]),
  new NDArray("float32", [0, 3], new Float32Array(0)),
  new NDArray("resource", [1], [{ device: "/job:ps/replica:0/task:0/device:CPU:0", container: "ps", name: "v", kind: "Var" }]),
];

describe("frame codec", () => {
  test("every dtype comes back equal, as an NDArray, where it was", async () => {
    const feeds = everyDType().map((tensor, i) => ({ name: `t${i}`, tensor }));
    const body = (await roundTrip({ sessionHandle: "s", feed: feeds, fetch: ["a"], target: [], options: {} })) as { feed: { name: string; tensor: NDArray }[] };
    expect(body.feed).toHaveLength(feeds.length);
    body.feed.forEach((f, i) => {
      const want = feeds[i]!.tensor;
      expect(f.tensor).toBeInstanceOf(NDArray);
      expect(f.tensor.dtype).toBe(want.dtype);
      expect(f.tensor.shape).toEqual(want.shape);
      expect(f.tensor.toArray()).toEqual(want.toArray());
    });
  });

  test("tensors inside a GraphDef's attrs and a bare tensor at the root survive", async () => {
    const graphDef: GraphDef = {
      node: [{ name: "c", op: "Const", input: [], device: "", attr: { value: { tensor: ndarray([1, 2]) }, dtype: { type: "float32" } } }],
    };
    const body = (await roundTrip({ graphDef, config: {}, target: "" })) as { graphDef: GraphDef };
    const attr = body.graphDef.node[0]!.attr.value as { tensor: NDArray };
    expect(attr.tensor).toBeInstanceOf(NDArray);
    expect(attr.tensor.toArray()).toEqual([1, 2]);
    const root = await roundTrip(ndarray([5], { dtype: "int32" }));
    expect((root as NDArray).toArray()).toEqual([5]);
  });

  test("typed arrays outside NDArrays are copied out of the ring, not left aliasing it", async () => {
    const { writer, reader } = pipe(1024);
    const send = (v: number) =>
      writer.send({ kind: FrameKind.REQUEST, method: 0, callId: v, timeoutMs: 0, body: { raw: new Uint8Array(16).fill(v), f: new Float64Array([v]), b: Buffer.from([v, v]) } });
    const firsts: { raw: Uint8Array; f: Float64Array; b: Buffer }[] = [];
    for (let v = 1; v <= 40; v++) {
      await send(v);
      firsts.push((await reader.readBody(await reader.readHeader())) as { raw: Uint8Array; f: Float64Array; b: Buffer });
    }
    firsts.forEach((m, i) => {
      expect([...m.raw]).toEqual(new Array(16).fill(i + 1));
      expect(m.f[0]).toBe(i + 1);
      expect(m.f).toBeInstanceOf(Float64Array);
      expect(Buffer.isBuffer(m.b) && [...m.b]).toEqual([i + 1, i + 1]);
    });
  });

  test("encoding does not touch the caller's message", async () => {
    const tensor = ndarray([1]);
    const msg = { feed: [{ name: "x", tensor }], fetch: ["y"] };
    await roundTrip(msg);
    expect(msg).toEqual({ feed: [{ name: "x", tensor }], fetch: ["y"] });
    expect(msg.feed[0]!.tensor).toBe(tensor);
  });

  test("plain JS values of every kind survive; others go through v8", async () => {
    const long = "ü".repeat(100) + "x".repeat(100);
    const value = {
      u: undefined, n: null, t: true, f: false, i: -7, big: 2 ** 40, frac: 0.1, negZero: -0, nan: NaN, inf: -Infinity,
      s: "", ascii: "sessionHandle", uni: "héllo 🌍", long, b64: -(2n ** 63n), bHuge: 2n ** 100n,
      arr: [1, [2, [3]], {}], u8: new Uint8Array([1, 2]), buf: Buffer.from("ab"), f64: new Float64Array([1.5]),
      i64: new BigInt64Array([5n]), dv: new DataView(new Uint8Array([9, 8]).buffer), map: new Map([["k", 1]]), date: new Date(0),
    };
    const back = (await roundTrip(value)) as typeof value;
    expect(back).toEqual(value);
    expect(Object.is(back.negZero, -0)).toBe(true);
    expect(Buffer.isBuffer(back.buf)).toBe(true);
    expect(back.map).toBeInstanceOf(Map);
    expect(back.dv.getUint8(1)).toBe(8);
    expect("u" in back).toBe(true);
  });

  test("a message 16x the ring streams through it", async () => {
    const big = new Float32Array(1 << 18); // 1 MiB through a 64 KiB ring
    for (let i = 0; i < big.length; i++) big[i] = i * 0.5;
    const body = (await roundTrip({ tensor: new NDArray("float32", [big.length], big) }, 1 << 16)) as { tensor: NDArray };
    expect(Buffer.compare(Buffer.from((body.tensor.data as Float32Array).buffer), Buffer.from(big.buffer))).toBe(0);
  });

  test("a message over the size limit fails before anything is written", async () => {
    const { writer, reader } = pipe(1024, 1000);
    const frame = { kind: FrameKind.REQUEST, method: methodId("worker", "runGraph"), callId: 1, timeoutMs: 0, body: { t: ndarray(new Float32Array(300)) } };
    await expect(writer.send(frame)).rejects.toBeInstanceOf(ResourceExhaustedError);
    await expect(writer.send(frame)).rejects.toThrow(/worker\.runGraph.*over the limit of 1000 bytes.*float32\[300\]/);
    expect(reader.ring.available()).toBe(0);
    await expect(writer.send({ ...frame, body: { fn: () => 1 } })).rejects.toThrow(/cannot send a function/);
    await writer.send({ ...frame, body: { ok: 1 } });
    expect(await reader.readBody(await reader.readHeader())).toEqual({ ok: 1 });
  });

  test("every payload sits in the ring at its source's offset mod 8, and so does its destination", async () => {
    const { writer, reader } = pipe(1 << 12);
    const seen: { ringSkew: number; dstSkew: number; bytes: number }[] = [];
    const ring = reader.ring;
    const readNow = ring.readNow.bind(ring);
    const readInto = ring.readInto.bind(ring);
    const record = (dst: Uint8Array): void => void (dst.byteLength !== 24 && seen.push({ ringSkew: ring.position & 7, dstSkew: dst.byteOffset & 7, bytes: dst.byteLength }));
    ring.readNow = (dst) => (ring.available() >= dst.byteLength && dst.byteLength <= ring.pieceBytes && record(dst), readNow(dst));
    ring.readInto = (dst) => (record(dst), readInto(dst));
    const skewed = new Float32Array(new ArrayBuffer(64), 4, 3).fill(2.5); // 4 mod 8, as a subarray can be
    for (let nameLength = 0; nameLength < 9; nameLength++) {
      const feed = [ndarray([1, 2, 3]), ndarray([1, 2], { dtype: "float64" }), ndarray([1, 2, 3, 4, 5], { dtype: "uint8" }), new NDArray("float32", [3], skewed)];
      seen.length = 0;
      const sent = writer.send({ kind: FrameKind.REQUEST, method: 0, callId: 1, timeoutMs: 0, body: { name: "x".repeat(nameLength), feed } });
      const body = (await reader.readBody(await reader.readHeader())) as { feed: NDArray[] };
      await sent;
      expect(body.feed.map((t) => t.toArray())).toEqual(feed.map((t) => t.toArray()));
      expect(seen.map((s) => s.bytes)).toEqual([12, 16, 5, 12]);
      expect(seen.map((s) => s.ringSkew)).toEqual([0, 0, 0, 4]);
      expect(seen.every((s) => s.dstSkew === s.ringSkew)).toBe(true);
      expect(ring.position & 7).toBe(0); // the next frame starts aligned too
    }
  });

  test("whole small frames are read without waiting; a frame bigger than a ring piece streams", async () => {
    const { writer, reader } = pipe(1 << 12);
    const frame = (callId: number, body: unknown) => ({ kind: FrameKind.REPLY_OK, method: 0, callId, timeoutMs: 0, body });
    await writer.send(frame(1, { a: ndarray([1, 2]) }));
    await writer.send(frame(2, "skipped"));
    await writer.send(frame(3, { b: "x" }));
    const first = reader.nextFrameNow()!;
    expect(first.callId).toBe(1);
    expect((reader.readBodyNow(first) as { a: NDArray }).a.toArray()).toEqual([1, 2]);
    reader.skipBodyNow(reader.nextFrameNow()!);
    expect(reader.readBodyNow(reader.nextFrameNow()!)).toEqual({ b: "x" });
    expect(reader.nextFrameNow()).toBeUndefined();
    const big = ndarray(new Float32Array(1000).fill(3)); // 4000 B > the 1 KiB piece of a 4 KiB ring
    const sent = writer.send(frame(4, { big }));
    expect(reader.nextFrameNow()).toBeUndefined();
    const body = (await reader.readBody(await reader.readHeader())) as { big: NDArray };
    await sent;
    expect(body.big.toArray()).toEqual(big.toArray());
  });

  test("a corrupt header is DATA_LOSS", async () => {
    const sab = allocateRing(1024);
    const raw = new RingWriter(sab);
    await raw.write(new Uint8Array(24).fill(9));
    raw.flush();
    await expect(new FrameReader(new RingReader(sab)).readHeader()).rejects.toBeInstanceOf(DataLossError);
  });
});
