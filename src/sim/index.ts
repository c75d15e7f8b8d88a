export { launch, SimCluster } from "./launch.js";
export type { SimLaunchOptions } from "./launch.js";
