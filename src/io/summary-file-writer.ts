/**
 * tf.summary.FileWriter (python/summary/writer/writer.py, event_file_writer.py; core/util/
 * events_writer.cc; tf-training.md §7.4): Events, one uncompressed TFRecord each, in
 * `<logdir>/events.out.tfevents.<10-digit secs>.<host><suffix>`, the first record being
 * `Event{wall_time: <those secs>, file_version: "brain.Event:2"}`. Adds are synchronous and
 * buffered; the buffer goes to the file with the first event, then at most every `flushSecs`
 * (a timer of the injected clock), and on `flush()` / `close()`.
 */
import { mkdir, open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { InvalidArgumentError } from "../errors/index.js";
import type { OpError } from "../errors/index.js";
import { fileError } from "../engine/io/file-errors.js";
import { encodeRecord } from "../engine/io/tfrecord-format.js";
import type { Graph } from "../graph/graph.js";
import { NDArray } from "../tensor/ndarray.js";
import { encodeRunMetadata } from "../transport/wire/common-codec.js";
import { encodeGraphDef } from "../transport/wire/graph-codec.js";
import type { RunMetadata } from "../transport/messages.js";
import { decodeSummaryValues, encodeEvent, encodeSummary, encodeSummaryValues, SessionStatus } from "../transport/wire/summary-codec.js";
import type { EventProto, SessionLogProto, SummaryProto, SummaryValueWire } from "../transport/wire/summary-codec.js";
import { systemClock } from "../util/env.js";
import type { Clock } from "../util/env.js";
import { log } from "../util/logger.js";

export interface FileWriterOptions {
  /** Written as the file's graph event at once (Event.graph_def). */
  graph?: Graph;
  /** Longest time events wait in memory before going to the file; 120 s by default. */
  flushSecs?: number;
  /** Appended to every event file's name. */
  filenameSuffix?: string;
  /** Time source for file names, wall times and the flush timer; the system clock by default. */
  clock?: Clock;
}

/** A SessionLog whose status is SessionStatus's number or name. */
export type SessionLogInput = Omit<SessionLogProto, "status"> & { status: number | keyof typeof SessionStatus };

/** What addSummary takes: the fetched string NDArray, its bytes, or a Summary object. */
export type SummaryInput = NDArray | Uint8Array | SummaryProto;

const FILE_VERSION = "brain.Event:2";
const CLOSED_WARNING = "Attempting to use a closed FileWriter. The operation will be a noop unless the FileWriter is explicitly reopened.";

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** An Event's bytes with serialized Summary bytes as field 5, spliced in without a re-encode. */
function eventWithSummary(head: Uint8Array, summary: Uint8Array): Uint8Array {
  const tag = [0x2a, ...varint(summary.length)];
  const out = new Uint8Array(head.length + tag.length + summary.length);
  out.set(head, 0);
  out.set(tag, head.length);
  out.set(summary, head.length + tag.length);
  return out;
}

function summaryBytes(summary: SummaryInput): Uint8Array {
  if (summary instanceof NDArray) {
    if (summary.dtype !== "string" || summary.size !== 1) {
      throw new InvalidArgumentError(`addSummary expects a scalar string (a serialized Summary), got ${summary.dtype} [${summary.shape.join(",")}]`);
    }
    return (summary.data as Uint8Array[])[0]!;
  }
  if (summary instanceof Uint8Array) return summary;
  return encodeSummary(summary);
}

/**
 * Writes event files that TensorBoard reads.
 * @example
 * const writer = new tf.summary.FileWriter("/tmp/logs", {graph: sess.graph});
 * writer.addSummary(await sess.run(merged), step);
 * await writer.close();
 */
export class FileWriter {
  private readonly clock: Clock;
  private readonly flushMs: number;
  private readonly suffix: string;
  private pending: Uint8Array[] = [];
  private file: Promise<FileHandle> | null = null;
  private writing: Promise<void> = Promise.resolve();
  private cancelTimer: (() => void) | null = null;
  private error: OpError | null = null;
  private closed = false;
  private readonly seenTags = new Set<string>();
  private readonly runTags = new Set<string>();
  /** The current event file's path ("" before the first write). */
  path = "";

  constructor(
    readonly logdir: string,
    options: FileWriterOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.flushMs = (options.flushSecs ?? 120) * 1000;
    this.suffix = options.filenameSuffix ?? "";
    if (options.filenameSuffix !== undefined) this.ensureFile();
    if (options.graph) this.addGraph(options.graph);
  }

  private wallTime(): number {
    return this.clock.nowMicros() / 1e6;
  }

  /** Opens a new event file (logdir created if needed) and queues its file_version record. */
  private ensureFile(): void {
    if (this.file) return;
    const secs = Math.floor(this.clock.nowMicros() / 1e6);
    this.path = join(this.logdir, `events.out.tfevents.${String(secs).padStart(10, "0")}.${hostname()}${this.suffix}`);
    const path = this.path;
    this.file = (async () => {
      await mkdir(this.logdir, { recursive: true });
      return open(path, "w");
    })();
    this.file.catch((err: unknown) => {
      this.error ??= fileError(path, err);
    });
    this.pending.push(encodeRecord(encodeEvent({ wallTime: secs, fileVersion: FILE_VERSION })));
    // The version record and the first event go out at once; later ones wait for the timer.
    this.writeOut();
  }

  private enqueue(eventBytes: Uint8Array): void {
    if (this.closed) {
      log.warn(CLOSED_WARNING);
      return;
    }
    const first = !this.file;
    this.ensureFile();
    this.pending.push(encodeRecord(eventBytes));
    if (first) this.writeOut();
    else if (!this.cancelTimer) this.cancelTimer = this.clock.setTimer(this.flushMs, () => this.writeOut());
  }

  /** Appends the buffered records to the file, in order, after any write in progress. */
  private writeOut(): Promise<void> {
    if (this.cancelTimer) {
      this.cancelTimer();
      this.cancelTimer = null;
    }
    const records = this.pending;
    this.pending = [];
    const file = this.file;
    if (records.length === 0 || !file) return this.writing;
    const path = this.path;
    this.writing = this.writing.then(async () => {
      if (this.error) return;
      try {
        const fh = await file;
        for (const r of records) await fh.write(r);
      } catch (err) {
        this.error ??= fileError(path, err);
      }
    });
    return this.writing;
  }

  /** Adds an Event as given. */
  addEvent(event: EventProto): void {
    this.enqueue(encodeEvent(event));
  }

  /**
   * Adds a Summary (the fetched string, its bytes or an object) at `globalStep`. As TF does, a
   * value's metadata is kept only the first time its tag comes with metadata.
   */
  addSummary(summary: SummaryInput, globalStep?: number | bigint): void {
    let bytes = summaryBytes(summary);
    let values: SummaryValueWire[];
    try {
      values = decodeSummaryValues(bytes);
    } catch {
      throw new InvalidArgumentError("addSummary: the bytes given are not a serialized Summary");
    }
    let stripped = false;
    for (const v of values) {
      if (!v.metadata) continue;
      const tag = v.tag ?? "";
      if (this.seenTags.has(tag)) {
        delete v.metadata;
        stripped = true;
      } else this.seenTags.add(tag);
    }
    if (stripped) bytes = encodeSummaryValues(values);
    this.enqueue(eventWithSummary(encodeEvent(this.stamped(globalStep)), bytes));
  }

  /** Adds the graph as serialized GraphDef bytes (Event.graph_def). */
  addGraph(graph: Graph, globalStep?: number | bigint): void {
    this.enqueue(encodeEvent({ ...this.stamped(globalStep), graphDef: encodeGraphDef(graph.toGraphDef()) }));
  }

  /**
   * Adds a step's RunMetadata (serialized, as TaggedRunMetadata) under `tag`, which must be new
   * to this writer.
   */
  addRunMetadata(runMetadata: RunMetadata, tag: string, globalStep?: number | bigint): void {
    if (this.runTags.has(tag)) throw new RangeError("The provided tag was already used for this event type");
    this.runTags.add(tag);
    this.enqueue(encodeEvent({ ...this.stamped(globalStep), taggedRunMetadata: { tag, runMetadata: encodeRunMetadata(runMetadata) } }));
  }

  /** Adds a SessionLog at `globalStep`; the status as its number or name ("START", "STOP", "CHECKPOINT"). */
  addSessionLog(sessionLog: SessionLogInput, globalStep?: number | bigint): void {
    const status = typeof sessionLog.status === "string" ? SessionStatus[sessionLog.status] : sessionLog.status;
    if (status === undefined) throw new InvalidArgumentError(`Unknown SessionLog status ${String(sessionLog.status)}`);
    this.enqueue(encodeEvent({ ...this.stamped(globalStep), sessionLog: { ...sessionLog, status } }));
  }

  private stamped(globalStep: number | bigint | undefined): EventProto {
    const e: EventProto = { wallTime: this.wallTime() };
    if (globalStep !== undefined) e.step = Number(globalStep);
    return e;
  }

  /** Writes every event added so far to the file. */
  async flush(): Promise<void> {
    await this.writeOut();
    if (this.error) throw this.error;
  }

  /** Flushes and closes the file; later adds warn and do nothing until `reopen()`. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writeOut();
    const file = this.file;
    this.file = null;
    if (file) {
      try {
        await (await file).close();
      } catch (err) {
        this.error ??= fileError(this.path, err);
      }
    }
    if (this.error) throw this.error;
  }

  /** After `close()`: the next add starts a new event file with a fresh timestamp. */
  reopen(): void {
    if (!this.closed) return;
    this.closed = false;
    this.error = null;
  }
}
