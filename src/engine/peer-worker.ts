/**
 * A client of another task's worker service whose failures name that task: a transport only
 * knows addresses, a user wants to read "/job:ps/replica:0/task:0 is unavailable".
 */
import { Code, UnavailableError, asOpError } from "../errors/index.js";
import type { WorkerService } from "../transport/services.js";
import { taskKey } from "./devices.js";
import type { TaskId } from "./devices.js";

export function namedPeer(task: TaskId, address: string, worker: WorkerService): WorkerService {
  const name = taskKey(task);
  const rename = (err: unknown): never => {
    const e = asOpError(err);
    if (e.code !== Code.UNAVAILABLE || e.message.includes(name)) throw e;
    throw new UnavailableError(`Task ${name} (${address}) is unavailable: ${e.message}`, e.nodeName ? { nodeName: e.nodeName } : {});
  };
  // Wrapped methods are made once per name, not per call: this sits on every RunGraph/RecvTensor.
  const wrapped = new Map<PropertyKey, (...args: unknown[]) => Promise<unknown>>();
  return new Proxy(worker, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== "function" || prop === "then") return value;
      let fn = wrapped.get(prop);
      if (!fn) {
        const method = value as (...a: unknown[]) => Promise<unknown>;
        fn = (...args: unknown[]) => method.apply(target, args).catch(rename);
        wrapped.set(prop, fn);
      }
      return fn;
    },
  });
}
