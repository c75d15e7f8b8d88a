import { afterEach, describe, expect, it, vi } from "vitest";
import { ClusterSpec } from "../../../src/train/cluster-spec.js";
import { parseTfConfig } from "../../../src/train/tf-config.js";

const cluster = { chief: ["c0:2222"], ps: ["p0:2222", "p1:2222"], worker: ["w0:2222", "w1:2222"] };
const config = (task: unknown, c: unknown = cluster): string => JSON.stringify({ cluster: c, task });

describe("parseTfConfig", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("reads the standard TF_CONFIG", () => {
    const parsed = parseTfConfig(config({ type: "worker", index: 1 }));
    expect(parsed.jobName).toBe("worker");
    expect(parsed.taskIndex).toBe(1);
    expect(parsed.cluster).toBeInstanceOf(ClusterSpec);
    expect(parsed.cluster.equals(cluster)).toBe(true);
  });

  it("reads process.env.TF_CONFIG by default", () => {
    vi.stubEnv("TF_CONFIG", config({ type: "ps", index: 0 }));
    expect(parseTfConfig()).toMatchObject({ jobName: "ps", taskIndex: 0 });
  });

  it("treats chief and master as ordinary jobs", () => {
    expect(parseTfConfig(config({ type: "chief", index: 0 })).jobName).toBe("chief");
    const withMaster = { master: ["m:1"], worker: ["w:1"] };
    const parsed = parseTfConfig(config({ type: "master", index: 0 }, withMaster));
    expect(parsed.cluster.jobs).toEqual(["master", "worker"]);
    expect(parsed.cluster.resourceHome()).toEqual({ job: "master", index: 0 });
  });

  it("accepts sparse jobs, an already-parsed object, and ignores other keys", () => {
    const parsed = parseTfConfig({
      cluster: { worker: { "3": "w3:1" } },
      task: { type: "worker", index: 3 },
      environment: "cloud",
      rpc_layer: "grpc",
    });
    expect(parsed.taskIndex).toBe(3);
    expect(parsed.cluster.taskIndices("worker")).toEqual([3]);
  });

  const errors: [json: string, message: string | RegExp][] = [
    ["{not json", /^TF_CONFIG is not valid JSON: /],
    ["[1, 2]", "TF_CONFIG must be a JSON object, got an array [1,2]"],
    ["null", "TF_CONFIG must be a JSON object, got null"],
    ['"x"', 'TF_CONFIG must be a JSON object, got "x"'],
    [JSON.stringify({ task: { type: "worker", index: 0 } }), "TF_CONFIG.cluster is missing"],
    [config({ type: "worker", index: 0 }, ["w:1"]), 'TF_CONFIG.cluster must be an object mapping job names to lists of addresses, got an array ["w:1"]'],
    [config({ type: "worker", index: 0 }, "w:1"), 'TF_CONFIG.cluster must be an object mapping job names to lists of addresses, got "w:1"'],
    [
      config({ type: "worker", index: 0 }, { worker: "w:1" }),
      "TF_CONFIG.cluster is invalid: The tasks for job 'worker' must be a list or a dictionary from integers to strings.",
    ],
    [config({ type: "worker", index: 0 }, { worker: [2222] }), "TF_CONFIG.cluster is invalid: Task address 2222 must be bytes or unicode"],
    [JSON.stringify({ cluster }), "TF_CONFIG.task is missing"],
    [config("worker"), 'TF_CONFIG.task must be an object like {"type": "worker", "index": 0}, got "worker"'],
    [config({ index: 0 }), "TF_CONFIG.task.type is missing"],
    [config({ type: 3, index: 0 }), "TF_CONFIG.task.type must be a non-empty string, got 3"],
    [config({ type: "", index: 0 }), 'TF_CONFIG.task.type must be a non-empty string, got ""'],
    [config({ type: "worker" }), "TF_CONFIG.task.index is missing"],
    [config({ type: "worker", index: "0" }), 'TF_CONFIG.task.index must be a non-negative integer, got "0"'],
    [config({ type: "worker", index: -1 }), "TF_CONFIG.task.index must be a non-negative integer, got -1"],
    [config({ type: "worker", index: 1.5 }), "TF_CONFIG.task.index must be a non-negative integer, got 1.5"],
    [config({ type: "worker", index: null }), "TF_CONFIG.task.index must be a non-negative integer, got null"],
    [config({ type: "evaluator", index: 0 }), "TF_CONFIG.task.type 'evaluator' is not a job in TF_CONFIG.cluster (jobs: 'chief', 'ps', 'worker')"],
    [config({ type: "worker", index: 0 }, {}), "TF_CONFIG.task.type 'worker' is not a job in TF_CONFIG.cluster (it has no jobs)"],
    [config({ type: "worker", index: 2 }), "TF_CONFIG.task.index 2 is not a task of job 'worker' (indices: 0, 1)"],
    [config({ type: "worker", index: 0 }, { worker: [] }), "TF_CONFIG.task.index 0 is not a task of job 'worker' (it has no tasks)"],
  ];
  it.each(errors)("%s is rejected", (json, message) => {
    expect(() => parseTfConfig(json)).toThrow(Error);
    expect(() => parseTfConfig(json)).toThrow(message);
  });

  it("says when TF_CONFIG is not set", () => {
    vi.stubEnv("TF_CONFIG", undefined);
    expect(() => parseTfConfig()).toThrow("TF_CONFIG is not set");
    expect(() => parseTfConfig("")).toThrow("TF_CONFIG is not set");
  });
});
