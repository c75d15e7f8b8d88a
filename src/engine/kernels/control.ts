/** Kernels of the control ops: NoOp (its control inputs are what matter) and Assert. */
import { InvalidArgumentError } from "../../errors/index.js";
import type { NDArray } from "../../tensor/ndarray.js";
import { registerKernel } from "./registry.js";

registerKernel("NoOp", () => []);

/** A tensor as TF's Assert prints it (Tensor::SummarizeValue): its first `n` values, space-separated. */
function summarizeValue(t: NDArray, n: number): string {
  const shown: string[] = [];
  for (let i = 0; i < Math.min(n, t.size); i++) shown.push(String(t.valueAt(i)));
  return `${shown.join(" ")}${t.size > n ? "..." : ""}`;
}

registerKernel("Assert", (ctx) => {
  const [condition, ...data] = ctx.inputs;
  if (!condition || condition.dtype !== "bool" || condition.size !== 1) {
    throw new InvalidArgumentError(`In[0] of ${ctx.node.name} must be a bool scalar`, { nodeName: ctx.node.name });
  }
  if ((condition.data as Uint8Array)[0] === 0) {
    const n = ctx.attrs.i("summarize", 3);
    throw new InvalidArgumentError(`assertion failed: ${data.map((d) => `[${summarizeValue(d, n)}]`).join(" ")}`, { nodeName: ctx.node.name });
  }
  return [];
}, { stateful: true });
