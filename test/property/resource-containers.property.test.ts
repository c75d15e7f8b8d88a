/**
 * Property test of resource containers on a real inproc cluster {ps: 1, worker: 2}.
 *
 * The model: a map from (task, container, name) to a number. The container of a variable built
 * outside tf.container is its task's job name ("ps" or "worker").
 *  - assign(v, x) from any server: model[v] = x.
 *  - read(v) from any server: model has v ? model[v] : FailedPreconditionError.
 *  - reset(server, containers): every key whose container is listed is deleted, on every task;
 *    no list means each task's default container (its job name). Sessions open on that server
 *    fail afterwards with AbortedError.
 * Random sequences of these commands, from sessions on all three servers, must agree with the model.
 * A failure prints the seed and path; replay with TFCLUSTER_PROPERTY_SEED / _PATH.
 */
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import * as tf from "../../src/index.js";
import type { SimCluster } from "../../src/sim/launch.js";

const TASKS = [
  { job: "ps", task: 0 },
  { job: "worker", task: 0 },
  { job: "worker", task: 1 },
] as const;
const CONTAINERS = ["", "c1", "c2"] as const;
const NAMES = ["p", "q"] as const;
const RESET_CHOICES: (string[] | undefined)[] = [undefined, ["c1"], ["c2"], ["c1", "c2"], ["ps"], ["worker"], ["nothing_here"]];

interface VarRef {
  place: number;
  container: number;
  name: number;
}

type Model = Map<string, number>;

function keyOf(v: VarRef): string {
  const t = TASKS[v.place]!;
  const c = CONTAINERS[v.container]! || t.job;
  return `${t.job}/${t.task}|${c}|${NAMES[v.name]}`;
}

interface Built {
  graph: tf.Graph;
  value: tf.Tensor;
  assign: Map<string, tf.Tensor>;
  read: Map<string, tf.Tensor>;
}

/** One graph per (task, container): variables p and q, an assign fed from a placeholder, a read. */
function buildGraphs(): Map<string, Built> {
  const out = new Map<string, Built>();
  TASKS.forEach((t, place) =>
    CONTAINERS.forEach((c, container) => {
      const graph = new tf.Graph();
      const built = graph.asDefault(() =>
        tf.device(`/job:${t.job}/task:${t.task}`, () => {
          const make = () => {
            const value = tf.placeholder("float32", [], { name: "value" });
            const assign = new Map<string, tf.Tensor>();
            const read = new Map<string, tf.Tensor>();
            for (const n of NAMES) {
              const v = new tf.Variable(0, { name: n });
              assign.set(n, v.assign(value));
              read.set(n, v.readValue());
            }
            return { graph, value, assign, read };
          };
          return c ? tf.container(c, make) : make();
        }),
      );
      out.set(`${place}/${container}`, built);
    }),
  );
  return out;
}

class World {
  sessions = new Map<string, tf.Session>();
  constructor(
    readonly cluster: SimCluster,
    readonly graphs: Map<string, Built>,
  ) {}

  session(server: number, v: VarRef): { sess: tf.Session; built: Built } {
    const gk = `${v.place}/${v.container}`;
    const built = this.graphs.get(gk)!;
    const key = `${server}|${gk}`;
    let sess = this.sessions.get(key);
    if (!sess) {
      const t = TASKS[server]!;
      sess = new tf.Session(this.cluster.target(t.job, t.task), { graph: built.graph });
      this.sessions.set(key, sess);
    }
    return { sess, built };
  }

  async dropSessions(server: number): Promise<tf.Session[]> {
    const dropped: tf.Session[] = [];
    for (const [k, s] of [...this.sessions]) {
      if (k.startsWith(`${server}|`)) {
        this.sessions.delete(k);
        dropped.push(s);
      }
    }
    return dropped;
  }
}

class AssignCmd implements fc.AsyncCommand<Model, World> {
  constructor(readonly server: number, readonly v: VarRef, readonly x: number) {}
  check = () => true;
  async run(model: Model, world: World) {
    const { sess, built } = world.session(this.server, this.v);
    const out = await sess.run(built.assign.get(NAMES[this.v.name]!)!, { feedDict: [[built.value, this.x]] });
    expect(out.item()).toBe(this.x);
    model.set(keyOf(this.v), this.x);
  }
  toString = () => `assign(${keyOf(this.v)} = ${this.x} via server ${this.server})`;
}

class ReadCmd implements fc.AsyncCommand<Model, World> {
  constructor(readonly server: number, readonly v: VarRef) {}
  check = () => true;
  async run(model: Model, world: World) {
    const { sess, built } = world.session(this.server, this.v);
    const expected = model.get(keyOf(this.v));
    const result = await sess.run(built.read.get(NAMES[this.v.name]!)!).then(
      (r) => r.item(),
      (e: unknown) => e,
    );
    if (expected === undefined) expect(result).toBeInstanceOf(tf.errors.FailedPreconditionError);
    else expect(result).toBe(expected);
  }
  toString = () => `read(${keyOf(this.v)} via server ${this.server})`;
}

class ResetCmd implements fc.AsyncCommand<Model, World> {
  constructor(readonly server: number, readonly containers: string[] | undefined) {}
  check = () => true;
  async run(model: Model, world: World) {
    const t = TASKS[this.server]!;
    const old = await world.dropSessions(this.server);
    await tf.Session.reset(world.cluster.target(t.job, t.task), this.containers);
    for (const key of [...model.keys()]) {
      const [task, container] = key.split("|") as [string, string];
      const job = task.split("/")[0]!;
      const cleared = this.containers === undefined ? container === job : this.containers.includes(container);
      if (cleared) model.delete(key);
    }
    // Sessions that had talked to that master are gone: their next run is aborted.
    for (const s of old) {
      const anyOp = s.graph.getOperations()[0]!.outputs[0]!;
      await expect(s.run(anyOp)).rejects.toBeInstanceOf(tf.errors.AbortedError);
      await s.close();
    }
  }
  toString = () => `reset(server ${this.server}, ${JSON.stringify(this.containers)})`;
}

const varRef = fc.record({ place: fc.nat(2), container: fc.nat(2), name: fc.nat(1) });
const commands = [
  fc.tuple(fc.nat(2), varRef, fc.integer({ min: -50, max: 50 })).map(([s, v, x]) => new AssignCmd(s, v, x)),
  fc.tuple(fc.nat(2), varRef).map(([s, v]) => new ReadCmd(s, v)),
  fc.tuple(fc.nat(2), fc.constantFrom(...RESET_CHOICES)).map(([s, c]) => new ResetCmd(s, c)),
];

let cluster: SimCluster;
beforeAll(async () => {
  cluster = await tf.sim.launch({ ps: ["localhost:0"], worker: ["localhost:0", "localhost:0"] }, { transport: "inproc", seed: 7 });
});
afterAll(async () => {
  await cluster.stop();
});

it("resource containers agree with the model under random create/assign/read/reset sequences", async () => {
  const graphs = buildGraphs();
  const runs = Number(process.env.TFCLUSTER_PROPERTY_RUNS ?? 100);
  const seed = process.env.TFCLUSTER_PROPERTY_SEED ? Number(process.env.TFCLUSTER_PROPERTY_SEED) : undefined;
  await fc.assert(
    fc.asyncProperty(fc.commands(commands, { maxCommands: 30, size: "max" }), async (cmds) => {
      const world = new World(cluster, graphs);
      // Start from empty containers everywhere.
      for (const t of TASKS) await tf.Session.reset(cluster.target(t.job, t.task), ["ps", "worker", "c1", "c2"]);
      try {
        await fc.asyncModelRun(() => ({ model: new Map(), real: world }), cmds);
      } finally {
        for (const s of world.sessions.values()) await s.close().catch(() => {});
      }
    }),
    { numRuns: runs, ...(seed !== undefined ? { seed, path: process.env.TFCLUSTER_PROPERTY_PATH } : {}), verbose: 1 },
  );
}, 300_000);
