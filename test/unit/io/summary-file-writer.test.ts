/**
 * tf.summary.FileWriter (tf-training.md §7.4-7.5): the event file is read back here with TF's
 * own Event/Summary schema (event.proto, summary.proto as .proto text in this test, not the
 * product's) and TFRecord framing checked by hand (masked CRC32C of length and data), field by
 * field: file name, the brain.Event:2 first record, SessionLog, summaries with step and wall
 * time, the graph as GraphDef bytes. Time comes from a manual clock, so nothing sleeps.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import crc32cModule from "crc-32/crc32c.js";
import protobuf from "protobufjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../../../src/engine/kernels/all.js";
import { Graph } from "../../../src/graph/graph.js";
import { constant } from "../../../src/graph/ops/creation.js";
import { histogram, merge, scalar } from "../../../src/graph/ops/summary.js";
import { FileWriter, FileWriterCache, SessionStatus } from "../../../src/io/summary.js";
import { decodeGraphDef } from "../../../src/transport/wire/graph-codec.js";
import type { Clock } from "../../../src/util/env.js";
import { captureStderr } from "../../helpers/stderr.js";
import { MiniSession } from "../engine/io/io-harness.js";

const TF_EVENT_PROTO = `
syntax = "proto3";
package tensorflow;
message TensorProto { int32 dtype = 1; repeated bytes string_val = 8; }
message HistogramProto { double min = 1; double max = 2; double num = 3; double sum = 4; double sum_squares = 5;
  repeated double bucket_limit = 6 [packed = true]; repeated double bucket = 7 [packed = true]; }
message SummaryMetadata { message PluginData { string plugin_name = 1; bytes content = 2; }
  PluginData plugin_data = 1; string display_name = 2; string summary_description = 3; }
message Summary {
  message Value { string node_name = 7; string tag = 1; SummaryMetadata metadata = 9;
    oneof value { float simple_value = 2; bytes obsolete_old_style_histogram = 3; HistogramProto histo = 5; TensorProto tensor = 8; } }
  repeated Value value = 1;
}
message SessionLog { enum SessionStatus { STATUS_UNSPECIFIED = 0; START = 1; STOP = 2; CHECKPOINT = 3; }
  SessionStatus status = 1; string checkpoint_path = 2; string msg = 3; }
message TaggedRunMetadata { string tag = 1; bytes run_metadata = 2; }
message Event { double wall_time = 1; int64 step = 2;
  oneof what { string file_version = 3; bytes graph_def = 4; Summary summary = 5; SessionLog session_log = 7;
               TaggedRunMetadata tagged_run_metadata = 8; bytes meta_graph_def = 9; } }
`;
const eventType = protobuf.parse(TF_EVENT_PROTO, { keepCase: true }).root.lookupType("tensorflow.Event");

interface DecodedEvent {
  wall_time: number;
  step: number;
  file_version?: string;
  graph_def?: Uint8Array;
  summary?: { value: { tag: string; simple_value?: number; histo?: { num: number; bucket: number[] } }[] };
  session_log?: { status: number };
}

const mask = (crc: number): number => ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
const maskedCrc = (b: Uint8Array): number => mask(crc32cModule.buf(b, 0) >>> 0);

/** The records of a TFRecord file, each CRC checked. */
function records(path: string): Uint8Array[] {
  const buf = new Uint8Array(readFileSync(path));
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Uint8Array[] = [];
  for (let p = 0; p < buf.length; ) {
    const len = Number(view.getBigUint64(p, true));
    expect(view.getUint32(p + 8, true)).toBe(maskedCrc(buf.subarray(p, p + 8)));
    const data = buf.subarray(p + 12, p + 12 + len);
    expect(view.getUint32(p + 12 + len, true)).toBe(maskedCrc(data));
    out.push(data);
    p += 16 + len;
  }
  return out;
}

function events(path: string): DecodedEvent[] {
  return records(path).map((r) => eventType.toObject(eventType.decode(r), { longs: Number, defaults: true, oneofs: true }) as DecodedEvent);
}

/** A clock the test moves by hand; timers are recorded, never fired on their own. */
class ManualClock implements Clock {
  micros = 1_571_234_567_250_000;
  timers: { delayMs: number; fn: () => void; cancelled: boolean }[] = [];
  nowMs = (): number => this.micros / 1000;
  nowMicros = (): number => this.micros;
  setTimer(delayMs: number, fn: () => void): () => void {
    const t = { delayMs, fn, cancelled: false };
    this.timers.push(t);
    return () => {
      t.cancelled = true;
    };
  }
}

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tfcluster-events-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function summaryValue(build: () => ReturnType<typeof scalar>): Promise<{ graph: Graph; value: Awaited<ReturnType<MiniSession["value"]>> }> {
  const graph = new Graph();
  const t = graph.asDefault(build);
  return { graph, value: await new MiniSession().value(t) };
}

describe("FileWriter", () => {
  it("testAddingSummaryGraphAndRunMetadata: file name, version record, session log, summaries, graph; every field", async () => {
    const clock = new ManualClock();
    const logdir = join(dir, "run1", "nested");
    const w = new FileWriter(logdir, { clock });
    w.addSessionLog({ status: SessionStatus.START }, 1);
    clock.micros += 500_000;
    const { graph, value } = await summaryValue(() => merge([scalar("mee", constant(10.5)), histogram("h", constant([1, 2]))]));
    w.addSummary(value, 10);
    w.addSummary({ value: [{ tag: "boo", simpleValue: 20 }] }, 20n);
    w.addGraph(graph, 30);
    w.addRunMetadata({ stepStats: { devStats: [] } }, "test run", 40);
    expect(() => w.addRunMetadata({}, "test run", 41)).toThrow("The provided tag was already used for this event type");
    await w.close();

    expect(readdirSync(logdir)).toEqual([`events.out.tfevents.1571234567.${hostname()}`]);
    expect(w.path).toBe(join(logdir, `events.out.tfevents.1571234567.${hostname()}`));
    const ev = events(w.path);
    expect(ev.length).toBe(6);
    expect(ev[5]).toMatchObject({ step: 40, tagged_run_metadata: { tag: "test run" } });
    expect(ev[0]).toMatchObject({ wall_time: 1571234567, step: 0, file_version: "brain.Event:2" });
    expect(ev[1]).toMatchObject({ wall_time: 1571234567.25, step: 1, session_log: { status: 1 } });
    expect(ev[2]!.wall_time).toBe(1571234567.75);
    expect(ev[2]!.step).toBe(10);
    expect(ev[2]!.summary!.value.map((v) => v.tag)).toEqual(["mee", "h"]);
    expect(ev[2]!.summary!.value[0]!.simple_value).toBe(10.5);
    expect(ev[2]!.summary!.value[1]!.histo!.num).toBe(2);
    expect(ev[3]).toMatchObject({ step: 20, summary: { value: [{ tag: "boo", simple_value: 20 }] } });
    expect(ev[4]!.step).toBe(30);
    const gd = decodeGraphDef(ev[4]!.graph_def!);
    expect(gd.node.map((n) => n.op)).toContain("MergeSummary");
    expect(gd.node.length).toBe(graph.getOperations().length);
  });

  it("a graph given to the constructor is written at once; events wait for flushSecs or flush()", async () => {
    const clock = new ManualClock();
    const graph = new Graph();
    graph.asDefault(() => constant(1, { name: "c" }));
    const w = new FileWriter(join(dir, "run2"), { clock, graph, flushSecs: 5 });
    w.addSummary({ value: [{ tag: "a", simpleValue: 1 }] }, 1);
    expect(clock.timers.map((t) => t.delayMs)).toEqual([5000]);
    w.addSummary({ value: [{ tag: "a", simpleValue: 2 }] }, 2);
    expect(clock.timers.length).toBe(1);
    await w.flush();
    expect(clock.timers[0]!.cancelled).toBe(true);
    const ev = events(w.path);
    expect(ev.map((e) => (e.file_version ? "version" : e.graph_def ? "graph" : `summary@${e.step}`))).toEqual(["version", "graph", "summary@1", "summary@2"]);
    w.addSummary({ value: [{ tag: "a", simpleValue: 3 }] }, 3);
    clock.timers[1]!.fn();
    await w.close();
    expect(events(w.path).length).toBe(5);
  });

  it("testUseAfterClose and testCloseAndReopen: a warning and no-op, then a second file", async () => {
    const clock = new ManualClock();
    const logdir = join(dir, "run3");
    const w = new FileWriter(logdir, { clock });
    w.addSessionLog({ status: SessionStatus.START }, 1);
    await w.close();
    const { text } = await captureStderr(async () => w.addSummary({ value: [{ tag: "x", simpleValue: 1 }] }, 2));
    expect(text).toContain("Attempting to use a closed FileWriter. The operation will be a noop unless the FileWriter is explicitly reopened.");
    expect(events(w.path).length).toBe(2);
    clock.micros += 2_000_000;
    w.reopen();
    w.addSessionLog({ status: "STOP" }, 3);
    await w.close();
    expect(readdirSync(logdir).sort()).toEqual([`events.out.tfevents.1571234567.${hostname()}`, `events.out.tfevents.1571234569.${hostname()}`]);
    expect(events(w.path).map((e) => e.session_log?.status ?? e.file_version)).toEqual(["brain.Event:2", 2]);
  });

  it("testFileWriterWithSuffix: the file exists at once and its name ends with the suffix", async () => {
    const w = new FileWriter(join(dir, "run4"), { clock: new ManualClock(), filenameSuffix: ".test_suffix" });
    await w.flush();
    expect(readdirSync(join(dir, "run4"))).toEqual([`events.out.tfevents.1571234567.${hostname()}.test_suffix`]);
    expect(events(w.path).map((e) => e.file_version)).toEqual(["brain.Event:2"]);
    await w.close();
  });

  it("a tag's metadata is written with its first value only (TF's _seen_summary_tags)", async () => {
    const w = new FileWriter(join(dir, "run6"), { clock: new ManualClock() });
    const text = { value: [{ tag: "t", metadata: { pluginData: { pluginName: "text" } }, simpleValue: 1 }] };
    w.addSummary(text, 1);
    w.addSummary(text, 2);
    await w.close();
    const values = events(w.path).slice(1).map((e) => (e.summary!.value[0] as { metadata?: unknown }).metadata);
    expect((values[0] as { plugin_data: { plugin_name: string } }).plugin_data.plugin_name).toBe("text");
    expect(values[1]).toBeNull();
  });

  it("addSummary refuses bytes that are no Summary", () => {
    const w = new FileWriter(join(dir, "run5"), { clock: new ManualClock() });
    expect(() => w.addSummary(new TextEncoder().encode("garbage"), 1)).toThrow("not a serialized Summary");
  });

  it("FileWriterCache test_cache / test_clear: one writer per directory until cleared", async () => {
    const clock = new ManualClock();
    const a = FileWriterCache.get(join(dir, "cache_a"), { clock });
    expect(FileWriterCache.get(join(dir, "cache_a", ".."), { clock })).not.toBe(a);
    expect(FileWriterCache.get(join(dir, "cache_a"))).toBe(a);
    expect(FileWriterCache.get(join(dir, "x", "..", "cache_a"))).toBe(a);
    await FileWriterCache.clear();
    const b = FileWriterCache.get(join(dir, "cache_a"), { clock });
    expect(b).not.toBe(a);
    // Created with the default graph, so its file is written at once.
    await b.flush();
    expect(events(b.path).map((e) => (e.file_version ? "version" : e.graph_def ? "graph" : "?"))).toEqual(["version", "graph"]);
    await FileWriterCache.clear();
  });
});
