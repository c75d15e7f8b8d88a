import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ClusterSpec, pyRepr } from "../../../src/train/cluster-spec.js";
import type { ClusterDict } from "../../../src/train/cluster-spec.js";
import type { ClusterDef } from "../../../src/transport/messages.js";

const ps = ["ps0:2222", "ps1:2222"];
const workers = ["worker0:2222", "worker1:2222", "worker2:2222"];
const sparse = { 0: "sparse0:2222", 3: "sparse3:2222" };
const mixed = new ClusterSpec({ ps, worker: workers, sparse });

const BAD_CLUSTER =
  "`cluster` must be a dictionary mapping one or more job names to lists of network addresses, or a `ClusterDef` protocol buffer";

describe("construction", () => {
  it("from a dict of lists: task i is element i", () => {
    const spec = new ClusterSpec({ ps, worker: workers });
    expect(spec.taskAddress("worker", 2)).toBe("worker2:2222");
    expect(spec.jobs).toEqual(["ps", "worker"]);
  });

  it("from a sparse dict, with numeric or string keys, or a Map", () => {
    expect(new ClusterSpec({ w: { 1: "b:2222" } }).taskIndices("w")).toEqual([1]);
    expect(new ClusterSpec({ w: { "7": "b:2222" } }).taskAddress("w", 7)).toBe("b:2222");
    expect(new ClusterSpec({ w: new Map([[3, "c:1"], [1, "a:1"]]) }).taskIndices("w")).toEqual([1, 3]);
  });

  it("from another ClusterSpec, copied", () => {
    const copy = new ClusterSpec(mixed);
    expect(copy.equals(mixed)).toBe(true);
    expect(copy.asClusterDef()).toEqual(mixed.asClusterDef());
  });

  it("from a ClusterDef", () => {
    const def: ClusterDef = { job: [{ name: "worker", tasks: { 0: "w0:1", 2: "w2:1" } }, { name: "ps", tasks: { 0: "p:1" } }] };
    const spec = new ClusterSpec(def);
    expect(spec.jobs).toEqual(["ps", "worker"]);
    expect(spec.jobTasks("worker")).toEqual(["w0:1", null, "w2:1"]);
  });

  it("a dict with a job named 'job' is a dict, not a ClusterDef", () => {
    const spec = new ClusterSpec({ job: ["host:2222"] });
    expect(spec.jobs).toEqual(["job"]);
    expect(spec.equals({ job: { 0: "host:2222" } })).toBe(true);
  });

  it("sorts jobs by name whatever the input order", () => {
    expect(new ClusterSpec({ worker: ["w:1"], chief: ["c:1"], ps: ["p:1"] }).jobs).toEqual(["chief", "ps", "worker"]);
  });

  const errors: [input: unknown, message: string][] = [
    [{ ps: "ps0:2222" }, "The tasks for job 'ps' must be a list or a dictionary from integers to strings."],
    [{ ps: 3 }, "The tasks for job 'ps' must be a list or a dictionary from integers to strings."],
    [{ ps: null }, "The tasks for job 'ps' must be a list or a dictionary from integers to strings."],
    [{ ps: { x: "a:1" } }, "The tasks for job 'ps' must be a list or a dictionary from integers to strings."],
    [{ ps: { "-1": "a:1" } }, "The tasks for job 'ps' must be a list or a dictionary from integers to strings."],
    [{ ps: [2222] }, "Task address 2222 must be bytes or unicode"],
    [{ ps: { 0: null } }, "Task address None must be bytes or unicode"],
    [{ job: [{ name: 7, tasks: {} }] }, "Job name 7 must be bytes or unicode"],
    [null, BAD_CLUSTER],
    ["ps:2222", BAD_CLUSTER],
    [["ps0:2222"], BAD_CLUSTER],
    [42, BAD_CLUSTER],
  ];
  it.each(errors)("%j throws TypeError", (input, message) => {
    expect(() => new ClusterSpec(input as ClusterDict)).toThrow(new TypeError(message));
  });
});

describe("accessors (§2.1 table)", () => {
  it("asDict round-trips: dense jobs as lists, sparse ones as objects", () => {
    expect(mixed.asDict()).toEqual({ ps, worker: workers, sparse });
    expect(Array.isArray(mixed.asDict().ps)).toBe(true);
    expect(Array.isArray(mixed.asDict().sparse)).toBe(false);
    // A sparse spelling of a dense job comes back as a list.
    expect(new ClusterSpec({ w: { 1: "b", 0: "a" } }).asDict()).toEqual({ w: ["a", "b"] });
  });

  it("numTasks counts entries", () => {
    expect([mixed.numTasks("ps"), mixed.numTasks("worker"), mixed.numTasks("sparse")]).toEqual([2, 3, 2]);
  });

  it("taskAddress", () => {
    expect(mixed.taskAddress("ps", 0)).toBe("ps0:2222");
    expect(mixed.taskAddress("sparse", 3)).toBe("sparse3:2222");
    expect(() => mixed.taskAddress("sparse", 2)).toThrow(new RangeError("No task with index 2 in job 'sparse'"));
    expect(() => mixed.taskAddress("ps", 2)).toThrow(new RangeError("No task with index 2 in job 'ps'"));
  });

  it("taskIndices are sorted", () => {
    expect(mixed.taskIndices("ps")).toEqual([0, 1]);
    expect(mixed.taskIndices("worker")).toEqual([0, 1, 2]);
    expect(mixed.taskIndices("sparse")).toEqual([0, 3]);
    expect(new ClusterSpec({ s: { 9: "a", 2: "b", 5: "c" } }).taskIndices("s")).toEqual([2, 5, 9]);
  });

  it("jobTasks fills the holes of a sparse job with null", () => {
    expect(mixed.jobTasks("ps")).toEqual(ps);
    expect(mixed.jobTasks("sparse")).toEqual(["sparse0:2222", null, null, "sparse3:2222"]);
  });

  it("every accessor rejects an unknown job", () => {
    const unknown = new RangeError("No such job in cluster: 'unknown'");
    expect(() => mixed.numTasks("unknown")).toThrow(unknown);
    expect(() => mixed.taskIndices("unknown")).toThrow(unknown);
    expect(() => mixed.taskAddress("unknown", 0)).toThrow(unknown);
    expect(() => mixed.jobTasks("unknown")).toThrow(unknown);
  });

  it("jobs lists the job names", () => {
    expect(mixed.jobs).toEqual(["ps", "sparse", "worker"]);
  });

  it("allTasks lists tasks in job-name then index order", () => {
    expect(new ClusterSpec({ worker: { 3: "w3", 1: "w1" }, ps: ["p0"] }).allTasks()).toEqual([
      { job: "ps", index: 0, address: "p0" },
      { job: "worker", index: 1, address: "w1" },
      { job: "worker", index: 3, address: "w3" },
    ]);
  });

  it("resourceHome is the lowest task of the first job in name order", () => {
    expect(new ClusterSpec({ worker: ["w0", "w1"], ps: ["p0", "p1"] }).resourceHome()).toEqual({ job: "ps", index: 0 });
    expect(new ClusterSpec({ local: { 37: "localhost:0" } }).resourceHome()).toEqual({ job: "local", index: 37 });
    expect(new ClusterSpec({ chief: ["c0"], worker: ["w0"] }).resourceHome()).toEqual({ job: "chief", index: 0 });
    // A job with no tasks cannot host anything; the next one does.
    expect(new ClusterSpec({ a: [], b: ["b0"] }).resourceHome()).toEqual({ job: "b", index: 0 });
    expect(() => new ClusterSpec({}).resourceHome()).toThrow(RangeError);
  });
});

describe("empty jobs", () => {
  const spec = new ClusterSpec({ ps: ["p:1"], worker: [] });

  it("asDict gives {} for a job with no tasks (newer TF)", () => {
    expect(spec.asDict()).toEqual({ ps: ["p:1"], worker: {} });
    expect(spec.numTasks("worker")).toBe(0);
    expect(spec.taskIndices("worker")).toEqual([]);
  });

  it("jobTasks on an empty job throws", () => {
    expect(() => spec.jobTasks("worker")).toThrow(RangeError);
  });

  it("asClusterDef keeps the job with no tasks", () => {
    expect(new ClusterSpec({ worker: [] }).asClusterDef()).toEqual({ job: [{ name: "worker", tasks: {} }] });
  });
});

describe("asClusterDef and round trips", () => {
  it("sorts jobs by name and tasks by index", () => {
    const def = new ClusterSpec({ worker: { 2: "w2", 0: "w0" }, ps: ["p0"] }).asClusterDef();
    expect(def).toEqual({ job: [{ name: "ps", tasks: { 0: "p0" } }, { name: "worker", tasks: { 0: "w0", 2: "w2" } }] });
    expect(def.job.map((j) => j.name)).toEqual(["ps", "worker"]);
    expect(Object.keys(def.job[1]!.tasks)).toEqual(["0", "2"]);
  });

  it("returns a fresh object each time", () => {
    const a = mixed.asClusterDef();
    a.job[0]!.tasks[0] = "changed";
    expect(mixed.asClusterDef()).not.toEqual(a);
  });

  it("dict → spec → def, and spec → spec / def / asDict → spec, all give the same def", () => {
    const dict = { ps, worker: workers, sparse };
    const spec = new ClusterSpec(dict);
    const def = spec.asClusterDef();
    expect(new ClusterSpec(spec).asClusterDef()).toEqual(def);
    expect(new ClusterSpec(def).asClusterDef()).toEqual(def);
    expect(new ClusterSpec(spec.asDict()).asClusterDef()).toEqual(def);
  });

  it("zero workers round-trip", () => {
    const spec = new ClusterSpec({ worker: [] });
    expect(new ClusterSpec(spec.asClusterDef()).asClusterDef()).toEqual(spec.asClusterDef());
    expect(new ClusterSpec(spec.asDict()).asClusterDef()).toEqual(spec.asClusterDef());
  });

  // Model: a cluster is a map job → (index → address); every form of it denotes the same map.
  it("any cluster round-trips through asDict, asClusterDef and the copy constructor (property)", () => {
    const job = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
    const tasks = fc.dictionary(fc.nat(20).map(String), fc.stringMatching(/^[a-z0-9.]{1,8}:\d{1,5}$/), { maxKeys: 5 });
    fc.assert(
      fc.property(fc.dictionary(job, tasks, { maxKeys: 4 }), (dict) => {
        const spec = new ClusterSpec(dict);
        for (const other of [spec.asDict(), spec.asClusterDef(), spec]) {
          const back = new ClusterSpec(other);
          expect(back.equals(spec)).toBe(true);
          expect(back.asClusterDef()).toEqual(spec.asClusterDef());
        }
        expect(spec.allTasks().length).toBe(Object.values(dict).reduce((n, t) => n + Object.keys(t).length, 0));
      }),
    );
  });
});

describe("isEmpty and equals", () => {
  it("an empty spec is empty; a job with no tasks is not", () => {
    expect(new ClusterSpec({}).isEmpty).toBe(true);
    // `{job: []}` reads as a ClusterDef with no jobs (its natural producer is asClusterDef()).
    const noJobs: ClusterDef = { job: [] };
    expect(new ClusterSpec(noJobs).isEmpty).toBe(true);
    expect(new ClusterSpec(new ClusterSpec({}).asClusterDef()).isEmpty).toBe(true);
    expect(new ClusterSpec({ worker: [] }).isEmpty).toBe(false);
    expect(mixed.isEmpty).toBe(false);
  });

  it("compares the job → index → address mapping", () => {
    expect(new ClusterSpec({ job: { 0: "host:2222" } }).equals(new ClusterSpec({ job: ["host:2222"] }))).toBe(true);
    expect(new ClusterSpec({ job: ["host:2222"] }).equals({ job: { 0: "host:2222" } })).toBe(true);
    expect(new ClusterSpec({ job: ["a:1", "b:1"] }).equals({ job: ["b:1", "a:1"] })).toBe(false);
    expect(new ClusterSpec({ job: ["a:1"] }).equals({ job: ["a:2"] })).toBe(false);
    expect(new ClusterSpec({ a: ["x:1"] }).equals({ a: ["x:1"], b: [] })).toBe(false);
    expect(new ClusterSpec({ a: ["x:1"] }).equals({ a: [7] } as unknown as ClusterDict)).toBe(false);
  });
});

describe("toString", () => {
  it("is Python's str(), jobs sorted", () => {
    expect(String(new ClusterSpec({ worker: ["worker0:3333", "worker1:4444"], ps: ["ps0:1111"] }))).toBe(
      "ClusterSpec({'ps': ['ps0:1111'], 'worker': ['worker0:3333', 'worker1:4444']})",
    );
  });

  it("writes sparse and empty jobs as dicts", () => {
    expect(String(new ClusterSpec({ s: { 0: "a:1", 3: "b:1" }, e: [] }))).toBe("ClusterSpec({'e': {}, 's': {0: 'a:1', 3: 'b:1'}})");
    expect(String(new ClusterSpec({}))).toBe("ClusterSpec({})");
  });

  it("keeps name order for integer-like job names", () => {
    expect(String(new ClusterSpec({ b: ["x"], "10": ["y"], "9": ["z"] }))).toBe("ClusterSpec({'10': ['y'], '9': ['z'], 'b': ['x']})");
  });

  it("toJSON is asDict", () => {
    expect(JSON.parse(JSON.stringify(mixed))).toEqual({ ps, worker: workers, sparse: { "0": "sparse0:2222", "3": "sparse3:2222" } });
  });

  it("pyRepr quotes like Python", () => {
    expect(pyRepr("it's")).toBe(`"it's"`);
    expect(pyRepr(`a'b"c`)).toBe(`'a\\'b"c'`);
    expect(pyRepr("tab\there")).toBe("'tab\\there'");
    expect(pyRepr(null)).toBe("None");
    expect(pyRepr([true, 1])).toBe("[True, 1]");
  });
});
