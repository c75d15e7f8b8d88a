/**
 * Model-based property tests: random interleavings of queue operations from five concurrent
 * clients (enqueue, enqueueMany, dequeue, dequeueMany, dequeueUpTo, close, close with cancel,
 * cancel or time out a waiting attempt, a bad enqueue, an already-cancelled step) run against the
 * real queue resource and against the reference model in queue-model.ts. After every command the
 * attempts that finished, their values or errors (class and exact text), the size, the closed
 * state and the list of waiters must agree.
 *
 * Runs: TFCLUSTER_PROPERTY_RUNS (default 200 per queue kind). A failure prints its seed and
 * paths and the command line that replays it (TFCLUSTER_PROPERTY_SEED, TFCLUSTER_PROPERTY_PATH,
 * and TFCLUSTER_PROPERTY_REPLAY for fc.commands' own replay path).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DeadlineExceededError } from "../../../../src/errors/index.js";
import type { OpError } from "../../../../src/errors/index.js";
import { FIFOQueue } from "../../../../src/engine/resources/fifo-queue.js";
import { PaddingFIFOQueue } from "../../../../src/engine/resources/padding-fifo-queue.js";
import { PriorityQueue } from "../../../../src/engine/resources/priority-queue.js";
import type { QueueBase } from "../../../../src/engine/resources/queue-base.js";
import { RandomShuffleQueue } from "../../../../src/engine/resources/random-shuffle-queue.js";
import { NDArray } from "../../../../src/tensor/ndarray.js";
import type { NestedArray } from "../../../../src/tensor/ndarray.js";
import type { Random } from "../../../../src/util/env.js";
import { f32, i32, i64, ManualClock, str, tick, values, watch } from "./queue-helpers.js";
import { QueueModel } from "./queue-model.js";
import type { ModelConfig, ModelKind, Outcome } from "./queue-model.js";

const RUNS = Number(process.env.TFCLUSTER_PROPERTY_RUNS ?? 200);
const CLIENTS = 5;

/** A Random that returns scripted draws, so the model can make the same choices. */
class ScriptedRandom implements Random {
  private i = 0;
  constructor(private readonly draws: number[]) {}
  next(): number {
    return (this.draws[this.i++ % this.draws.length]! % 1000) / 1000;
  }
  int(n: number): number {
    return this.draws[this.i++ % this.draws.length]! % n;
  }
  fork(): Random {
    return new ScriptedRandom(this.draws);
  }
}

// ---- what each kind stores, and what a dequeue of given ids must look like ----

const priorityOf = (id: number): number => (id * 7) % 5;
const padLength = (id: number): number => id % 4;

/** Padding: the length each id's vector was stored with (enqueueMany stores rows of the batch's width). */
type Lengths = Map<number, number>;

interface KindSpec {
  make(config: ModelConfig): QueueBase;
  one(id: number, lengths: Lengths): NDArray[];
  many(ids: number[], lengths: Lengths): NDArray[];
  render(ids: number[], single: boolean, lengths: Lengths): NestedArray[];
  /** A tuple with a wrong dtype in component 0, and the error it must give. */
  bad: { tuple: NDArray[]; message: string };
}

const clock = new ManualClock();

const KINDS: Record<ModelKind, KindSpec> = {
  fifo: {
    make: (c) => new FIFOQueue({ name: "q", componentTypes: ["int32", "string"], shapes: [[], []], capacity: c.capacity, clock }),
    one: (id) => [i32(id), str(`s${id}`)],
    many: (ids) => [i32(ids), str(ids.map((id) => `s${id}`))],
    render: (ids, single) => (single ? [ids[0]!, `s${ids[0]}`] : [ids, ids.map((id) => `s${id}`)]),
    bad: { tuple: [f32(1), str("x")], message: "Type mismatch in tuple component 0. Expected int32, got float" },
  },
  shuffle: {
    make: (c) =>
      new RandomShuffleQueue({
        name: "q",
        componentTypes: ["int32"],
        shapes: [[]],
        capacity: c.capacity,
        minAfterDequeue: c.minAfterDequeue,
        seed: 0,
        seed2: 0,
        random: new ScriptedRandom(c.draws),
        clock,
      }),
    one: (id) => [i32(id)],
    many: (ids) => [i32(ids)],
    render: (ids, single) => (single ? [ids[0]!] : [ids]),
    bad: { tuple: [f32(1)], message: "Type mismatch in tuple component 0. Expected int32, got float" },
  },
  padding: {
    make: (c) => new PaddingFIFOQueue({ name: "q", componentTypes: ["int32"], shapes: [[-1]], capacity: c.capacity, clock }),
    one: (id, lengths) => {
      lengths.set(id, padLength(id));
      return [i32(new Array<number>(padLength(id)).fill(id + 1))];
    },
    many: (ids, lengths) => {
      // enqueue_many rows share one shape: each id's vector has the batch's width.
      const width = ids.length > 0 ? padLength(ids[0]!) : 0;
      for (const id of ids) lengths.set(id, width);
      return [new NDArray("int32", [ids.length, width], Int32Array.from(ids.flatMap((id) => new Array<number>(width).fill(id + 1))))];
    },
    render: (ids, single, lengths) => {
      const len = (id: number): number => lengths.get(id)!;
      if (single) return [new Array<number>(len(ids[0]!)).fill(ids[0]! + 1)];
      const width = Math.max(0, ...ids.map(len));
      return [ids.map((id) => Array.from({ length: width }, (_, k) => (k < len(id) ? id + 1 : 0)))];
    },
    bad: { tuple: [f32([1])], message: "Type mismatch in tuple component 0. Expected int32, got float" },
  },
  priority: {
    make: (c) => new PriorityQueue({ name: "q", componentTypes: ["int64", "int32"], shapes: [[], []], capacity: c.capacity, clock }),
    one: (id) => [i64(priorityOf(id)), i32(id)],
    many: (ids) => [i64(ids.map(priorityOf)), i32(ids)],
    render: (ids, single) => (single ? [BigInt(priorityOf(ids[0]!)), ids[0]!] : [ids.map((id) => BigInt(priorityOf(id))), ids]),
    bad: { tuple: [f32(1), i32(1)], message: "Type mismatch in tuple component 0. Expected int64, got float" },
  },
};

// ---- the real side: the queue plus each client's pending operation ----

interface Pending {
  probe: ReturnType<typeof watch<unknown>>;
  controller: AbortController;
  what: string;
}

class Real {
  readonly queue: QueueBase;
  readonly pending = new Map<number, Pending>();
  readonly lengths: Lengths = new Map();
  nextId = 0;

  constructor(
    readonly spec: KindSpec,
    config: ModelConfig,
  ) {
    this.queue = spec.make(config);
  }

  start(client: number, what: string, op: (signal: AbortSignal) => Promise<unknown>, preAborted = false): void {
    const controller = new AbortController();
    if (preAborted) controller.abort();
    this.pending.set(client, { probe: watch(op(controller.signal)), controller, what });
  }

  ids(n: number): number[] {
    return Array.from({ length: n }, () => this.nextId++);
  }

  /** Lets promises settle, then compares everything observable with the model. */
  async compare(model: QueueModel): Promise<void> {
    await tick();
    for (let client = 0; client < CLIENTS; client++) {
      const p = this.pending.get(client);
      const expected = model.outcomes.get(client);
      const state = p?.probe.current.state ?? "idle";
      if (expected === undefined) {
        expect(state, `client ${client} (${p?.what}) should still be waiting`).not.toMatch(/fulfilled|rejected/);
        continue;
      }
      expect(state, `client ${client} (${p?.what}) should have finished with ${JSON.stringify(expected)}`).not.toBe("pending");
      this.check(client, p!, expected);
      this.pending.delete(client);
    }
    model.outcomes.clear();
    expect(this.queue.size(), "size").toBe(model.items.length);
    expect(this.queue.isClosed(), "closed").toBe(model.closed);
    expect(this.queue.describe().waiting.map((w) => [w.kind, w.elements]), "waiters").toEqual(model.waiting());
  }

  private check(client: number, p: Pending, expected: Outcome): void {
    const got = p.probe.current;
    const label = `client ${client} (${p.what})`;
    if (!expected.ok) {
      expect(got.state, label).toBe("rejected");
      const error = (got as { error: OpError }).error;
      expect([error.constructor.name, error.message], label).toEqual([expected.error, expected.message]);
      return;
    }
    if (got.state === "rejected") throw new Error(`${label} failed: ${got.error.constructor.name}: ${got.error.message}`);
    expect(got.state, label).toBe("fulfilled");
    if (expected.ids === null) return;
    const tuple = (got as { value: NDArray[] }).value;
    expect(values(tuple), label).toEqual(this.spec.render(expected.ids, expected.single, this.lengths));
  }

  cleanUp(): void {
    for (const p of this.pending.values()) p.controller.abort();
  }
}

// ---- commands ----

type Cmd = fc.AsyncCommand<QueueModel, Real>;

abstract class ClientCmd implements Cmd {
  constructor(readonly client: number) {}
  check(m: Readonly<QueueModel>): boolean {
    return !(m as QueueModel).busy(this.client);
  }
  abstract run(m: QueueModel, r: Real): Promise<void>;
  abstract toString(): string;
}

class EnqueueCmd extends ClientCmd {
  async run(m: QueueModel, r: Real): Promise<void> {
    const [id] = r.ids(1);
    r.start(this.client, this.toString(), (signal) => r.queue.enqueue(r.spec.one(id!, r.lengths), { signal }));
    m.enqueue(this.client, [id!]);
    await r.compare(m);
  }
  toString(): string {
    return `enqueue(c${this.client})`;
  }
}

class EnqueueManyCmd extends ClientCmd {
  constructor(client: number, readonly n: number) {
    super(client);
  }
  async run(m: QueueModel, r: Real): Promise<void> {
    const ids = r.ids(this.n);
    r.start(this.client, this.toString(), (signal) => r.queue.enqueueMany(r.spec.many(ids, r.lengths), { signal }));
    m.enqueue(this.client, ids);
    await r.compare(m);
  }
  toString(): string {
    return `enqueueMany(c${this.client}, ${this.n})`;
  }
}

class DequeueCmd extends ClientCmd {
  constructor(client: number, readonly mode: "one" | "many" | "upTo", readonly n: number, readonly preAborted: boolean) {
    super(client);
  }
  async run(m: QueueModel, r: Real): Promise<void> {
    const q = r.queue;
    r.start(
      this.client,
      this.toString(),
      (signal) => (this.mode === "one" ? q.dequeue({ signal }) : this.mode === "many" ? q.dequeueMany(this.n, { signal }) : q.dequeueUpTo(this.n, { signal })),
      this.preAborted,
    );
    // A zero-size batch never looks at the step's cancellation.
    if (this.preAborted && (this.mode === "one" || this.n > 0)) m.failNow(this.client, "CancelledError", "Dequeue operation was cancelled");
    else m.dequeue(this.client, this.n, this.mode);
    await r.compare(m);
  }
  toString(): string {
    const call = this.mode === "one" ? "dequeue(" : `dequeue${this.mode === "many" ? "Many" : "UpTo"}(${this.n}, `;
    return `${call}c${this.client}${this.preAborted ? ", aborted" : ""})`;
  }
}

class CloseCmd extends ClientCmd {
  async run(m: QueueModel, r: Real): Promise<void> {
    r.start(this.client, this.toString(), (signal) => r.queue.close({ signal }));
    m.close(this.client);
    await r.compare(m);
  }
  toString(): string {
    return `close(c${this.client})`;
  }
}

class BadEnqueueCmd extends ClientCmd {
  async run(m: QueueModel, r: Real): Promise<void> {
    r.start(this.client, this.toString(), (signal) => r.queue.enqueue(r.spec.bad.tuple, { signal }));
    m.failNow(this.client, "InvalidArgumentError", r.spec.bad.message);
    await r.compare(m);
  }
  toString(): string {
    return `badEnqueue(c${this.client})`;
  }
}

class CloseCancelCmd implements Cmd {
  check(): boolean {
    return true;
  }
  async run(m: QueueModel, r: Real): Promise<void> {
    await r.queue.close({ cancelPendingEnqueues: true });
    m.closeAndCancel();
    await r.compare(m);
  }
  toString(): string {
    return "close(cancelPendingEnqueues)";
  }
}

class CancelCmd implements Cmd {
  constructor(readonly client: number, readonly deadline: boolean) {}
  check(m: Readonly<QueueModel>): boolean {
    return (m as QueueModel).busy(this.client);
  }
  async run(m: QueueModel, r: Real): Promise<void> {
    const text = "Timed out waiting for notification";
    r.pending.get(this.client)!.controller.abort(this.deadline ? new DeadlineExceededError(text) : undefined);
    if (this.deadline) m.cancel(this.client, "DeadlineExceededError", text);
    else m.cancel(this.client, "CancelledError", null);
    await r.compare(m);
  }
  toString(): string {
    return `${this.deadline ? "timeout" : "cancel"}(c${this.client})`;
  }
}

function commands(): fc.Arbitrary<Iterable<Cmd>> {
  const client = fc.integer({ min: 0, max: CLIENTS - 1 });
  const count = fc.integer({ min: 0, max: 4 });
  // Batches often larger than what is there, so partial batches (and their put-back) are common.
  const want = fc.integer({ min: 0, max: 6 });
  // Closing is rare, so most runs spend a while open before they close.
  const op = fc.oneof(
    { weight: 12, arbitrary: client.map((c): Cmd => new EnqueueCmd(c)) },
    { weight: 8, arbitrary: fc.tuple(client, count).map(([c, n]): Cmd => new EnqueueManyCmd(c, n)) },
    { weight: 10, arbitrary: fc.tuple(client, fc.integer({ min: 0, max: 4 })).map(([c, a]): Cmd => new DequeueCmd(c, "one", 1, a === 0)) },
    { weight: 8, arbitrary: fc.tuple(client, want).map(([c, n]): Cmd => new DequeueCmd(c, "many", n, false)) },
    { weight: 8, arbitrary: fc.tuple(client, want).map(([c, n]): Cmd => new DequeueCmd(c, "upTo", n, false)) },
    { weight: 1, arbitrary: client.map((c): Cmd => new CloseCmd(c)) },
    { weight: 1, arbitrary: fc.constant<Cmd>(new CloseCancelCmd()) },
    { weight: 8, arbitrary: fc.tuple(client, fc.boolean()).map(([c, d]): Cmd => new CancelCmd(c, d)) },
    { weight: 2, arbitrary: client.map((c): Cmd => new BadEnqueueCmd(c)) },
  );
  const replayPath = process.env.TFCLUSTER_PROPERTY_REPLAY;
  return fc.commands([op], { maxCommands: 60, size: "max", ...(replayPath !== undefined ? { replayPath } : {}) });
}

function configs(kind: ModelKind): fc.Arbitrary<ModelConfig> {
  return fc
    .record({
      capacity: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constant(-1)),
      m: fc.integer({ min: 0, max: 4 }),
      draws: fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 16 }),
    })
    .map(({ capacity, m, draws }) => ({
      kind,
      capacity,
      minAfterDequeue: kind === "shuffle" ? (capacity < 0 ? m : Math.min(m, capacity - 1)) : 0,
      draws,
      priorityOf,
    }));
}

/** fc.check with the seed and path printed on failure, replayable through the environment. */
function checkProperty(name: string, property: fc.IAsyncProperty<[ModelConfig, Iterable<Cmd>]>): Promise<void> {
  const seedEnv = process.env.TFCLUSTER_PROPERTY_SEED;
  const pathEnv = process.env.TFCLUSTER_PROPERTY_PATH;
  const params: fc.Parameters<[ModelConfig, Iterable<Cmd>]> = { numRuns: RUNS };
  if (seedEnv !== undefined) params.seed = Number(seedEnv);
  if (pathEnv !== undefined) params.path = pathEnv;
  return fc.check(property, params).then((details) => {
    if (!details.failed) return;
    // fc.commands needs its own replay path too: which of the generated commands actually ran.
    const commandsPath = /replayPath="([^"]*)"/.exec(fc.stringify(details.counterexample))?.[1] ?? "";
    const replay =
      `replay: TFCLUSTER_PROPERTY_SEED=${details.seed} TFCLUSTER_PROPERTY_PATH="${details.counterexamplePath}" ` +
      `TFCLUSTER_PROPERTY_REPLAY="${commandsPath}" npx vitest run test/unit/engine/resources/queue-model.test.ts -t "${name}"`;
    const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(`${fc.defaultReportMessage(details)}\n${cause}\n${replay}`);
  });
}

describe("queue resources against the reference model", () => {
  for (const kind of ["fifo", "shuffle", "padding", "priority"] as const) {
    it(`${kind}: random interleavings of concurrent clients agree with the model`, async () => {
      await checkProperty(
        kind,
        fc.asyncProperty(configs(kind), commands(), async (config, cmds) => {
          const real = new Real(KINDS[kind], config);
          try {
            await fc.asyncModelRun(() => ({ model: new QueueModel(config), real }), cmds);
          } finally {
            real.cleanUp();
          }
        }),
      );
    }, 600_000);
  }
});
