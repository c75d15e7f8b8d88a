/**
 * The one helper every conformance test goes through: it runs a suite once per registered
 * transport (inproc, thread, grpc), each against a real cluster launched with tf.sim.launch.
 * TFCLUSTER_TRANSPORTS=inproc,thread narrows the set.
 */
import { afterAll, beforeAll, describe } from "vitest";
import * as tf from "../../src/index.js";
import type { SimCluster } from "../../src/sim/launch.js";
import type { TransportName } from "../../src/transport/services.js";

export const ALL_TRANSPORTS: TransportName[] = ["inproc", "thread", "grpc"];

export function enabledTransports(): TransportName[] {
  const env = process.env.TFCLUSTER_TRANSPORTS;
  if (!env) return ALL_TRANSPORTS;
  const names = env.split(",").map((s) => s.trim()).filter((s) => s !== "");
  // A misspelt name must not quietly run fewer transports than asked.
  const unknown = names.filter((s) => !(ALL_TRANSPORTS as string[]).includes(s));
  if (unknown.length > 0) throw new Error(`TFCLUSTER_TRANSPORTS names unknown transport(s) ${unknown.join(", ")}: use ${ALL_TRANSPORTS.join(", ")}`);
  return names as TransportName[];
}

export type ClusterShape = Record<string, number>;

/** {ps: 1, worker: 2} → {ps: ["localhost:0"], worker: ["localhost:0", "localhost:0"]} */
export function clusterOf(shape: ClusterShape): Record<string, string[]> {
  return Object.fromEntries(Object.entries(shape).map(([job, n]) => [job, Array.from({ length: n }, () => "localhost:0")]));
}

export interface TransportContext {
  transport: TransportName;
  /** The running cluster (launched once per transport for the suite). */
  readonly cluster: SimCluster;
  target(job: string, index?: number): string;
}

/**
 * Runs `body` once per transport with a cluster of `shape` launched before the suite and stopped
 * after it. Tests build their own graphs (tf.Graph) so suites never share graph state.
 */
export function describeOnTransports(
  title: string,
  shape: ClusterShape,
  body: (ctx: TransportContext) => void,
  options: { seed?: number; virtualGpus?: number; transports?: TransportName[] } = {},
): void {
  for (const transport of options.transports ?? enabledTransports()) {
    describe(`${title} [${transport}]`, () => {
      let cluster: SimCluster | null = null;
      const ctx: TransportContext = {
        transport,
        get cluster() {
          if (!cluster) throw new Error("cluster not launched");
          return cluster;
        },
        target: (job, index = 0) => ctx.cluster.target(job, index),
      };
      beforeAll(async () => {
        cluster = await tf.sim.launch(clusterOf(shape), {
          transport,
          seed: options.seed ?? 1,
          ...(options.virtualGpus ? { virtualGpus: options.virtualGpus } : {}),
        });
      }, 120_000);
      afterAll(async () => {
        await cluster?.stop();
      }, 60_000);
      body(ctx);
    });
  }
}

