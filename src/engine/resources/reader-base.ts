/**
 * TF's ReaderBase (core/framework/reader_base.cc): the engine every reader shares. A reader turns
 * string work units (file names) dequeued from a queue into (key, value) records, holding at most
 * one unit at a time: a read dequeues a unit when none is in progress, starts it, and reads until
 * it yields a record — finishing units that end without one, so empty files are skipped and one
 * read may use up several names. A failed start (a missing file) loses the name, so the next read
 * moves on; a failed read keeps the unit, so a retry resumes it. Reads, resets and state changes
 * take turns on the reader's lock, in arrival order.
 */
import type { IoGate } from "../../util/env.js";
import { CancelledError, InternalError, InvalidArgumentError, UnimplementedError } from "../../errors/index.js";
import type { NDArray } from "../../tensor/ndarray.js";
import { ReaderLock } from "./reader-lock.js";
import { decodeReaderState, describeReaderState, encodeReaderState, cEscape } from "./reader-state.js";
import type { Resource } from "./resource-manager.js";
import type { TaskPolicy } from "../kernels/registry.js";
import { openByteSource } from "../io/byte-source.js";
import type { ByteSource } from "../io/byte-source.js";
import { FileAccess } from "../io/file-access.js";
import { DEFAULT_MAX_TENSOR_BYTES } from "../../tensor/budget.js";
import type { CompressionType } from "../io/tfrecord-format.js";

/** Every reader kind shares one resource kind, as TF's ReaderInterface does, so kinds collide by name. */
export const READER_RESOURCE_KIND = "Reader";

export interface ReaderRecord {
  key: Uint8Array;
  value: Uint8Array;
}

/** What one ReadLocked call achieved: a record, the end of the unit, or both. */
export interface ReadStep {
  record: ReaderRecord | null;
  atEnd: boolean;
}

/** ReadUpToLocked: up to n records of the current unit, and whether it ended. */
export interface ReadBatchStep {
  records: ReaderRecord[];
  atEnd: boolean;
}

export interface ReadOptions {
  /** Dequeues one element of the work queue; blocks until there is one, and the step can cancel it. */
  dequeue: () => Promise<NDArray[]>;
  signal?: AbortSignal;
}

const EMPTY = new Uint8Array(0);
const utf8 = new TextEncoder();

/** `<work>:<suffix>`, the key format of the file readers (the work's bytes kept as they are). */
export function workKey(work: Uint8Array, suffix: number | string): Uint8Array {
  const tail = utf8.encode(`:${suffix}`);
  const key = new Uint8Array(work.length + tail.length);
  key.set(work, 0);
  key.set(tail, work.length);
  return key;
}

/** The work unit in a dequeued tuple, with TF's checks (made after the element left the queue). */
function workOf(tuple: NDArray[]): Uint8Array {
  if (tuple.length !== 1) throw new InvalidArgumentError("Expected single component queue");
  const t = tuple[0]!;
  if (t.dtype !== "string") throw new InvalidArgumentError("Expected queue with single string component");
  if (t.size !== 1) throw new InvalidArgumentError("Expected to dequeue a one-element string tensor");
  return (t.data as Uint8Array[])[0]!;
}

export abstract class ReaderResource implements Resource {
  readonly kind = READER_RESOURCE_KIND;
  /** TF's class name: "TextLineReader", ... */
  abstract readonly typeName: string;
  private readonly lock = new ReaderLock();
  private workStarted = 0;
  private workFinished = 0;
  private recordsProduced = 0;
  /** The current (or last) work unit. */
  protected work: Uint8Array = EMPTY;
  /** The task's file roots and tensor budget; the kernel creating the reader sets it. */
  policy: TaskPolicy = { files: FileAccess.unrestricted, maxTensorBytes: DEFAULT_MAX_TENSOR_BYTES };
  /** The task's I/O gate (simulations order file I/O by it). */
  io: IoGate | undefined = undefined;

  /** `nodeName`: the reader op's node, which names the reader in messages. */
  constructor(readonly nodeName: string) {}

  /** The reader in messages: "TextLineReader 'my_reader'". */
  get displayName(): string {
    return `${this.typeName} '${this.nodeName}'`;
  }

  /** IdentityReader and WholeFileReader save and restore their state; the others do not. */
  protected get supportsSerialize(): boolean {
    return false;
  }

  get numRecordsProduced(): number {
    return this.recordsProduced;
  }

  get numWorkUnitsCompleted(): number {
    return this.workFinished;
  }

  private get workInProgress(): boolean {
    return this.workFinished < this.workStarted;
  }

  /** Opens the current work unit's file, after checking the task may read it. */
  protected async openWork(compression: CompressionType = "", work: Uint8Array = this.work): Promise<ByteSource> {
    const real = await this.policy.files.checkRead(this.typeName, work);
    return openByteSource(work, compression, real, this.io);
  }

  // ---- per reader kind ----

  /** Opens the unit in `this.work` (TF's OnWorkStartedLocked); a failure skips the unit. */
  protected onWorkStarted(): Promise<void> {
    return Promise.resolve();
  }
  /** Releases the finished unit (TF's OnWorkFinishedLocked). */
  protected onWorkFinished(): Promise<void> {
    return Promise.resolve();
  }
  /** Reads at most one record of the current unit (TF's ReadLocked). */
  protected abstract readLocked(): Promise<ReadStep>;
  /** Reads up to `n` records of the current unit; the base reads one (TF's ReadUpToLocked). */
  protected async readUpToLocked(_n: number): Promise<ReadBatchStep> {
    const step = await this.readLocked();
    return { records: step.record ? [step.record] : [], atEnd: step.atEnd };
  }
  /** Drops per-unit state such as an open file (TF's ResetLocked of the kind). */
  protected closeWork(): Promise<void> {
    return Promise.resolve();
  }

  // ---- operations ----

  private async withLock<T>(signal: AbortSignal | undefined, what: string, fn: () => Promise<T>): Promise<T> {
    const release = await this.lock.acquire(signal, `${what} on ${this.displayName}`);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Makes sure a unit is in progress: dequeues and starts one when needed. */
  private async ensureWork(options: ReadOptions): Promise<void> {
    if (this.workInProgress) return;
    this.work = workOf(await options.dequeue());
    await this.onWorkStarted();
    this.workStarted++;
  }

  private async finishWork(): Promise<void> {
    await this.onWorkFinished();
    this.workFinished = this.workStarted;
  }

  /** One record; OutOfRangeError (the queue's) once the queue is closed and no unit is left. */
  read(options: ReadOptions): Promise<ReaderRecord> {
    return this.withLock(options.signal, "Read", async () => {
      // Bounded by the queue: every round yields a record or finishes a dequeued unit.
      for (;;) {
        await this.ensureWork(options);
        const step = await this.readLocked();
        if (!step.atEnd && step.record === null) {
          throw new InternalError(`ReadLocked() for ${this.displayName} must set *at_end=true, *produced=true, or return an error.`);
        }
        if (step.atEnd) await this.finishWork();
        if (step.record) {
          this.recordsProduced++;
          return step.record;
        }
      }
    });
  }

  /**
   * Up to `n` records, all from one unit: a unit that ends after giving some records ends the call
   * early; one that ends without any is finished and the next is dequeued.
   */
  readUpTo(n: number, options: ReadOptions): Promise<ReaderRecord[]> {
    return this.withLock(options.signal, "ReadUpTo", async () => {
      const out: ReaderRecord[] = [];
      while (out.length < n) {
        await this.ensureWork(options);
        const step = await this.readUpToLocked(n - out.length);
        for (const r of step.records) out.push(r);
        this.recordsProduced += step.records.length;
        if (!step.atEnd && step.records.length === 0) {
          throw new InternalError(`ReadManyLocked() for ${this.displayName} must set *at_end=true, *num_produced > 0 or return an error.`);
        }
        if (step.atEnd) {
          await this.finishWork();
          if (out.length > 0) break;
        }
      }
      return out;
    });
  }

  /** Clears the counters and the current unit; the queue is left as it is. */
  reset(signal?: AbortSignal): Promise<void> {
    return this.withLock(signal, "Reset", () => this.resetLocked());
  }

  private async resetLocked(): Promise<void> {
    await this.closeWork();
    this.workStarted = 0;
    this.workFinished = 0;
    this.recordsProduced = 0;
    this.work = EMPTY;
  }

  /** A ReaderBaseState proto (IdentityReader, WholeFileReader), else UnimplementedError. */
  serializeState(signal?: AbortSignal): Promise<Uint8Array> {
    return this.withLock(signal, "SerializeState", async () => {
      if (!this.supportsSerialize) throw new UnimplementedError("Reader SerializeState");
      return encodeReaderState({
        workStarted: BigInt(this.workStarted),
        workFinished: BigInt(this.workFinished),
        numRecordsProduced: BigInt(this.recordsProduced),
        currentWork: this.work,
      });
    });
  }

  /** Restores a serialized state; on failure the reader is reset (TF's RestoreState). */
  restoreState(state: Uint8Array, signal?: AbortSignal): Promise<void> {
    return this.withLock(signal, "RestoreState", async () => {
      try {
        this.restoreLocked(state);
      } catch (err) {
        await this.resetLocked();
        throw err;
      }
    });
  }

  private restoreLocked(bytes: Uint8Array): void {
    if (!this.supportsSerialize) throw new UnimplementedError("Reader RestoreState");
    const state = decodeReaderState(bytes);
    if (state === null) throw new InvalidArgumentError(`Could not parse state for ${this.displayName}: ${cEscape(bytes)}`);
    this.workStarted = Number(state.workStarted);
    this.workFinished = Number(state.workFinished);
    this.recordsProduced = Number(state.numRecordsProduced);
    this.work = state.currentWork;
    if (state.workStarted < 0n || state.workFinished < 0n || state.numRecordsProduced < 0n) {
      throw new InvalidArgumentError(`Unexpected negative value when restoring in ${this.displayName}: ${describeReaderState(state)}`);
    }
    if (state.workStarted > state.workFinished) {
      throw new InvalidArgumentError(`Inconsistent work started vs. finished when restoring in ${this.displayName}: ${describeReaderState(state)}`);
    }
  }

  /** The container was cleared: waiting operations fail and the open file is closed. */
  destroy(reason: string): void {
    this.lock.failWaiters(new CancelledError(`${this.displayName} was destroyed (${reason})`));
    void this.closeWork();
  }

  describe(): Record<string, unknown> {
    return {
      type: this.typeName,
      node: this.nodeName,
      workStarted: this.workStarted,
      workFinished: this.workFinished,
      numRecordsProduced: this.recordsProduced,
      currentWork: this.workInProgress ? new TextDecoder().decode(this.work) : null,
      // A read in progress may be waiting for a work unit: a filename queue nobody fills shows here.
      reading: this.lock.isHeld,
      waiting: this.lock.waiting,
    };
  }
}
