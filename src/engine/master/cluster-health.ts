/**
 * Which tasks of the cluster answer, as a master sees them: each task asked with its own short
 * bound, so one dead task costs its own timeout and never hides the others' answers. Used by the
 * status report (every task listed reachable or not) and by device discovery.
 */
import { asOpError } from "../../errors/index.js";
import type * as m from "../../transport/messages.js";
import type { CallOptions, WorkerService } from "../../transport/services.js";
import { taskKey } from "../devices.js";
import type { TaskId } from "../devices.js";

export interface TaskAnswer<T> {
  task: TaskId;
  value?: T;
  error?: string;
}

/** Asks every task in parallel, each under `timeoutMs`; never rejects. */
export async function askEveryTask<T>(
  tasks: TaskId[],
  worker: (t: TaskId) => WorkerService,
  ask: (w: WorkerService, opts: CallOptions) => Promise<T>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<TaskAnswer<T>[]> {
  return Promise.all(
    tasks.map(async (task) => {
      try {
        return { task, value: await ask(worker(task), { timeoutMs, ...(signal ? { signal } : {}) }) };
      } catch (err) {
        return { task, error: asOpError(err).message };
      }
    }),
  );
}

/** The status of each task for a ResourceStatusResponse. */
export function taskStatuses(answers: TaskAnswer<unknown>[], addressOf: (t: TaskId) => string): m.TaskStatus[] {
  return answers.map((a) => {
    const s: m.TaskStatus = { task: taskKey(a.task), address: addressOf(a.task), reachable: a.error === undefined };
    if (a.error !== undefined) s.error = a.error;
    return s;
  });
}

/**
 * Device discovery (TF's DeviceFinder) over `tasks`, each asked with its own bound: a task that
 * does not answer is left out (its reason kept), and the session works with the rest. TF waits
 * for every task without limit, so one dead task hangs every new session of the cluster.
 */
export async function discoverDevices(
  tasks: TaskId[],
  worker: (t: TaskId) => WorkerService,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ devices: m.DeviceAttributes[]; unreachable: Map<string, string> }> {
  const answers = await askEveryTask(tasks, worker, (w, o) => w.getStatus({}, o), timeoutMs, signal);
  const devices: m.DeviceAttributes[] = [];
  const unreachable = new Map<string, string>();
  for (const a of answers) {
    if (a.value) for (const d of a.value.deviceAttributes) devices.push(d);
    else unreachable.set(taskKey(a.task), a.error ?? "no answer");
  }
  const order = new Map(tasks.map((t, i) => [taskKey(t), i]));
  const rank = (name: string) => order.get(name.slice(0, name.indexOf("/device:"))) ?? 0;
  devices.sort((a, b) => rank(a.name) - rank(b.name) || (a.name < b.name ? -1 : 1));
  return { devices, unreachable };
}

/** The warning a session's creator reads once per unreachable task. */
export function unreachableWarning(task: string, address: string, why: string): string {
  return (
    `device discovery: ${task} (${address}) did not answer (${why}); sessions work without it, and ops placed on it fail ` +
    `with UnavailableError. If this session does not need it, set config.deviceFilters (for example ["/job:ps", "/job:worker/task:0"]) so it is not asked.`
  );
}
