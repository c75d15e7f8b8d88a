/**
 * The cluster's resources as the master of `target` sees them: every queue with its size,
 * capacity, closed flag and the ops waiting on them (and for how long) — "why is my training
 * stuck?" — and every task of the cluster, reachable or not (with the error), in `.tasks`.
 * @example
 *   const status = await tf.clusterStatus(target);
 *   for (const t of status.tasks) if (!t.reachable) console.log(t.task, t.error);
 *   for (const r of status) console.log(r.name, r.details);
 */
import type { ResourceStatus, TaskStatus } from "../transport/messages.js";
import { getTransport, parseTarget } from "../transport/registry.js";
import type { ConnectOptions } from "../transport/services.js";

/** The resources (an array, as before) with every task's reachability beside them. */
export type ClusterStatus = ResourceStatus[] & {
  tasks: TaskStatus[];
  /** The tasks that did not answer. */
  unreachable: TaskStatus[];
};

export async function clusterStatus(target: string, options: { timeoutMs?: number; security?: ConnectOptions } = {}): Promise<ClusterStatus> {
  const { transport, address } = parseTarget(target);
  const master = (await getTransport(transport)).connectMaster(address, options.security);
  const report = await master.resourceStatus({}, { timeoutMs: options.timeoutMs ?? 10_000 });
  const tasks = report.task ?? [];
  return Object.assign([...report.resource], { tasks, unreachable: tasks.filter((t) => !t.reachable) });
}
