import type { ClusterDef } from "../transport/messages.js";

export interface LaunchOptions {
  seed?: number;
  virtualGpus?: number;
  /** Shared cluster token (grpc). */
  token?: string;
}

/** What a transport's launcher returns: the cluster with real addresses and task control. */
export interface LaunchedTasks {
  cluster: ClusterDef;
  kill(job: string, task: number): Promise<void>;
  restart(job: string, task: number): Promise<void>;
  stop(): Promise<void>;
}
