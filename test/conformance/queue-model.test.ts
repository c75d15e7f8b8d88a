/**
 * Model-based property test of queues through real sessions on every transport: random
 * interleavings of enqueue, enqueueMany, dequeue, dequeueMany, dequeueUpTo, close, close with
 * cancelPendingEnqueues, size, a bad enqueue and Session.close of a blocked client, from four
 * client sessions on three servers (plus a control session), checked against the reference model
 * of test/unit/engine/resources/queue-model.ts. After every command the steps that finished, their
 * values or errors (class and exact text), and the queue's size, closed flag and waiting list in
 * `tf.clusterStatus` must agree with the model.
 *
 * Blocking steps are driven deterministically: a command starts its step, then waits until the
 * cluster reports exactly the waiters the model predicts (and every step the model says finished
 * has returned) before the next command starts. RandomShuffleQueue draws its own order, so for it
 * only the counts are compared per step, and a ledger checks that every element comes out once.
 *
 * Runs: TFCLUSTER_PROPERTY_RUNS per queue kind on inproc (default 60, so 240 in all, of up to 40
 * commands); a twentieth of that (at least 3 per kind, of up to 20 commands) on thread and grpc.
 * A failure prints its seed and paths and the command that replays it (TFCLUSTER_TRANSPORTS,
 * TFCLUSTER_PROPERTY_SEED, TFCLUSTER_PROPERTY_PATH, TFCLUSTER_PROPERTY_REPLAY).
 */
import fc from "fast-check";
import { expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { describeOnTransports } from "../helpers/transports.js";
import type { TransportContext } from "../helpers/transports.js";
import { QueueModel } from "../unit/engine/resources/queue-model.js";
import type { ModelConfig, ModelKind, Outcome } from "../unit/engine/resources/queue-model.js";
import { onPs } from "./queue-helpers.js";
import type { QueueLine } from "./queue-helpers.js";

const RUNS_INPROC = Number(process.env.TFCLUSTER_PROPERTY_RUNS ?? 60);
const CLIENTS = 4;
/** The control session's client number in the model (size, close with cancel, the final drain). */
const CONTROL = CLIENTS;
/** The model names its queue 'q' in every message; each run gets its own container instead. */
const QUEUE_NAME = "q";
/** How long the cluster may take to reach the state the model predicts. */
const AGREE_TIMEOUT_MS = 10_000;
const SESSION_CLOSED = "Step was cancelled by an explicit call to `Session::Close()`.";

/** Runs per queue kind, and commands per run: thread and grpc steps cost milliseconds, not microseconds. */
function budgetOn(transport: string): { numRuns: number; maxCommands: number } {
  return transport === "inproc" ? { numRuns: RUNS_INPROC, maxCommands: 40 } : { numRuns: Math.max(3, Math.round(RUNS_INPROC / 20)), maxCommands: 20 };
}

// ---- what each kind stores, and what a dequeue of given ids must look like ----

const priorityOf = (id: number): number => (id * 7) % 5;
const padLength = (id: number): number => id % 4;
type Lengths = Map<number, number>;

interface KindSpec {
  make(config: ModelConfig): tf.QueueBase;
  one(id: number, lengths: Lengths): tf.NDArray[];
  many(ids: number[], lengths: Lengths): tf.NDArray[];
  /** The expected values, or null when only the count can be known (RandomShuffleQueue). */
  render(ids: number[], single: boolean, lengths: Lengths): unknown[] | null;
  /** The component holding the ids, for the ledger; null where they cannot be read back (padding). */
  idsAt: number | null;
  /** A tuple whose shape the queue rejects, and the error text. */
  bad: { tuple: () => tf.NDArray[]; message: string };
}

const i32 = (values: number[], shape: number[]) => tf.ndarray(values, { dtype: "int32", shape });
const f32 = (values: number[], shape: number[]) => tf.ndarray(values, { dtype: "float32", shape });
const i64 = (values: number[], shape: number[]) => tf.ndarray(values.map(BigInt), { dtype: "int64", shape });
const flatIds = (t: tf.NDArray): number[] => Array.from(t.data as Int32Array);
const features = (id: number): number[] => [id + 0.5, id * 2];

const KINDS: Record<ModelKind, KindSpec> = {
  fifo: {
    make: (c) => new tf.FIFOQueue({ capacity: c.capacity, dtypes: ["int32", "float32"], shapes: [[], [2]], sharedName: QUEUE_NAME }),
    one: (id) => [i32([id], []), f32(features(id), [2])],
    many: (ids) => [i32(ids, [ids.length]), f32(ids.flatMap(features), [ids.length, 2])],
    render: (ids, single) => (single ? [ids[0]!, features(ids[0]!)] : [ids, ids.map(features)]),
    idsAt: 0,
    bad: { tuple: () => [i32([1], []), f32([1, 2, 3], [3])], message: "Shape mismatch in tuple component 1. Expected [2], got [3]" },
  },
  shuffle: {
    make: (c) =>
      new tf.RandomShuffleQueue({ capacity: c.capacity, minAfterDequeue: c.minAfterDequeue, dtypes: ["int32"], shapes: [[]], sharedName: QUEUE_NAME }),
    one: (id) => [i32([id], [])],
    many: (ids) => [i32(ids, [ids.length])],
    render: () => null,
    idsAt: 0,
    bad: { tuple: () => [i32([1, 2], [2])], message: "Shape mismatch in tuple component 0. Expected [], got [2]" },
  },
  padding: {
    make: (c) => new tf.PaddingFIFOQueue({ capacity: c.capacity, dtypes: ["int32"], shapes: [[null]], sharedName: QUEUE_NAME }),
    one: (id, lengths) => {
      lengths.set(id, padLength(id));
      return [i32(new Array<number>(padLength(id)).fill(id + 1), [padLength(id)])];
    },
    many: (ids, lengths) => {
      // enqueueMany rows share one shape: each id's vector has the batch's width.
      const width = ids.length > 0 ? padLength(ids[0]!) : 0;
      for (const id of ids) lengths.set(id, width);
      return [i32(ids.flatMap((id) => new Array<number>(width).fill(id + 1)), [ids.length, width])];
    },
    render: (ids, single, lengths) => {
      const len = (id: number): number => lengths.get(id)!;
      if (single) return [new Array<number>(len(ids[0]!)).fill(ids[0]! + 1)];
      const width = Math.max(0, ...ids.map(len));
      return [ids.map((id) => Array.from({ length: width }, (_, k) => (k < len(id) ? id + 1 : 0)))];
    },
    idsAt: null,
    bad: { tuple: () => [i32([1], [1, 1])], message: "Shape mismatch in tuple component 0. Expected [?], got [1,1]" },
  },
  priority: {
    make: (c) => new tf.PriorityQueue({ capacity: c.capacity, dtypes: ["int32"], shapes: [[]], sharedName: QUEUE_NAME }),
    one: (id) => [i64([priorityOf(id)], []), i32([id], [])],
    many: (ids) => [i64(ids.map(priorityOf), [ids.length]), i32(ids, [ids.length])],
    render: (ids, single) => (single ? [BigInt(priorityOf(ids[0]!)), ids[0]!] : [ids.map((id) => BigInt(priorityOf(id))), ids]),
    idsAt: 1,
    bad: { tuple: () => [i64([1, 2], [2]), i32([1], [])], message: "Shape mismatch in tuple component 0. Expected [], got [2]" },
  },
};

// ---- the real side: one graph, four client sessions and a control session ----

type Settled = { state: "pending" } | { state: "fulfilled"; value: unknown } | { state: "rejected"; error: unknown };

interface Pending {
  what: string;
  current: Settled;
}

/** The queue's ops, run with the feeds each command needs. */
function buildGraph(spec: KindSpec, config: ModelConfig, container: string) {
  const g = new tf.Graph();
  const ops = g.asDefault(() => {
    const q = tf.container(container, () => onPs(() => spec.make(config)));
    const components = q.dtypes.map((dtype) => tf.placeholder(dtype, null));
    const n = tf.placeholder("int32", []);
    return {
      components,
      n,
      enq: q.enqueue(components),
      enqMany: q.enqueueMany(components),
      deq: q.dequeue(),
      deqMany: q.dequeueMany(n),
      upTo: q.dequeueUpTo(n),
      close: q.close(),
      closeCancel: q.close({ cancelPendingEnqueues: true }),
      size: q.size(),
    };
  });
  return { g, ...ops };
}

class Real {
  readonly graph: ReturnType<typeof buildGraph>;
  readonly targets: string[];
  readonly sessions: tf.Session[];
  readonly control: tf.Session;
  readonly pending = new Map<number, Pending>();
  readonly lengths: Lengths = new Map();
  /** Every id a step returned, and every id the model says it returned: the ledger. */
  readonly received: number[] = [];
  readonly modelReceived: number[] = [];
  nextId = 0;

  constructor(
    readonly ctx: TransportContext,
    readonly spec: KindSpec,
    config: ModelConfig,
    readonly container: string,
  ) {
    this.graph = buildGraph(spec, config, container);
    // Clients on every server: worker 0, worker 1, the ps task itself, worker 1 again.
    this.targets = [ctx.target("worker", 0), ctx.target("worker", 1), ctx.target("ps", 0), ctx.target("worker", 1)];
    this.sessions = this.targets.map((t) => new tf.Session(t, { graph: this.graph.g }));
    this.control = new tf.Session(ctx.target("worker", 0), { graph: this.graph.g });
  }

  ids(n: number): number[] {
    return Array.from({ length: n }, () => this.nextId++);
  }

  /** Starts a step for `client` and records how it ends. */
  start(client: number, what: string, step: Promise<unknown>): void {
    const p: Pending = { what, current: { state: "pending" } };
    step.then(
      (value) => (p.current = { state: "fulfilled", value }),
      (error: unknown) => (p.current = { state: "rejected", error }),
    );
    this.pending.set(client, p);
  }

  session(client: number): tf.Session {
    return client === CONTROL ? this.control : this.sessions[client]!;
  }

  feed(tuple: tf.NDArray[]): [tf.Tensor, tf.NDArray][] {
    return tuple.map((t, i) => [this.graph.components[i]!, t]);
  }

  /** Closes a client's session (cancelling its step) and gives the client a fresh one. */
  async reopen(client: number): Promise<void> {
    await this.sessions[client]!.close();
    this.sessions[client] = new tf.Session(this.targets[client]!, { graph: this.graph.g });
  }

  async queueLine(): Promise<QueueLine | undefined> {
    const all = await tf.clusterStatus(this.ctx.target("worker", 1));
    return all.find((r) => r.name === QUEUE_NAME && r.container === this.container)?.details as QueueLine | undefined;
  }

  /**
   * Waits until the cluster shows what the model predicts — every step the model finished has
   * returned, and the queue's waiting list is the model's — then compares outcomes, size and state.
   */
  async agree(model: QueueModel): Promise<void> {
    const finished = [...model.outcomes.keys()];
    const expectedWaiting = model.waiting();
    const deadline = performance.now() + AGREE_TIMEOUT_MS;
    let line: QueueLine | undefined;
    for (;;) {
      // Settled first, then the status: a report fetched after the steps returned shows their effect.
      const done = finished.every((c) => this.pending.get(c)?.current.state !== "pending");
      line = await this.queueLine();
      const waiting = line?.waiting.map((w): [string, number] => [w.kind, w.elements]) ?? [];
      if (line !== undefined && done && JSON.stringify(waiting) === JSON.stringify(expectedWaiting)) break;
      if (performance.now() > deadline) {
        const steps = [...this.pending.entries()].map(([c, p]) => `c${c} ${p.what}: ${p.current.state}`).join("; ");
        throw new Error(
          `the cluster did not reach the model's state in ${AGREE_TIMEOUT_MS} ms: waiting ${JSON.stringify(waiting)}, ` +
            `model ${JSON.stringify(expectedWaiting)}; model finished [${finished.join(", ")}]; steps: ${steps}`,
        );
      }
      // A 1 ms poll, not waitForWaiters' 10 ms: hundreds of runs of tens of steps each.
      await new Promise((r) => setTimeout(r, 1));
    }
    for (const [client, expected] of model.outcomes) {
      this.check(client, this.pending.get(client)!, expected);
      this.pending.delete(client);
    }
    model.outcomes.clear();
    for (const [client, p] of this.pending) expect(p.current.state, `c${client} ${p.what} should still be waiting`).toBe("pending");
    expect({ size: line.size, closed: line.closed }).toEqual({ size: model.items.length, closed: model.closed });
  }

  private check(client: number, p: Pending, expected: Outcome): void {
    const label = `c${client} ${p.what}`;
    const got = p.current;
    if (!expected.ok) {
      const error = got.state === "rejected" ? (got.error as Error) : null;
      expect(error, `${label} should have failed`).not.toBeNull();
      expect([error!.constructor.name, error!.message], label).toEqual([expected.error, expected.message]);
      return;
    }
    if (got.state === "rejected") throw new Error(`${label} failed: ${(got.error as Error).constructor.name}: ${(got.error as Error).message}`);
    if (expected.ids === null) return;
    const tuple = got.state === "fulfilled" ? (got.value as tf.NDArray[]) : [];
    const ids = this.spec.idsAt === null ? [] : flatIds(tuple[this.spec.idsAt]!);
    this.received.push(...ids);
    this.modelReceived.push(...expected.ids);
    const rendered = this.spec.render(expected.ids, expected.single, this.lengths);
    if (rendered !== null) expect(tuple.map((t) => t.toArray()), label).toEqual(rendered);
    else expect(ids.length, `${label}: how many elements`).toBe(expected.ids.length);
  }

  /** Closes every session (cancelling what still waits) and frees this run's container. */
  async dispose(): Promise<void> {
    await Promise.allSettled([...this.sessions, this.control].map((s) => s.close()));
    await tf.Session.reset(this.ctx.target("worker", 0), [this.container]);
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
    r.start(this.client, this.toString(), r.session(this.client).run(r.graph.enq, { feedDict: r.feed(r.spec.one(id!, r.lengths)) }));
    m.enqueue(this.client, [id!]);
    await r.agree(m);
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
    r.start(this.client, this.toString(), r.session(this.client).run(r.graph.enqMany, { feedDict: r.feed(r.spec.many(ids, r.lengths)) }));
    m.enqueue(this.client, ids);
    await r.agree(m);
  }
  toString(): string {
    return `enqueueMany(c${this.client}, ${this.n})`;
  }
}

class DequeueCmd extends ClientCmd {
  constructor(client: number, readonly mode: "one" | "many" | "upTo", readonly n: number) {
    super(client);
  }
  async run(m: QueueModel, r: Real): Promise<void> {
    const sess = r.session(this.client);
    const { deq, deqMany, upTo, n } = r.graph;
    const step = this.mode === "one" ? sess.run(deq) : sess.run(this.mode === "many" ? deqMany : upTo, { feedDict: [[n, this.n]] });
    r.start(this.client, this.toString(), step);
    m.dequeue(this.client, this.n, this.mode);
    await r.agree(m);
  }
  toString(): string {
    return this.mode === "one" ? `dequeue(c${this.client})` : `dequeue${this.mode === "many" ? "Many" : "UpTo"}(c${this.client}, ${this.n})`;
  }
}

class CloseCmd extends ClientCmd {
  async run(m: QueueModel, r: Real): Promise<void> {
    r.start(this.client, this.toString(), r.session(this.client).run(r.graph.close));
    m.close(this.client);
    await r.agree(m);
  }
  toString(): string {
    return `close(c${this.client})`;
  }
}

class BadEnqueueCmd extends ClientCmd {
  async run(m: QueueModel, r: Real): Promise<void> {
    r.start(this.client, this.toString(), r.session(this.client).run(r.graph.enq, { feedDict: r.feed(r.spec.bad.tuple()) }));
    m.failNow(this.client, "InvalidArgumentError", r.spec.bad.message);
    await r.agree(m);
  }
  toString(): string {
    return `badEnqueue(c${this.client})`;
  }
}

/** Session.close of a client whose step waits: the step is cancelled, its partial batch goes back. */
class CloseSessionCmd implements Cmd {
  constructor(readonly client: number) {}
  check(m: Readonly<QueueModel>): boolean {
    return (m as QueueModel).busy(this.client);
  }
  async run(m: QueueModel, r: Real): Promise<void> {
    await r.reopen(this.client);
    m.cancel(this.client, "CancelledError", SESSION_CLOSED);
    await r.agree(m);
  }
  toString(): string {
    return `closeSession(c${this.client})`;
  }
}

/** close({cancelPendingEnqueues: true}) from the control session: it never waits. */
class CloseCancelCmd implements Cmd {
  check(): boolean {
    return true;
  }
  async run(m: QueueModel, r: Real): Promise<void> {
    await r.control.run(r.graph.closeCancel);
    m.closeAndCancel();
    await r.agree(m);
  }
  toString(): string {
    return "close(cancelPendingEnqueues)";
  }
}

class SizeCmd implements Cmd {
  check(): boolean {
    return true;
  }
  async run(m: QueueModel, r: Real): Promise<void> {
    expect((await r.control.run(r.graph.size)).item(), "size()").toBe(m.items.length);
  }
  toString(): string {
    return "size()";
  }
}

function commands(maxCommands: number): fc.Arbitrary<Iterable<Cmd>> {
  const client = fc.integer({ min: 0, max: CLIENTS - 1 });
  // Batches often larger than what is there, so partial batches (and their put-back) are common.
  const want = fc.integer({ min: 0, max: 6 });
  // Closing is rare, so most runs spend a while open before they close.
  const op = fc.oneof(
    { weight: 12, arbitrary: client.map((c): Cmd => new EnqueueCmd(c)) },
    { weight: 8, arbitrary: fc.tuple(client, fc.integer({ min: 0, max: 4 })).map(([c, n]): Cmd => new EnqueueManyCmd(c, n)) },
    { weight: 10, arbitrary: client.map((c): Cmd => new DequeueCmd(c, "one", 1)) },
    { weight: 8, arbitrary: fc.tuple(client, want).map(([c, n]): Cmd => new DequeueCmd(c, "many", n)) },
    { weight: 8, arbitrary: fc.tuple(client, want).map(([c, n]): Cmd => new DequeueCmd(c, "upTo", n)) },
    { weight: 1, arbitrary: client.map((c): Cmd => new CloseCmd(c)) },
    { weight: 1, arbitrary: fc.constant<Cmd>(new CloseCancelCmd()) },
    { weight: 3, arbitrary: fc.constant<Cmd>(new SizeCmd()) },
    { weight: 3, arbitrary: client.map((c): Cmd => new CloseSessionCmd(c)) },
    { weight: 2, arbitrary: client.map((c): Cmd => new BadEnqueueCmd(c)) },
  );
  const replayPath = process.env.TFCLUSTER_PROPERTY_REPLAY;
  return fc.commands([op], { maxCommands, size: "max", ...(replayPath !== undefined ? { replayPath } : {}) });
}

function configs(kind: ModelKind): fc.Arbitrary<ModelConfig> {
  return fc
    .record({ capacity: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constant(-1)), m: fc.integer({ min: 0, max: 4 }) })
    .map(({ capacity, m }) => ({
      kind,
      capacity,
      minAfterDequeue: kind === "shuffle" ? (capacity < 0 ? m : Math.min(m, capacity - 1)) : 0,
      // The real RandomShuffleQueue draws its own order; the model's choice only stands in for it.
      draws: [0],
      priorityOf,
    }));
}

/**
 * Ends a run the same way every time: close with cancelPendingEnqueues (so nothing can wait any
 * more), drain what is left, and check every element that went in came out exactly once.
 */
async function finish(m: QueueModel, r: Real): Promise<void> {
  await new CloseCancelCmd().run(m, r);
  const drainCount = 1000;
  r.start(CONTROL, "drain", r.control.run(r.graph.upTo, { feedDict: [[r.graph.n, drainCount]] }));
  m.dequeue(CONTROL, drainCount, "upTo");
  await r.agree(m);
  expect(m.items).toEqual([]);
  // Which elements went in is known exactly (enqueues are FIFO), even where the order out is not.
  if (r.spec.idsAt !== null) {
    const byValue = (a: number, b: number) => a - b;
    expect([...r.received].sort(byValue), "every element that went in came out exactly once").toEqual([...r.modelReceived].sort(byValue));
  }
}

let runCounter = 0;

/** fc.check with the seed and paths printed on failure, replayable through the environment. */
async function checkProperty(ctx: TransportContext, kind: ModelKind): Promise<void> {
  const { numRuns, maxCommands } = budgetOn(ctx.transport);
  const property = fc.asyncProperty(configs(kind), commands(maxCommands), async (config, cmds) => {
    const real = new Real(ctx, KINDS[kind], config, `model_${kind}_${runCounter++}`);
    const model = new QueueModel(config);
    try {
      await fc.asyncModelRun(() => ({ model, real }), cmds);
      await finish(model, real);
    } finally {
      await real.dispose();
    }
  });
  const seedEnv = process.env.TFCLUSTER_PROPERTY_SEED;
  const pathEnv = process.env.TFCLUSTER_PROPERTY_PATH;
  const params: fc.Parameters<[ModelConfig, Iterable<Cmd>]> = { numRuns };
  if (seedEnv !== undefined) params.seed = Number(seedEnv);
  if (pathEnv !== undefined) params.path = pathEnv;
  const details = await fc.check(property, params);
  if (!details.failed) return;
  // fc.commands needs its own replay path too: which of the generated commands actually ran.
  const commandsPath = /replayPath="([^"]*)"/.exec(fc.stringify(details.counterexample))?.[1] ?? "";
  const replay =
    `replay: TFCLUSTER_TRANSPORTS=${ctx.transport} TFCLUSTER_PROPERTY_SEED=${details.seed} TFCLUSTER_PROPERTY_PATH="${details.counterexamplePath}" ` +
    `TFCLUSTER_PROPERTY_REPLAY="${commandsPath}" npx vitest run test/conformance/queue-model.test.ts -t "${kind}:"`;
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(`${fc.defaultReportMessage(details)}\n${cause}\n${replay}`);
}

describeOnTransports("queues through sessions against the reference model", { ps: 1, worker: 2 }, (ctx) => {
  for (const kind of ["fifo", "shuffle", "padding", "priority"] as const) {
    it(`${kind}: random interleavings of concurrent sessions agree with the model`, () => checkProperty(ctx, kind), 600_000);
  }
});
