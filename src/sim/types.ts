import type { ClusterDef } from "../transport/messages.js";

export interface LaunchOptions {
  seed?: number;
  virtualGpus?: number;
  /** Shared cluster token (grpc). */
  token?: string;
  /** grpc: copy each task's stderr to this process's, every line prefixed with its task. */
  forwardStderr?: boolean;
}

/** What a transport's launcher returns: the cluster with real addresses and task control. */
export interface LaunchedTasks {
  cluster: ClusterDef;
  kill(job: string, task: number): Promise<void>;
  restart(job: string, task: number): Promise<void>;
  stop(): Promise<void>;
}
