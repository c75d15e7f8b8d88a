export { Optimizer } from "./optimizer.js";
export type { GradAndVar, ApplyGradientsOptions, ComputeGradientsOptions, MinimizeOptions, OptimizerOptions } from "./optimizer.js";
export { GradientDescentOptimizer } from "./gradient-descent.js";
export { MomentumOptimizer } from "./momentum.js";
export type { MomentumOptions } from "./momentum.js";
export { AdamOptimizer } from "./adam.js";
export type { AdamOptions } from "./adam.js";
