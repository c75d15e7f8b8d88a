/**
 * Checks of the command line, reported in its own terms (`--job`, `--task`, the cluster file),
 * before anything starts: a user reads "--task 5: job 'worker' has tasks 0, 1", not an engine
 * message about ServerDefs.
 */
import { InvalidArgumentError as CliArgError } from "commander";
import { readFileSync } from "node:fs";
import type { ClusterSpecLike } from "../train/cluster-spec.js";
import { ClusterSpec } from "../train/cluster-spec.js";

/** The package's version, for `tfcluster --version`. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
  return pkg.version ?? "unknown";
}

const ADDRESS = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/;

/** Every address of the cluster is host:port with a real port (0, "pick one", only for the simulator). */
export function checkClusterAddresses(cluster: ClusterSpecLike, options: { allowPortZero: boolean }): ClusterSpec {
  const spec = new ClusterSpec(cluster);
  for (const job of spec.jobs) {
    for (const i of spec.taskIndices(job)) {
      const address = spec.taskAddress(job, i);
      const m = ADDRESS.exec(address);
      const port = m ? Number(m[3]) : NaN;
      const portOk = port <= 65535 && (port > 0 || options.allowPortZero);
      if (!m || !portOk) {
        const want = options.allowPortZero ? "host:port (port 0 picks a free one)" : "host:port with a port from 1 to 65535 (port 0 only works with tfcluster sim)";
        throw new CliArgError(`cluster file: /job:${job}/task:${i} has address '${address}'; expected ${want}`);
      }
    }
  }
  return spec;
}

/** `--job` names a job of the cluster and `--task` one of its tasks. */
export function checkTaskFlags(spec: ClusterSpec, job: string | undefined, task: number | undefined): void {
  if (job !== undefined && !spec.jobs.includes(job)) {
    throw new CliArgError(`--job ${job}: the cluster has no job '${job}'; its jobs are ${spec.jobs.join(", ")}`);
  }
  if (job !== undefined && task !== undefined && !spec.taskIndices(job).includes(task)) {
    throw new CliArgError(`--task ${task}: job '${job}' has tasks ${spec.taskIndices(job).join(", ")}`);
  }
}

/** What the user should know when the simulator serves a transport other processes cannot reach. */
export function simTransportNote(transport: string): string | undefined {
  if (transport === "grpc") return undefined;
  return `note: a ${transport}:// target can only be reached from inside this process; other programs (and tfcluster status) need --transport grpc`;
}
