/**
 * Fuzz suite 4: random and mutated frames into the thread transport's reader.
 * Model: whatever bytes arrive, each frame read either yields a message or fails with a typed
 * OpError (DataLossError for a corrupt frame, ResourceExhaustedError for a size over the limits,
 * UnavailableError once the closed ring runs dry) — never a JS TypeError/RangeError, never a hang
 * (the writer closes the ring after the bytes, so every wait ends), never a huge allocation.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { NDArray } from "../../src/tensor/ndarray.js";
import { FrameReader } from "../../src/transport/thread/frame-reader.js";
import { FrameWriter } from "../../src/transport/thread/frame-writer.js";
import { FrameKind } from "../../src/transport/thread/protocol.js";
import { RingReader, RingWriter, allocateRing } from "../../src/transport/thread/ring.js";
import { Tally, classify, fuzzRuns, fuzzSeed, outcomeOf } from "./fuzz-harness.js";

const CAPACITY = 1 << 16;
const utf8 = new TextEncoder();

const bodies: unknown[] = [
  { sessionHandle: "s1", graphHandle: "g", stepId: 7, send: [{ name: "x", tensor: new NDArray("float32", [2, 2], Float32Array.of(1, 2, 3, 4)) }] },
  { tensor: new NDArray("string", [2], [utf8.encode("ab"), utf8.encode("")]), n: 1n << 40n, ok: true, nothing: null },
  { list: [1, 2.5, "three", [new NDArray("int64", [1], BigInt64Array.of(-5n))]], bytes: Uint8Array.of(9, 8, 7) },
];

/** The bytes a FrameWriter puts in a ring for `body` (a real frame, to mutate). */
async function frameBytes(body: unknown): Promise<Uint8Array> {
  const sab = allocateRing(CAPACITY);
  const writer = new FrameWriter(new RingWriter(sab));
  const reader = new RingReader(sab);
  await writer.send({ kind: FrameKind.REQUEST, method: 1, callId: 3, timeoutMs: 0, body });
  const out = new Uint8Array(reader.available());
  await reader.readInto(out);
  return out;
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 16 }) }),
  fc.record({ kind: fc.constant("u32" as const), at: fc.nat(), value: fc.oneof(fc.constantFrom(0, 0xffffffff, 0x7fffffff, 1 << 30), fc.nat()) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(bytes: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = Uint8Array.from(bytes);
  for (const m of ms) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    if (m.kind === "flip") b[at] = m.value;
    else if (m.kind === "truncate") b = b.subarray(0, at);
    else if (m.kind === "insert") b = Uint8Array.from([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]);
    else if (at + 4 <= b.length) new DataView(b.buffer, b.byteOffset).setUint32(at, m.value, true);
  }
  return b;
}

/** Feeds `bytes` into a fresh ring, closes it, reads frames until one fails; the failure's class. */
async function readAll(bytes: Uint8Array): Promise<string> {
  const sab = allocateRing(CAPACITY * 2);
  const writer = new RingWriter(sab);
  writer.writeNow(bytes.subarray(0, Math.min(bytes.length, CAPACITY * 2)));
  writer.flush();
  writer.close();
  const reader = new FrameReader(new RingReader(sab));
  let frames = 0;
  const err = await outcomeOf(async () => {
    for (;;) {
      const header = await reader.readHeader();
      await reader.readBody(header);
      frames++;
    }
  });
  const outcome = classify(err);
  return outcome === "RingClosedError" && frames > 0 ? "frames, then end of ring" : outcome;
}

describe("fuzz: thread transport frames", () => {
  const tally = new Tally("thread-frames", fuzzSeed());
  afterAll(() => tally.report());

  it("a real frame reads back; a mutated or random one fails typed", async () => {
    const valid = await Promise.all(bodies.map(frameBytes));
    expect(await readAll(valid[0]!)).toBe("frames, then end of ring");
    const input = fc.oneof(
      { weight: 3, arbitrary: fc.tuple(fc.nat({ max: valid.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([i, ms]) => mutate(valid[i]!, ms)) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 256 }) },
      { weight: 1, arbitrary: fc.tuple(fc.uint8Array({ maxLength: 64 }), fc.nat({ max: valid.length - 1 })).map(([junk, i]) => Uint8Array.from([...valid[i]!.subarray(0, 24), ...junk])) },
    );
    await fc.assert(
      fc.asyncProperty(input, async (bytes) => {
        tally.add(await readAll(bytes));
      }),
      { numRuns: fuzzRuns(), seed: tally.seed },
    );
  });
});
