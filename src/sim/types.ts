import type { Clock } from "../util/env.js";
import type { ClusterDef } from "../transport/messages.js";

export interface LaunchOptions {
  seed?: number;
  virtualGpus?: number;
  /** Shared cluster token (grpc). */
  token?: string;
  /** grpc: copy each task's stderr to this process's, every line prefixed with its task. */
  forwardStderr?: boolean;
  /** inproc: a simulated clock that jumps to the next timer when the whole cluster is idle. */
  virtualTime?: boolean;
  /** inproc: record every scheduled event, for determinism checks (SimCluster.trace). */
  trace?: boolean;
  /** inproc: each message waits a seeded random 0..jitterMs before delivery (default 0). */
  jitterMs?: number;
  /** Warn about steps still running after this many ms (the server's default otherwise). */
  stuckWarnMs?: number;
}

/** A task as a device string names it: "/job:ps/task:0". */
export interface TaskName {
  job: string;
  task: number;
}

/** What a transport's launcher returns: the cluster with real addresses and task control. */
export interface LaunchedTasks {
  cluster: ClusterDef;
  kill(job: string, task: number): Promise<void>;
  restart(job: string, task: number): Promise<void>;
  stop(): Promise<void>;
  /** Network faults between tasks (addresses, or "client"); absent where the transport has none yet. */
  faults?: {
    partition(a: readonly string[], b: readonly string[]): void;
    heal(): void;
    delay(from: string, to: string, ms: number): void;
  };
  /** The cluster's clock (virtual on inproc with virtualTime). */
  clock?: Clock;
  /** The scheduled events so far, when tracing. */
  trace?: () => readonly string[];
  /** Adds a line to the trace. */
  note?: (label: string) => void;
  /** Resolves when the simulation has nothing left to run (inproc). */
  whenIdle?: () => Promise<void>;
}
