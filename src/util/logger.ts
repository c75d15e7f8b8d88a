/**
 * One small logger with named tracers: TFCLUSTER_TRACE=master,queue (or "all") turns tracers on.
 * Warnings and device-placement logs always print to stderr.
 */
const enabled = new Set((process.env.TFCLUSTER_TRACE ?? "").split(",").map((s) => s.trim()).filter(Boolean));

export interface Tracer {
  readonly on: boolean;
  (message: string): void;
}

export function tracer(name: string): Tracer {
  const on = enabled.has(name) || enabled.has("all");
  const fn = ((message: string) => {
    if (on) process.stderr.write(`[tfcluster:${name}] ${message}\n`);
  }) as Tracer;
  Object.defineProperty(fn, "on", { value: on });
  return fn;
}

export const log = {
  info(message: string): void {
    process.stderr.write(`${message}\n`);
  },
  warn(message: string): void {
    process.stderr.write(`tfcluster warning: ${message}\n`);
  },
};
