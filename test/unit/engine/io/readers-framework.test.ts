/**
 * The reader framework (tf-input-pipeline.md §1), through IdentityReader as TF's own tests do:
 * work units, counters, reset, serialize/restore, the closed and the open-but-empty queue,
 * cancellation, turn-taking, the queue checks, sharing and private readers.
 */
import { describe, expect, it } from "vitest";
import {
  CancelledError,
  InvalidArgumentError,
  NotFoundError,
  OutOfRangeError,
  UnimplementedError,
} from "../../../../src/errors/index.js";
import { READER_RESOURCE_KIND } from "../../../../src/engine/resources/reader-base.js";
import { IdentityReader, TextLineReader, WholeFileReader } from "../../../../src/graph/ops/io.js";
import { NDArray } from "../../../../src/tensor/ndarray.js";
import { DEVICE, errorOf, MiniSession, runKernel } from "./io-harness.js";
import { ReaderPipeline } from "./reader-pipeline.js";

const CLOSED = "is closed and has insufficient elements (requested 1, current size 0)";
const enc = new TextEncoder();

function identity(session?: MiniSession, sharedName?: string): ReaderPipeline {
  return new ReaderPipeline(() => new IdentityReader({ name: "test_reader", ...(sharedName ? { sharedName } : {}) }), session);
}

describe("work units and counters", () => {
  it("testOneEpoch: A, B, C, then OutOfRange with the queue's message; counters follow", async () => {
    const p = identity();
    expect(await p.produced()).toBe(0);
    expect(await p.completed()).toBe(0);
    await p.enqueue("A", "B", "C");
    await p.close();
    expect(await p.read()).toEqual(["A", "A"]);
    expect(await p.produced()).toBe(1);
    expect(await p.read()).toEqual(["B", "B"]);
    expect(await p.read()).toEqual(["C", "C"]);
    expect(await p.produced()).toBe(3);
    const err = await errorOf(p.read());
    expect(err).toBeInstanceOf(OutOfRangeError);
    expect(err.message).toContain(CLOSED);
    expect(err.message).toMatch(/^FIFOQueue '_\d+_fifo_queue' is closed/);
    expect((err as OutOfRangeError).nodeName).toBe("ReaderReadV2");
    expect(await p.completed()).toBe(3);
    expect(await p.produced()).toBe(3);
    expect(await p.size()).toBe(0);
  });

  it("multiple epochs: DD, EE three times over", async () => {
    const p = identity();
    for (let i = 0; i < 3; i++) await p.enqueue("DD", "EE");
    const got = [];
    for (let i = 0; i < 6; i++) got.push((await p.read())[0]);
    expect(got).toEqual(["DD", "EE", "DD", "EE", "DD", "EE"]);
    await p.close();
    await expect(p.read()).rejects.toBeInstanceOf(OutOfRangeError);
  });

  it("testReset: counters back to 0, the queue untouched", async () => {
    const p = identity();
    await p.enqueue("X", "Y", "Z");
    await p.read();
    await p.read();
    expect(await p.produced()).toBe(2);
    expect(await p.completed()).toBeGreaterThan(0);
    await p.reset();
    expect(await p.produced()).toBe(0);
    expect(await p.completed()).toBe(0);
    expect(await p.size()).toBe(1);
    expect(await p.read()).toEqual(["Z", "Z"]);
  });

  it("readUpTo: IdentityReader gives one record per call (one unit each); 0 asks for nothing", async () => {
    const p = identity();
    await p.enqueue("a", "b", "c");
    await p.close();
    expect(await p.readUpTo(0)).toEqual([[], []]);
    expect(await p.readUpTo(5)).toEqual([["a"], ["a"]]);
    expect(await p.readUpTo(5)).toEqual([["b"], ["b"]]);
    expect(await p.readUpTo(5)).toEqual([["c"], ["c"]]);
    expect(await p.produced()).toBe(3);
    await expect(p.readUpTo(5)).rejects.toThrow(CLOSED);
  });
});

describe("serialize and restore (IdentityReader, WholeFileReader only)", () => {
  it("testSerializeRestore: a saved state brings the counters back", async () => {
    const p = identity();
    await p.enqueue("X", "Y", "Z");
    expect(await p.read()).toEqual(["X", "X"]);
    expect(await p.produced()).toBe(1);
    const state = await p.serialize();
    await p.read();
    await p.read();
    expect(await p.produced()).toBe(3);
    await p.enqueue("Y", "Z");
    await p.close();
    await p.restore(state);
    expect(await p.produced()).toBe(1);
    expect(await p.read()).toEqual(["Y", "Y"]);
    expect(await p.read()).toEqual(["Z", "Z"]);
    await expect(p.read()).rejects.toBeInstanceOf(OutOfRangeError);
    expect(await p.produced()).toBe(3);
  });

  it("bytes that do not parse: InvalidArgument with the C-escaped bytes, and the reader is reset", async () => {
    const p = identity();
    await p.enqueue("X");
    await p.read();
    const state = await p.serialize();
    const junk = (s: string): Uint8Array => enc.encode(s);
    const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((x) => [...x]));
    for (const bad of [state.subarray(1), state.subarray(0, -1), cat(state, junk("ExtraJunk")), cat(junk("PREFIX"), state), cat(junk("BOGUS"), state.subarray(5))]) {
      const err = await errorOf(p.restore(bad));
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect(err.message).toMatch(/^Could not parse state for IdentityReader 'test_reader': /);
      expect(await p.produced()).toBe(0);
    }
  });

  it("negative or inconsistent counters, and a state that is not a scalar", async () => {
    const p = identity();
    // work_started = -1 (field 1, varint of 2^64-1).
    const negative = Uint8Array.of(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
    expect((await errorOf(p.restore(negative))).message).toBe(
      "Unexpected negative value when restoring in IdentityReader 'test_reader': work_started: -1",
    );
    const inconsistent = Uint8Array.of(0x08, 0x02, 0x10, 0x01, 0x22, 0x01, 0x58);
    expect((await errorOf(p.restore(inconsistent))).message).toBe(
      "Inconsistent work started vs. finished when restoring in IdentityReader 'test_reader': work_started: 2 work_finished: 1 current_work: \"X\"",
    );
    const state = await p.serialize();
    expect((await errorOf(p.restore([state, state]))).message).toBe("Reader state must be scalar, but had shape: [2]");
  });

  it("other readers: Unimplemented 'Reader SerializeState' / 'Reader RestoreState'", async () => {
    const p = new ReaderPipeline(() => new TextLineReader());
    const err = await errorOf(p.serialize());
    expect(err).toBeInstanceOf(UnimplementedError);
    expect(err.message).toBe("Reader SerializeState");
    expect((await errorOf(p.restore(new Uint8Array(0)))).message).toBe("Reader RestoreState");
    expect(new WholeFileReader().supportsSerialize).toBe(true);
  });
});

describe("blocking, cancellation and turn-taking", () => {
  it("an open empty queue blocks the read; the step's signal cancels it", async () => {
    const p = identity();
    const abort = new AbortController();
    const pending = errorOf(p.read({ signal: abort.signal }));
    await new Promise((r) => setTimeout(r, 20));
    abort.abort();
    const err = await pending;
    expect(err).toBeInstanceOf(CancelledError);
    await p.enqueue("later");
    expect(await p.read()).toEqual(["later", "later"]);
  });

  it("concurrent reads of one reader take turns, each with its own unit", async () => {
    const p = identity();
    const reads = [p.read(), p.read(), p.read()];
    await new Promise((r) => setTimeout(r, 10));
    await p.enqueue("1", "2", "3");
    expect((await Promise.all(reads)).map(([k]) => k).sort()).toEqual(["1", "2", "3"]);
  });

  it("a read waiting for the reader's lock is cancellable too", async () => {
    const p = identity();
    const first = p.read();
    const abort = new AbortController();
    const second = errorOf(p.read({ signal: abort.signal }));
    await new Promise((r) => setTimeout(r, 10));
    abort.abort();
    expect(await second).toBeInstanceOf(CancelledError);
    await p.enqueue("only");
    expect(await first).toEqual(["only", "only"]);
  });

  it("clearing the container fails waiting reads", async () => {
    const p = identity();
    const blocked = p.read();
    const waiting = errorOf(p.read());
    await new Promise((r) => setTimeout(r, 10));
    p.session.resources.clearAll();
    expect(await waiting).toBeInstanceOf(CancelledError);
    expect(await errorOf(blocked)).toBeInstanceOf(CancelledError);
  });
});

describe("the work queue", () => {
  it("must hold strings", async () => {
    const p = new ReaderPipeline(() => new IdentityReader(), new MiniSession(), { dtypes: "int32" });
    await p.enqueue(1);
    const err = await errorOf(p.read());
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.message).toBe("Expected queue with single string component");
    expect(await p.size()).toBe(0);
  });

  it("must be on the reader's task", async () => {
    const p = identity();
    const err = await errorOf(
      p.read({ deviceFor: (op) => (op.type === "FIFOQueueV2" ? "/job:ps/replica:0/task:0/device:CPU:0" : "/job:localhost/replica:0/task:0/device:CPU:0") }),
    );
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.message).toContain("must be on the reader's device");
    expect(err.message).toContain("located in device /job:ps/replica:0/task:0/device:CPU:0");
  });
});

describe("sharing", () => {
  it("readers with one shared name are one reader, across sessions", async () => {
    const a = identity(new MiniSession(undefined, "sa"), "shared_reader");
    await a.enqueue("x");
    await a.read();
    const b = identity(new MiniSession(a.session.resources, "sb"), "shared_reader");
    expect(await b.produced()).toBe(1);
  });

  it("a reader of another kind under the same name is an error; '_' names are reserved", async () => {
    const a = identity(undefined, "taken");
    await a.produced();
    const b = new ReaderPipeline(() => new TextLineReader({ sharedName: "taken" }), a.session);
    await expect(b.produced()).rejects.toThrow("Reader localhost/taken shared by TextLineReader 'TextLineReaderV2' is IdentityReader 'test_reader'");
    const c = new ReaderPipeline(() => new TextLineReader({ sharedName: "_private" }));
    await expect(c.produced()).rejects.toThrow("shared_name cannot start with '_':_private");
  });

  it("without a shared name each session has its own reader, released with the session", async () => {
    const s1 = new MiniSession(undefined, "s1");
    const p1 = identity(s1);
    await p1.enqueue("a");
    await p1.read();
    const p1again = new ReaderPipeline(() => new IdentityReader({ name: "test_reader" }), new MiniSession(s1.resources, "s2"));
    expect(await p1again.produced()).toBe(0);
    expect(await p1.produced()).toBe(1);
    const readers = () => s1.resources.entries().filter((e) => e.kind === READER_RESOURCE_KIND).length;
    expect(readers()).toBe(2);
    s1.resources.releaseSession("s1");
    expect(readers()).toBe(1);
  });

  it("a handle to a reader that does not exist is NotFound, naming the node", async () => {
    const handle = new NDArray("resource", [], [{ device: DEVICE, container: "", name: "nope", kind: READER_RESOURCE_KIND }]);
    const err = await errorOf(Promise.resolve().then(() => runKernel("ReaderNumRecordsProducedV2", [handle], undefined, "count")));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.message).toBe("Resource localhost/nope/Reader does not exist.");
    expect((err as NotFoundError).nodeName).toBe("count");
  });
});
