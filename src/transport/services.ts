/**
 * The service interfaces (TF's MasterInterface / WorkerInterface) and what a transport provides.
 * The engine implements and calls these only; it knows nothing of threads, sockets or grpc-js.
 */
import type * as m from "./messages.js";

export interface CallOptions {
  /** Deadline for this call, relative; 0/undefined = none. */
  timeoutMs?: number;
  /** Cancels the call; the callee sees its own signal aborted. */
  signal?: AbortSignal;
}

export interface MasterService {
  createSession(req: m.CreateSessionRequest, opts?: CallOptions): Promise<m.CreateSessionResponse>;
  extendSession(req: m.ExtendSessionRequest, opts?: CallOptions): Promise<m.ExtendSessionResponse>;
  runStep(req: m.RunStepRequest, opts?: CallOptions): Promise<m.RunStepResponse>;
  closeSession(req: m.CloseSessionRequest, opts?: CallOptions): Promise<m.Empty>;
  listDevices(req: m.ListDevicesRequest, opts?: CallOptions): Promise<m.ListDevicesResponse>;
  reset(req: m.ResetRequest, opts?: CallOptions): Promise<m.Empty>;
  /** TF's callables (tf.keras in graph mode runs through them): a fixed signature run by handle. */
  makeCallable(req: m.MakeCallableRequest, opts?: CallOptions): Promise<m.MakeCallableResponse>;
  runCallable(req: m.RunCallableRequest, opts?: CallOptions): Promise<m.RunCallableResponse>;
  releaseCallable(req: m.ReleaseCallableRequest, opts?: CallOptions): Promise<m.Empty>;
  /** The cluster's resources (queues with sizes and waiters) — "why is my training stuck?". */
  resourceStatus(req: m.Empty, opts?: CallOptions): Promise<m.ResourceStatusResponse>;
}

export interface WorkerService {
  getStatus(req: m.Empty, opts?: CallOptions): Promise<m.GetStatusResponse>;
  createWorkerSession(req: m.CreateWorkerSessionRequest, opts?: CallOptions): Promise<m.Empty>;
  deleteWorkerSession(req: m.DeleteWorkerSessionRequest, opts?: CallOptions): Promise<m.Empty>;
  registerGraph(req: m.RegisterGraphRequest, opts?: CallOptions): Promise<m.RegisterGraphResponse>;
  deregisterGraph(req: m.DeregisterGraphRequest, opts?: CallOptions): Promise<m.Empty>;
  runGraph(req: m.RunGraphRequest, opts?: CallOptions): Promise<m.RunGraphResponse>;
  cleanupGraph(req: m.CleanupGraphRequest, opts?: CallOptions): Promise<m.Empty>;
  cleanupAll(req: m.CleanupAllRequest, opts?: CallOptions): Promise<m.Empty>;
  recvTensor(req: m.RecvTensorRequest, opts?: CallOptions): Promise<m.RecvTensorResponse>;
  resourceStatus(req: m.Empty, opts?: CallOptions): Promise<m.ResourceStatusResponse>;
}

export interface ServedServices {
  master: MasterService;
  worker: WorkerService;
}

/** A running endpoint: the address actually bound (port 0 resolved) and a bounded stop. */
export interface ServerHandle {
  readonly address: string;
  stop(options?: { graceMs?: number }): Promise<void>;
}

export type TransportName = "inproc" | "thread" | "grpc";

export interface Transport {
  readonly name: TransportName;
  /** Serves both services at `address` ("host:port"; port 0 picks a free one). */
  serve(address: string, services: ServedServices, options?: ServeOptions): Promise<ServerHandle>;
  connectMaster(address: string, options?: ConnectOptions): MasterService;
  connectWorker(address: string, options?: ConnectOptions): WorkerService;
  /** Releases channels and timers held by this transport's clients. */
  close?(): Promise<void>;
}

export interface TlsOptions {
  /** PEM certificate chain and key of this endpoint. */
  cert?: Buffer | string;
  key?: Buffer | string;
  /** PEM CA used to check the peer; servers with `ca` require client certificates. */
  ca?: Buffer | string;
}

export interface SecurityOptions {
  tls?: TlsOptions;
  /** Shared cluster token sent as call metadata; calls without it fail UNAUTHENTICATED. */
  token?: string;
}

export interface ServeOptions extends SecurityOptions {
  /**
   * Serve a non-loopback address with neither a token nor client certificates (TLS with `ca`).
   * Without it such a server refuses to start.
   */
  insecure?: boolean;
  /** The largest tensor a peer may make this server allocate (bytes); the transport's own limit when absent. */
  maxTensorBytes?: number;
}
export type ConnectOptions = SecurityOptions;
