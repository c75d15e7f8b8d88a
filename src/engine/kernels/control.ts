/** Kernels of the control ops: NoOp (its control inputs are what matter). */
import { registerKernel } from "./registry.js";

registerKernel("NoOp", () => []);
