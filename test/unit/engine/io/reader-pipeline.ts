/**
 * A filename queue and one reader wired up with every reader op, run through MiniSession: what
 * the reader tests drive. The queue holds strings; `enqueue` feeds names, `close` closes it.
 */
import { FIFOQueue } from "../../../../src/graph/ops/data-flow.js";
import { placeholder } from "../../../../src/graph/ops/creation.js";
import type { ReaderBase } from "../../../../src/graph/ops/io.js";
import { Graph } from "../../../../src/graph/graph.js";
import type { Operation } from "../../../../src/graph/graph.js";
import type { Tensor } from "../../../../src/graph/tensor.js";
import { NDArray, ndarray } from "../../../../src/tensor/ndarray.js";
import { MiniSession, texts } from "./io-harness.js";
import type { RunOptions } from "./io-harness.js";

export class ReaderPipeline {
  readonly graph = new Graph();
  readonly reader: ReaderBase;
  private readonly names: Tensor;
  private readonly count: Tensor;
  private readonly state: Tensor;
  private readonly ops: {
    enqueue: Operation;
    close: Operation;
    read: [Tensor, Tensor];
    readUpTo: [Tensor, Tensor];
    produced: Tensor;
    completed: Tensor;
    reset: Operation;
    size: Tensor;
    serialize: Tensor;
    restore: Operation;
  };

  constructor(
    makeReader: () => ReaderBase,
    readonly session = new MiniSession(),
    queueOptions: { sharedName?: string; dtypes?: "string" | "int32" } = {},
  ) {
    const built = this.graph.asDefault(() => {
      const dtype = queueOptions.dtypes ?? "string";
      const q = new FIFOQueue({ capacity: 100, dtypes: dtype, shapes: [[]], ...(queueOptions.sharedName ? { sharedName: queueOptions.sharedName } : {}) });
      const reader = makeReader();
      const names = placeholder(dtype, [null], { name: "names" });
      const count = placeholder("int64", [], { name: "count" });
      const state = placeholder("string", null, { name: "state" });
      return {
        reader,
        names,
        count,
        state,
        ops: {
          enqueue: q.enqueueMany(names),
          close: q.close(),
          read: reader.read(q),
          readUpTo: reader.readUpTo(q, count),
          produced: reader.numRecordsProduced(),
          completed: reader.numWorkUnitsCompleted(),
          reset: reader.reset(),
          size: q.size(),
          serialize: reader.serializeState(),
          restore: reader.restoreState(state),
        },
      };
    });
    this.reader = built.reader;
    this.names = built.names;
    this.count = built.count;
    this.state = built.state;
    this.ops = built.ops;
  }

  async enqueue(...names: (string | number)[]): Promise<void> {
    const value = typeof names[0] === "number" ? ndarray(names, { dtype: "int32" }) : ndarray(names.map(String), { dtype: "string", shape: [names.length] });
    await this.session.run(this.ops.enqueue, { feeds: new Map([[this.names, value]]) });
  }

  async close(): Promise<void> {
    await this.session.run(this.ops.close);
  }

  /** [key, value] of one read. */
  async read(options: RunOptions = {}): Promise<[string, string]> {
    const [k, v] = await this.session.run(this.ops.read[0], options);
    return [texts(k!)[0]!, texts(v!)[0]!];
  }

  /** The raw value bytes of one read. */
  async readBytes(): Promise<Uint8Array> {
    const [, v] = await this.session.run(this.ops.read[0]);
    return (v!.data as Uint8Array[])[0]!;
  }

  async readUpTo(n: number, options: RunOptions = {}): Promise<[string[], string[]]> {
    const [k, v] = await this.session.run(this.ops.readUpTo[0], { ...options, feeds: new Map([[this.count, ndarray(BigInt(n), { dtype: "int64" })]]) });
    return [texts(k!), texts(v!)];
  }

  /** Reads until OutOfRange; returns the [key, value] pairs. */
  async readAll(): Promise<[string, string][]> {
    const out: [string, string][] = [];
    for (let i = 0; i < 10_000; i++) {
      try {
        out.push(await this.read());
      } catch (err) {
        if ((err as Error).name === "OutOfRangeError") return out;
        throw err;
      }
    }
    throw new Error("readAll: no end after 10000 records");
  }

  async produced(): Promise<number> {
    return Number((await this.session.value(this.ops.produced)).item());
  }

  async completed(): Promise<number> {
    return Number((await this.session.value(this.ops.completed)).item());
  }

  async size(): Promise<number> {
    return Number((await this.session.value(this.ops.size)).item());
  }

  async reset(): Promise<void> {
    await this.session.run(this.ops.reset);
  }

  async serialize(): Promise<Uint8Array> {
    return ((await this.session.value(this.ops.serialize)).data as Uint8Array[])[0]!;
  }

  async restore(state: Uint8Array | Uint8Array[]): Promise<void> {
    const value = Array.isArray(state) ? new NDArray("string", [state.length], state) : new NDArray("string", [], [state]);
    await this.session.run(this.ops.restore, { feeds: new Map([[this.state, value]]) });
  }
}
