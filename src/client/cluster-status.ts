/**
 * The cluster's resources as the master of `target` sees them: every queue with its size,
 * capacity, closed flag and the ops waiting on it (and for how long) — "why is my training stuck?".
 * @example for (const r of await tf.clusterStatus(target)) console.log(r.name, r.details);
 */
import type { ResourceStatus } from "../transport/messages.js";
import { getTransport, parseTarget } from "../transport/registry.js";
import type { ConnectOptions } from "../transport/services.js";

export async function clusterStatus(target: string, options: { timeoutMs?: number; security?: ConnectOptions } = {}): Promise<ResourceStatus[]> {
  const { transport, address } = parseTarget(target);
  const master = (await getTransport(transport)).connectMaster(address, options.security);
  const report = await master.resourceStatus({}, { timeoutMs: options.timeoutMs ?? 10_000 });
  return report.resource;
}
