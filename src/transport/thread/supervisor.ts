/**
 * Starts worker threads that can serve and call over the thread transport, and watches them:
 * each gets a broker port in its workerData, runs TypeScript entries through tsx's loader hooks,
 * and is counted until its 'exit'. terminate() is bounded.
 *
 * Why not `execArgv: ["--import", "tsx"]`: on Node 20 tsx registers its hooks only on the main
 * thread (worker support needs Node >= 22.22), so a worker started that way cannot load a .ts
 * entry, under tsx or vitest alike. Registering tsx's ESM hooks from a tiny eval'd bootstrap
 * works on both.
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { systemClock } from "../../util/env.js";
import { brokerLink } from "./broker-link.js";
import { BROKER_PORT_KEY } from "./protocol.js";

/** How long terminate() waits for the thread's exit after asking V8 to stop it. */
const TERMINATE_TIMEOUT_MS = 5_000;

export interface ThreadExit {
  exitCode: number;
  /** The uncaught error that ended the thread, if it crashed. */
  error?: Error;
}

export interface SpawnThreadOptions {
  /** Plain data for the thread (structured-cloned); the broker port is added to it. */
  workerData?: Record<string, unknown>;
}

const live = new Set<SupervisedThread>();

/** Threads started by spawnThread in this thread and not exited yet. */
export function liveThreadCount(): number {
  return live.size;
}

export class SupervisedThread {
  readonly exited: Promise<ThreadExit>;
  error: Error | undefined;
  private exitInfo: ThreadExit | undefined;

  /** The thread's id (kept: Worker.threadId reads -1 once the thread has exited). */
  readonly threadId: number;

  constructor(readonly worker: Worker) {
    this.threadId = worker.threadId;
    live.add(this);
    worker.on("error", (err: Error) => {
      this.error ??= err;
    });
    worker.on("messageerror", (err: Error) => {
      this.error ??= err;
    });
    this.exited = new Promise<ThreadExit>((resolve) => {
      worker.on("exit", (exitCode: number) => {
        live.delete(this);
        this.exitInfo = this.error ? { exitCode, error: this.error } : { exitCode };
        resolve(this.exitInfo);
      });
    });
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  post(message: unknown): void {
    if (this.alive) this.worker.postMessage(message);
  }

  /** Stops the thread now (a crash, as far as its peers can tell); settles within a bound. */
  async terminate(timeoutMs = TERMINATE_TIMEOUT_MS): Promise<ThreadExit> {
    if (!this.alive) return this.exitInfo!;
    void this.worker.terminate().catch(() => undefined);
    let cancel = (): void => undefined;
    const timedOut = new Promise<ThreadExit>((resolve) => {
      cancel = systemClock.setTimer(timeoutMs, () => resolve({ exitCode: -1, error: new Error(`thread ${this.threadId} did not exit within ${timeoutMs} ms`) }));
    });
    const result = await Promise.race([this.exited, timedOut]);
    cancel();
    return result;
  }
}

function entryWorker(entry: URL, options: ConstructorParameters<typeof Worker>[1]): Worker {
  if (!entry.pathname.endsWith(".ts")) return new Worker(entry, options);
  const hooks = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm")).href;
  const code = [
    `require("node:module").register(${JSON.stringify(hooks)}, { data: {} });`,
    `import(${JSON.stringify(entry.href)}).catch((err) => { process.nextTick(() => { throw err; }); });`,
  ].join("\n");
  return new Worker(code, { ...options, eval: true });
}

/**
 * Starts `entry` (a .ts or .js module URL) in a new worker thread that joins this process's
 * thread-transport broker.
 * @example const t = await spawnThread(new URL("./task.ts", import.meta.url), { workerData: { n: 1 } });
 */
export async function spawnThread(entry: URL, options: SpawnThreadOptions = {}): Promise<SupervisedThread> {
  const port = await brokerLink().newMemberPort();
  const worker = entryWorker(entry, {
    workerData: { ...options.workerData, [BROKER_PORT_KEY]: port },
    transferList: [port],
  });
  return new SupervisedThread(worker);
}
