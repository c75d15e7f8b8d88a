/**
 * Chrome trace (chrome://tracing, Perfetto) from a traced run's StepStats: one process per device,
 * one complete event ("X") per node.
 * @example const md = {}; await sess.run(c, {options: {traceLevel: "full"}, runMetadata: md});
 *          fs.writeFileSync("trace.json", tf.timeline(md));
 */
import type { RunMetadata } from "../transport/messages.js";

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid?: number;
  ts?: number;
  dur?: number;
  cat?: string;
  args?: Record<string, unknown>;
}

export function timeline(runMetadata: RunMetadata): string {
  const events: TraceEvent[] = [];
  const devStats = runMetadata.stepStats?.devStats ?? [];
  devStats.forEach((dev, pid) => {
    events.push({ name: "process_name", ph: "M", pid, args: { name: `${dev.device} Compute` } });
    for (const n of dev.nodeStats) {
      events.push({
        name: n.nodeName,
        cat: "Op",
        ph: "X",
        pid,
        tid: 0,
        ts: n.allStartMicros,
        dur: Math.max(n.allEndRelMicros, 1),
        args: { name: n.nodeName, op: n.timelineLabel.split(" = ")[1]?.split("(")[0] ?? "", label: n.timelineLabel },
      });
    }
  });
  return JSON.stringify({ traceEvents: events, displayTimeUnit: "ms" });
}
