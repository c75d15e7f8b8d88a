/** Small pieces the built-in hooks share: the global step they read, a clock-driven sleep, value formatting. */
import type { Session } from "../../client/session.js";
import { getDefaultGraph } from "../../graph/graph.js";
import type { Tensor } from "../../graph/tensor.js";
import type { NDArray } from "../../tensor/ndarray.js";
import type { Clock } from "../../util/env.js";
import { globalStepReadTensor } from "../global-step.js";

/** The default graph's global-step read tensor, or TF's error naming the hook that needs it. */
export function requireGlobalStepRead(hookName: string): Tensor {
  const t = globalStepReadTensor(getDefaultGraph());
  if (!t) throw new Error(`Global step should be created to use ${hookName}.`);
  return t;
}

export function stepOf(value: unknown): number {
  return Number((value as NDArray).item());
}

export async function readStep(session: Session, t: Tensor): Promise<number> {
  return stepOf(await session.run(t));
}

/** Resolves after `ms` of the clock's time (virtual under the simulator). */
export function sleepMs(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(ms, resolve));
}

/** A value as a log line shows it: a scalar's number or string, an array's nested values. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "None";
  const v = value as NDArray;
  if (typeof v.toArray !== "function") return String(value);
  const walk = (x: unknown): string => (Array.isArray(x) ? `[${x.map(walk).join(" ")}]` : String(x));
  return walk(v.toArray());
}

/** Python's "%g": six significant digits, no trailing zeros. */
export function formatG(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return String(Number(x.toPrecision(6)));
}
