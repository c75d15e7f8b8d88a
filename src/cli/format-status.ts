/** Human-readable "why is my training stuck?" report from resource statuses. */
import type { ResourceStatus } from "../transport/messages.js";

interface Waiting {
  kind?: string;
  elements?: number;
  sinceMs?: number;
  stepId?: number;
}

export function formatStatus(resources: ResourceStatus[], someUnreachable = false): string {
  if (resources.length === 0) return someUnreachable ? "no resources on the tasks that answered\n" : "no resources on the cluster\n";
  const lines: string[] = [];
  for (const r of resources) {
    const d = r.details;
    const head = `${r.device} container=${r.container} ${r.kind} '${r.name}'`;
    if ("size" in d) {
      const cap = typeof d.capacity === "number" && d.capacity >= 0 ? String(d.capacity) : "unbounded";
      lines.push(`${head}: size ${String(d.size)}/${cap}${d.closed ? ", closed" : ""}`);
      const waiting = Array.isArray(d.waiting) ? (d.waiting as Waiting[]) : [];
      if (waiting.length === 0) lines.push("  nothing waiting");
      for (const w of waiting) {
        const since = typeof w.sinceMs === "number" ? `${(w.sinceMs / 1000).toFixed(1)} s` : "?";
        lines.push(`  ${w.kind ?? "op"} of ${w.elements ?? "?"} element(s) waiting for ${since} (step ${w.stepId ?? "?"})`);
      }
    } else if ("numAccumulated" in d) {
      // A ConditionalAccumulator: what is in, the step below which gradients are dropped, blocked takes.
      lines.push(`${head}: ${String(d.numAccumulated)} gradient(s) accumulated, step ${String(d.globalStep)}`);
      const waiting = Array.isArray(d.waiting) ? (d.waiting as Waiting[]) : [];
      for (const w of waiting) {
        const since = typeof w.sinceMs === "number" ? `${(w.sinceMs / 1000).toFixed(1)} s` : "?";
        lines.push(`  takeGrad of ${w.elements ?? "?"} gradient(s) waiting for ${since} (step ${w.stepId ?? "?"})`);
      }
    } else {
      lines.push(`${head}: ${JSON.stringify(d)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
