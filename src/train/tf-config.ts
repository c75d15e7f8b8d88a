/**
 * The standard TF_CONFIG environment variable: the cluster and which task this process is.
 * `chief`, `master` and `evaluator` are ordinary job names here; the task must be in the cluster.
 */
import { ClusterSpec } from "./cluster-spec.js";
import type { ClusterDict } from "./cluster-spec.js";

/** The parsed TF_CONFIG. */
export interface TfConfig {
  cluster: ClusterSpec;
  jobName: string;
  taskIndex: number;
}

function describe(x: unknown): string {
  if (x === undefined) return "undefined";
  if (Array.isArray(x)) return `an array ${JSON.stringify(x)}`;
  return JSON.stringify(x) ?? String(x);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function fail(message: string): never {
  throw new Error(message);
}

function parseJson(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch (e) {
    return fail(`TF_CONFIG is not valid JSON: ${(e as Error).message}`);
  }
}

function readCluster(config: Record<string, unknown>): ClusterSpec {
  const cluster = config.cluster;
  if (cluster === undefined) fail("TF_CONFIG.cluster is missing");
  if (!isObject(cluster)) {
    fail(`TF_CONFIG.cluster must be an object mapping job names to lists of addresses, got ${describe(cluster)}`);
  }
  try {
    return new ClusterSpec(cluster as ClusterDict);
  } catch (e) {
    return fail(`TF_CONFIG.cluster is invalid: ${(e as Error).message}`);
  }
}

function readTask(config: Record<string, unknown>): { jobName: string; taskIndex: number } {
  const task = config.task;
  if (task === undefined) fail("TF_CONFIG.task is missing");
  if (!isObject(task)) fail(`TF_CONFIG.task must be an object like {"type": "worker", "index": 0}, got ${describe(task)}`);
  const type = task.type;
  if (type === undefined) fail("TF_CONFIG.task.type is missing");
  if (typeof type !== "string" || type === "") fail(`TF_CONFIG.task.type must be a non-empty string, got ${describe(type)}`);
  const index = task.index;
  if (index === undefined) fail("TF_CONFIG.task.index is missing");
  if (typeof index !== "number" || !Number.isSafeInteger(index) || index < 0) {
    fail(`TF_CONFIG.task.index must be a non-negative integer, got ${describe(index)}`);
  }
  return { jobName: type, taskIndex: index };
}

/**
 * Reads the standard TF_CONFIG (`{"cluster": {...}, "task": {"type": "worker", "index": 0}}`).
 * Throws an Error saying exactly which field is wrong. Other keys (`environment`, `rpc_layer`) are ignored.
 * @example
 * const {cluster, jobName, taskIndex} = parseTfConfig(process.env.TF_CONFIG);
 * await tf.train.Server.create(cluster, {jobName, taskIndex});
 */
export function parseTfConfig(json: string | Record<string, unknown> | undefined = process.env.TF_CONFIG): TfConfig {
  if (json === undefined || json === "") fail("TF_CONFIG is not set");
  const config = typeof json === "string" ? parseJson(json) : json;
  if (!isObject(config)) fail(`TF_CONFIG must be a JSON object, got ${describe(config)}`);
  const cluster = readCluster(config);
  const { jobName, taskIndex } = readTask(config);
  if (!cluster.jobs.includes(jobName)) {
    const jobs = cluster.isEmpty ? "it has no jobs" : `jobs: ${cluster.jobs.map((j) => `'${j}'`).join(", ")}`;
    fail(`TF_CONFIG.task.type '${jobName}' is not a job in TF_CONFIG.cluster (${jobs})`);
  }
  if (!cluster.taskIndices(jobName).includes(taskIndex)) {
    const indices = cluster.numTasks(jobName) === 0 ? "it has no tasks" : `indices: ${cluster.taskIndices(jobName).join(", ")}`;
    fail(`TF_CONFIG.task.index ${taskIndex} is not a task of job '${jobName}' (${indices})`);
  }
  return { cluster, jobName, taskIndex };
}
