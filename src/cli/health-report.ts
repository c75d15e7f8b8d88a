/**
 * How the CLI reports tasks that did not answer: each named (job, task, address) with the error
 * it gave, on stderr, and a non-zero exit status — never a report that looks healthy (an empty
 * "no resources" with exit 0 while the ps task was down), never blaming the server asked.
 */
import type { TaskStatus } from "../transport/messages.js";

/** One line per task: reachable, or unreachable with the error. */
export function formatTasks(tasks: readonly TaskStatus[]): string {
  return tasks.map((t) => `${t.task} (${t.address}): ${t.reachable ? "reachable" : `UNREACHABLE: ${t.error ?? "no answer"}`}\n`).join("");
}

/** Names every unreachable task on stderr and makes the command exit with status 1. */
export function reportUnreachable(tasks: readonly TaskStatus[], stderr: NodeJS.WritableStream = process.stderr): void {
  if (tasks.length === 0) return;
  for (const t of tasks) stderr.write(`tfcluster: ${t.task} (${t.address}) did not answer: ${t.error ?? "no answer"}\n`);
  process.exitCode = 1;
}
