export { launch, SimCluster } from "./launch.js";
export type { SimLaunchOptions } from "./launch.js";
export { simulate, simulateSeed, replayCommand, traceHash, firstDifference, workloads } from "./simulate.js";
export type { SimulateOptions, SimulateReport, SeedResult } from "./simulate.js";
export type { Workload, WorkloadResult } from "./workload.js";
