/**
 * tf.train.ClusterSpec: the jobs of a cluster and the address of each task, with TF 1.x's
 * accessors, errors and string form (tf-queues-cluster.md §2.1).
 */
import type { ClusterDef, JobDef } from "../transport/messages.js";

/** The tasks of one job: a dense list (task i = element i) or a sparse index → address map. */
export type JobTasks = readonly string[] | Readonly<Record<number, string>> | ReadonlyMap<number, string>;

/** The plain-object form of a cluster: job name → tasks. */
export type ClusterDict = Readonly<Record<string, JobTasks>>;

/** Anything `new ClusterSpec(...)` accepts. */
export type ClusterSpecLike = ClusterSpec | ClusterDict | ClusterDef;

/** What `asDict()` gives back: a list for a dense job, an index → address object otherwise. */
export type ClusterAsDict = Record<string, string[] | Record<number, string>>;

/** One task of a cluster. */
export interface TaskAddress {
  job: string;
  index: number;
  address: string;
}

const BAD_CLUSTER =
  "`cluster` must be a dictionary mapping one or more job names to lists of network addresses, " +
  "or a `ClusterDef` protocol buffer";

/** Python's repr() of a value, for error messages and toString (TF formats them with %r). */
export function pyRepr(x: unknown): string {
  if (x === null || x === undefined) return "None";
  if (typeof x === "boolean") return x ? "True" : "False";
  if (typeof x === "number" || typeof x === "bigint") return String(x);
  if (typeof x === "string") {
    const quote = x.includes("'") && !x.includes('"') ? '"' : "'";
    let body = "";
    for (const ch of x) {
      const code = ch.codePointAt(0)!;
      if (ch === "\\" || ch === quote) body += `\\${ch}`;
      else if (ch === "\n") body += "\\n";
      else if (ch === "\r") body += "\\r";
      else if (ch === "\t") body += "\\t";
      else if (code < 0x20 || code === 0x7f) body += `\\x${code.toString(16).padStart(2, "0")}`;
      else body += ch;
    }
    return `${quote}${body}${quote}`;
  }
  if (Array.isArray(x)) return `[${x.map(pyRepr).join(", ")}]`;
  if (x instanceof Map) return `{${[...x].map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(", ")}}`;
  if (typeof x === "object") {
    return `{${Object.entries(x).map(([k, v]) => `${/^\d+$/.test(k) ? k : pyRepr(k)}: ${pyRepr(v)}`).join(", ")}}`;
  }
  return String(x);
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isPlainRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x) && !(x instanceof Map);
}

/** A ClusterDef is `{job: [{name, tasks}, ...]}`; a dict with a job named "job" holds strings instead. */
function isClusterDef(x: Record<string, unknown>): x is Record<string, unknown> & ClusterDef {
  const keys = Object.keys(x);
  if (keys.length !== 1 || keys[0] !== "job" || !Array.isArray(x.job)) return false;
  return x.job.every((j: unknown) => isPlainRecord(j) && "name" in j);
}

function checkAddress(address: unknown): string {
  if (typeof address !== "string") throw new TypeError(`Task address ${pyRepr(address)} must be bytes or unicode`);
  return address;
}

function taskIndexKey(key: unknown, job: string): number {
  const s = typeof key === "number" ? String(key) : key;
  if (typeof s !== "string" || !/^\d+$/.test(s) || !Number.isSafeInteger(Number(s))) {
    throw new TypeError(`The tasks for job ${pyRepr(job)} must be a list or a dictionary from integers to strings.`);
  }
  return Number(s);
}

/** One job's tasks as index → address, sorted by index. */
function readJobTasks(job: string, tasks: unknown): Map<number, string> {
  const out = new Map<number, string>();
  if (Array.isArray(tasks)) {
    for (let i = 0; i < tasks.length; i++) out.set(i, checkAddress(tasks[i]));
  } else if (tasks instanceof Map) {
    for (const [k, v] of tasks) out.set(taskIndexKey(k, job), checkAddress(v));
  } else if (isPlainRecord(tasks)) {
    for (const [k, v] of Object.entries(tasks)) out.set(taskIndexKey(k, job), checkAddress(v));
  } else {
    throw new TypeError(`The tasks for job ${pyRepr(job)} must be a list or a dictionary from integers to strings.`);
  }
  return new Map([...out].sort((a, b) => a[0] - b[0]));
}

/**
 * The jobs of a cluster and the network address of each task.
 * @example
 * const spec = new ClusterSpec({ps: ["ps0:2222"], worker: ["w0:2222", "w1:2222"]});
 * spec.taskAddress("worker", 1) // "w1:2222"
 */
export class ClusterSpec {
  /** job → (task index → address); jobs in name order, tasks in index order. */
  private readonly spec: Map<string, Map<number, string>>;

  /**
   * From `{job: [addresses]}`, `{job: {index: address}}` (sparse), another ClusterSpec (copied) or a
   * ClusterDef. `{job: [...]}` whose elements are `{name, tasks}` objects (or `{job: []}`) is a ClusterDef.
   */
  constructor(cluster: ClusterSpecLike) {
    const jobs = new Map<string, Map<number, string>>();
    if (cluster instanceof ClusterSpec) {
      for (const [job, tasks] of cluster.spec) jobs.set(job, new Map(tasks));
    } else if (isPlainRecord(cluster) && isClusterDef(cluster)) {
      // As TF's _make_cluster_spec: a job listed twice keeps its last definition.
      for (const jobDef of cluster.job as unknown[]) {
        const { name, tasks } = jobDef as JobDef;
        if (typeof name !== "string") throw new TypeError(`Job name ${pyRepr(name)} must be bytes or unicode`);
        jobs.set(name, readJobTasks(name, tasks ?? {}));
      }
    } else if (isPlainRecord(cluster)) {
      for (const [job, tasks] of Object.entries(cluster)) jobs.set(job, readJobTasks(job, tasks));
    } else {
      throw new TypeError(BAD_CLUSTER);
    }
    this.spec = new Map([...jobs].sort((a, b) => byName(a[0], b[0])));
  }

  /** The job names, sorted. */
  get jobs(): string[] {
    return [...this.spec.keys()];
  }

  /** True when the cluster has no jobs (TF's `bool(spec)` is false). */
  get isEmpty(): boolean {
    return this.spec.size === 0;
  }

  private job(name: string): Map<number, string> {
    const tasks = this.spec.get(name);
    if (!tasks) throw new RangeError(`No such job in cluster: ${pyRepr(name)}`);
    return tasks;
  }

  /**
   * The cluster as a plain object: a dense job as a list, a sparse one as index → address.
   * @example new ClusterSpec({w: {0: "a:1", 3: "b:1"}}).asDict() // {w: {0: "a:1", 3: "b:1"}}
   */
  asDict(): ClusterAsDict {
    const out: ClusterAsDict = {};
    for (const [job, tasks] of this.spec) {
      const indices = [...tasks.keys()];
      const dense = indices.length > 0 && indices[indices.length - 1]! + 1 === indices.length;
      out[job] = dense ? [...tasks.values()] : Object.fromEntries(tasks);
    }
    return out;
  }

  /** The number of tasks defined in `job` (for a sparse job, the entries, not the largest index). */
  numTasks(job: string): number {
    return this.job(job).size;
  }

  /** The task indices defined in `job`, sorted. */
  taskIndices(job: string): number[] {
    return [...this.job(job).keys()];
  }

  /**
   * The address of task `index` of `job`.
   * @example spec.taskAddress("ps", 0) // "ps0:2222"
   */
  taskAddress(job: string, index: number): string {
    const address = this.job(job).get(index);
    if (address === undefined) throw new RangeError(`No task with index ${index} in job ${pyRepr(job)}`);
    return address;
  }

  /** The addresses of `job` by index; the holes of a sparse job are `null`. */
  jobTasks(job: string): (string | null)[] {
    const tasks = this.job(job);
    // TF computes max() over the indices, which fails for a job with no tasks.
    if (tasks.size === 0) throw new RangeError(`Job ${pyRepr(job)} has no tasks`);
    const indices = [...tasks.keys()];
    const out: (string | null)[] = new Array<string | null>(indices[indices.length - 1]! + 1).fill(null);
    for (const [i, address] of tasks) out[i] = address;
    return out;
  }

  /** Every task, jobs in name order and tasks in index order. */
  allTasks(): TaskAddress[] {
    const out: TaskAddress[] = [];
    for (const [job, tasks] of this.spec) for (const [index, address] of tasks) out.push({ job, index, address });
    return out;
  }

  /**
   * Where stateful ops with no device live: the lowest task of the first job in name order
   * (skipping jobs with no tasks), so every master agrees on it.
   * @example new ClusterSpec({worker: ["w:1"], ps: ["p:1"]}).resourceHome() // {job: "ps", index: 0}
   */
  resourceHome(): { job: string; index: number } {
    for (const [job, tasks] of this.spec) {
      const first = tasks.keys().next();
      if (!first.done) return { job, index: first.value };
    }
    throw new RangeError("ClusterSpec has no tasks");
  }

  /** The ClusterDef message: jobs sorted by name, tasks by index, so it is deterministic. */
  asClusterDef(): ClusterDef {
    return { job: [...this.spec].map(([name, tasks]) => ({ name, tasks: Object.fromEntries(tasks) })) };
  }

  /** Same jobs with the same index → address mappings (a dense list equals its sparse spelling). */
  equals(other: ClusterSpecLike): boolean {
    let o: ClusterSpec;
    try {
      o = other instanceof ClusterSpec ? other : new ClusterSpec(other);
    } catch {
      return false;
    }
    if (o.spec.size !== this.spec.size) return false;
    for (const [job, tasks] of this.spec) {
      const theirs = o.spec.get(job);
      if (!theirs || theirs.size !== tasks.size) return false;
      for (const [i, address] of tasks) if (theirs.get(i) !== address) return false;
    }
    return true;
  }

  toJSON(): ClusterAsDict {
    return this.asDict();
  }

  /** As Python's str(): `ClusterSpec({'ps': ['ps0:1111'], 'worker': ['w0:2222']})`. */
  toString(): string {
    // Iterate the map, not asDict(): a JS object would move integer-like job names first.
    const dict = this.asDict();
    const items = this.jobs.map((job) => `${pyRepr(job)}: ${pyRepr(dict[job])}`);
    return `ClusterSpec({${items.join(", ")}})`;
  }
}
