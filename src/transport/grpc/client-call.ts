/**
 * Client side of one RPC: unary for small messages; for the tensor-carrying ones a unary request
 * whose answer may stream (callSingle), or a bidirectional stream of frames when the request
 * itself carries big tensors (callStream); see methods.ts. CallOptions.timeoutMs becomes the gRPC
 * deadline, CallOptions.signal cancels the call; every failure reaches the caller as an OpError
 * (status.ts).
 */
import {
  status as GrpcStatus,
  type CallOptions as GrpcCallOptions,
  type ClientDuplexStream,
  type ClientReadableStream,
  type StatusObject,
} from "@grpc/grpc-js";
import { CancelledError, ResourceExhaustedError, asOpError } from "../../errors/index.js";
import type { CallOptions } from "../services.js";
import type { Peer } from "./channel-cache.js";
import { CHUNKED_RESPONSE_KEY, isChunked, methodPath, streamPath, type MethodSpec, type ServiceSpec } from "./methods.js";
import { callMetadata } from "./security.js";
import { errorFromCall, type CallSite } from "./status.js";
import { FrameAssembler, decodeBounded, encodeFrames, hasOutOfBand } from "./tensor-stream.js";
import { CallEnd, writeFramesAndEnd } from "./write-frames.js";

const identity = (b: Buffer): Buffer => b;

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

function site(peer: Peer, spec: MethodSpec, opts: CallOptions | undefined, cancelledHere: boolean): CallSite {
  return { rpc: spec.rpc, address: peer.address, timeoutMs: opts?.timeoutMs, channelState: peer.state, cancelledHere };
}

function grpcOptions(opts: CallOptions | undefined): GrpcCallOptions {
  return opts?.timeoutMs && opts.timeoutMs > 0 ? { deadline: Date.now() + opts.timeoutMs } : {};
}

function hasDeadline(opts: CallOptions | undefined): boolean {
  return opts?.timeoutMs !== undefined && opts.timeoutMs > 0;
}

/** Calls `fn` when `signal` aborts; returns the function that stops listening. */
function onAbort(signal: AbortSignal | undefined, fn: () => void): () => void {
  if (!signal) return () => {};
  signal.addEventListener("abort", fn, { once: true });
  return () => signal.removeEventListener("abort", fn);
}

function cancelledBefore(peer: Peer, spec: MethodSpec): CancelledError {
  return new CancelledError(`${spec.rpc} to ${peer.address} was cancelled before it started`);
}

/** The request as one plain message, or the reason it cannot be sent (nothing was sent). */
function encodeRequest(peer: Peer, spec: MethodSpec, request: unknown): Buffer | Error {
  let body: Buffer;
  try {
    body = asBuffer(spec.request.encode(request));
  } catch (err) {
    return asOpError(err);
  }
  if (body.byteLength > peer.cfg.maxMessageBytes) {
    return new ResourceExhaustedError(`${spec.rpc} request of ${body.byteLength} bytes is larger than maxMessageBytes (${peer.cfg.maxMessageBytes})`);
  }
  return body;
}

export function callUnary(peer: Peer, path: string, spec: MethodSpec, request: unknown, opts?: CallOptions): Promise<unknown> {
  if (opts?.signal?.aborted) return Promise.reject(cancelledBefore(peer, spec));
  const body = encodeRequest(peer, spec, request);
  if (body instanceof Error) return Promise.reject(body);
  const metadata = callMetadata(peer.security, spec.waitForReady === true && hasDeadline(opts));
  return new Promise((resolve, reject) => {
    let detach = (): void => {};
    let cancelledHere = false;
    const call = peer.client().makeUnaryRequest(path, identity, identity, body, metadata, grpcOptions(opts), (err, res) => {
      detach();
      if (err) return reject(errorFromCall(err, site(peer, spec, opts, cancelledHere)));
      try {
        resolve(decodeBounded(spec.response, res ?? Buffer.alloc(0), peer.cfg));
      } catch (e) {
        reject(asOpError(e));
      }
    });
    detach = onAbort(opts?.signal, () => {
      cancelledHere = true;
      call.cancel();
    });
  });
}

type ResponseStream = ClientReadableStream<Buffer> | ClientDuplexStream<Buffer, Buffer>;

/**
 * Reads a chunked answer from `call` (a TensorStreamHead, then any chunks) and settles once both
 * the OK status and the last chunk are in: the status can come before the last buffered frames.
 * Returns `fail`, which settles with an error and cancels the call.
 */
function collectResponse(
  call: ResponseStream,
  peer: Peer,
  spec: MethodSpec,
  opts: CallOptions | undefined,
  done: (err: unknown, value?: unknown) => void,
): (err: unknown) => void {
  const assembler = new FrameAssembler(spec.response, spec.responseSlots!, peer.cfg, `${spec.rpc} response from ${peer.address}`);
  let statusOk = false;
  let settled = false;
  let cancelledHere = false;
  const cancel = (): void => {
    cancelledHere = true;
    call.cancel();
  };
  const detach = onAbort(opts?.signal, cancel);
  const settle = (err: unknown, value?: unknown): void => {
    if (settled) return;
    settled = true;
    detach();
    done(err ? asOpError(err) : undefined, value);
  };
  const fail = (err: unknown): void => {
    settle(err);
    cancel();
  };
  const tryFinish = (): void => {
    if (!statusOk || !assembler.complete) return;
    try {
      settle(undefined, assembler.result());
    } catch (err) {
      settle(err);
    }
  };
  call.on("data", (frame: Buffer) => {
    try {
      assembler.push(frame);
    } catch (err) {
      return fail(err);
    }
    tryFinish();
  });
  call.on("error", (err: Error) => settle(errorFromCall(err, site(peer, spec, opts, cancelledHere))));
  call.on("status", (s: StatusObject) => {
    statusOk = s.code === GrpcStatus.OK;
    tryFinish();
  });
  call.on("end", () => {
    if (statusOk && !assembler.complete) settle(captureError(() => assembler.result()));
  });
  return fail;
}

/** A unary request (plain TF message) to the RPC's own path; the answer may stream (methods.ts). */
export function callSingle(peer: Peer, path: string, spec: MethodSpec, request: unknown, opts?: CallOptions): Promise<unknown> {
  if (opts?.signal?.aborted) return Promise.reject(cancelledBefore(peer, spec));
  const body = encodeRequest(peer, spec, request);
  if (body instanceof Error) return Promise.reject(body);
  const metadata = callMetadata(peer.security, spec.waitForReady === true && hasDeadline(opts));
  metadata.set(CHUNKED_RESPONSE_KEY, "1");
  return new Promise((resolve, reject) => {
    const call = peer.client().makeServerStreamRequest(path, identity, identity, body, metadata, grpcOptions(opts));
    collectResponse(call, peer, spec, opts, (err, value) => (err ? reject(err) : resolve(value)));
  });
}

/** A bidirectional stream of frames both ways, for a request that carries big tensors. */
export function callStream(peer: Peer, path: string, spec: MethodSpec, request: unknown, opts?: CallOptions): Promise<unknown> {
  if (opts?.signal?.aborted) return Promise.reject(cancelledBefore(peer, spec));
  let frames: Buffer[];
  try {
    frames = encodeFrames(request, spec.request, spec.requestSlots!, peer.cfg, `${spec.rpc} request to ${peer.address}`);
  } catch (err) {
    return Promise.reject(asOpError(err));
  }
  const metadata = callMetadata(peer.security, spec.waitForReady === true && hasDeadline(opts));
  return new Promise((resolve, reject) => {
    // Ends any wait for 'drain' once the call is over, whatever ended it.
    const ended = new CallEnd();
    const call = peer.client().makeBidiStreamRequest(path, identity, identity, metadata, grpcOptions(opts));
    const fail = collectResponse(call, peer, spec, opts, (err, value) => {
      ended.end();
      if (err) reject(err);
      else resolve(value);
    });
    writeFramesAndEnd(call, frames, ended).catch(fail);
  });
}

function captureError(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err;
  }
}

/** A client stub implementing the service interface `S` over `peer`. */
export function makeStub<S>(service: ServiceSpec, peer: Peer): S {
  const stub: Record<string, (request: unknown, opts?: CallOptions) => Promise<unknown>> = {};
  for (const spec of service.methods) {
    const path = methodPath(service, spec);
    if (!isChunked(spec)) {
      stub[spec.key] = (request, opts) => callUnary(peer, path, spec, request, opts);
      continue;
    }
    const bidi = streamPath(service, spec);
    // Decided before sending, from the request alone: its big tensors need the stream.
    stub[spec.key] = (request, opts) =>
      hasOutOfBand(request, spec.requestSlots!, peer.cfg) ? callStream(peer, bidi, spec, request, opts) : callSingle(peer, path, spec, request, opts);
  }
  return stub as unknown as S;
}
