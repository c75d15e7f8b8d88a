/**
 * Server side of each RPC: check the token, decode, call the service with CallOptions derived from
 * the call (its remaining deadline, and a signal aborted when the client cancels, the deadline
 * passes or the server is force-stopped), encode the answer or send the error as a status.
 */
import type {
  Metadata,
  ServerDuplexStream,
  ServerUnaryCall,
  ServerWritableStream,
  ServiceDefinition,
  UntypedServiceImplementation,
  sendUnaryData,
} from "@grpc/grpc-js";
import { CancelledError, UnimplementedError } from "../../errors/index.js";
import type { CallOptions } from "../services.js";
import type { GrpcConfig } from "./config.js";
import { CHUNKED_RESPONSE_KEY, isChunked, methodPath, streamPath, streamRpc, type MethodSpec, type ServiceSpec } from "./methods.js";
import { statusFromError } from "./status.js";
import { FrameAssembler, decodeBounded, encodeFrames } from "./tensor-stream.js";
import { writeFramesAndEnd } from "./write-frames.js";

type Invoke = (request: unknown, opts: CallOptions) => Promise<unknown>;

export interface HandlerContext {
  cfg: GrpcConfig;
  /** Throws UnauthenticatedError when the call's token is missing or wrong. */
  checkToken: (md: Metadata, path: string) => void;
  /** Signals of the calls in progress, aborted by a forced stop. */
  inFlight: Set<AbortController>;
}

const identity = (b: Buffer): Buffer => b;

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

function definition(path: string, originalName: string, requestStream: boolean, responseStream: boolean): ServiceDefinition[string] {
  return {
    path,
    requestStream,
    responseStream,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
    originalName,
  };
}

/**
 * grpc-js's service definition for `service`: raw bytes in and out, our codecs do the rest. A
 * tensor-carrying RPC is served twice (methods.ts): at its own path, a unary request whose answer
 * may stream, and at `<Rpc>Stream`, a bidirectional stream of frames.
 */
export function serviceDefinition(service: ServiceSpec): ServiceDefinition {
  const def: Record<string, ServiceDefinition[string]> = {};
  for (const spec of service.methods) {
    const chunked = isChunked(spec);
    def[spec.rpc] = definition(methodPath(service, spec), spec.key, false, chunked);
    if (chunked) def[streamRpc(spec)] = definition(streamPath(service, spec), `${spec.key}Stream`, true, true);
  }
  return def;
}

interface CancellableCall {
  getDeadline(): Date | number;
  on(event: "cancelled", listener: () => void): unknown;
  off(event: "cancelled", listener: () => void): unknown;
}

function callOptions(call: CancellableCall, path: string, ctx: HandlerContext): { opts: CallOptions; dispose: () => void } {
  const controller = new AbortController();
  ctx.inFlight.add(controller);
  const onCancelled = (): void => controller.abort(new CancelledError(`${path} was cancelled by the client or its deadline passed`));
  call.on("cancelled", onCancelled);
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline;
  const opts: CallOptions = { signal: controller.signal };
  if (Number.isFinite(deadlineMs)) opts.timeoutMs = Math.max(1, deadlineMs - Date.now());
  const dispose = (): void => {
    ctx.inFlight.delete(controller);
    call.off("cancelled", onCancelled);
  };
  return { opts, dispose };
}

function unaryHandler(spec: MethodSpec, path: string, invoke: Invoke, ctx: HandlerContext) {
  return (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void => {
    const { opts, dispose } = callOptions(call, path, ctx);
    const run = async (): Promise<Buffer> => {
      ctx.checkToken(call.metadata, path);
      const response = await invoke(decodeBounded(spec.request, call.request, ctx.cfg), opts);
      return asBuffer(spec.response.encode(response));
    };
    run()
      .then(
        (body) => callback(null, body),
        (err: unknown) => callback(statusFromError(err)),
      )
      .finally(dispose);
  };
}

/**
 * The unary request of a tensor-carrying RPC. A client that asked for it (CHUNKED_RESPONSE_KEY)
 * gets the answer as frames, a TensorStreamHead first; any other client one plain message.
 */
function singleHandler(spec: MethodSpec, path: string, invoke: Invoke, ctx: HandlerContext) {
  return (call: ServerWritableStream<Buffer, Buffer>): void => {
    const { opts, dispose } = callOptions(call, path, ctx);
    const chunked = call.metadata.get(CHUNKED_RESPONSE_KEY).length > 0;
    const respond = async (): Promise<void> => {
      ctx.checkToken(call.metadata, path);
      const response = await invoke(decodeBounded(spec.request, call.request, ctx.cfg), opts);
      const frames = chunked
        ? encodeFrames(response, spec.response, spec.responseSlots!, ctx.cfg, `${spec.rpc} response`)
        : [asBuffer(spec.response.encode(response))];
      await writeFramesAndEnd(call, frames, opts.signal!);
    };
    respond()
      .catch((err: unknown) => {
        // grpc-js turns an 'error' emitted on a server stream into the call's status.
        if (!call.writableEnded) call.emit("error", statusFromError(err));
      })
      .finally(dispose);
  };
}

/** The bidirectional form: request frames in, response frames out. */
function streamHandler(spec: MethodSpec, path: string, invoke: Invoke, ctx: HandlerContext) {
  return (call: ServerDuplexStream<Buffer, Buffer>): void => {
    const { opts, dispose } = callOptions(call, path, ctx);
    const assembler = new FrameAssembler(spec.request, spec.requestSlots!, ctx.cfg, `${spec.rpc} request`);
    let started = false;
    let finished = false;
    const fail = (err: unknown): void => {
      if (finished) return;
      finished = true;
      dispose();
      // grpc-js turns an 'error' emitted on a server stream into the call's status.
      call.emit("error", statusFromError(err));
    };
    const respond = async (): Promise<void> => {
      const response = await invoke(assembler.result(), opts);
      const frames = encodeFrames(response, spec.response, spec.responseSlots!, ctx.cfg, `${spec.rpc} response`);
      await writeFramesAndEnd(call, frames, opts.signal!);
      finished = true;
      dispose();
    };
    try {
      ctx.checkToken(call.metadata, path);
    } catch (err) {
      return fail(err);
    }
    call.on("data", (frame: Buffer) => {
      if (finished) return;
      try {
        assembler.push(frame);
      } catch (err) {
        return fail(err);
      }
      if (assembler.complete && !started) {
        started = true;
        respond().catch(fail);
      }
    });
    call.on("end", () => {
      if (!started) fail(captureError(() => assembler.result()));
    });
  };
}

function captureError(fn: () => unknown): unknown {
  try {
    fn();
    return new CancelledError("Request stream ended");
  } catch (err) {
    return err;
  }
}

/** grpc-js handlers dispatching `service`'s RPCs to `impl` (a MasterService or WorkerService). */
export function serviceHandlers(service: ServiceSpec, impl: object, ctx: HandlerContext): UntypedServiceImplementation {
  const handlers: UntypedServiceImplementation = {};
  const methods = impl as Record<string, Invoke | undefined>;
  for (const spec of service.methods) {
    const path = methodPath(service, spec);
    const invoke: Invoke = (request, opts) => {
      const fn = methods[spec.key];
      if (typeof fn !== "function") return Promise.reject(new UnimplementedError(`${path} is not implemented by this server`));
      return fn.call(impl, request, opts);
    };
    if (!isChunked(spec)) {
      handlers[spec.rpc] = unaryHandler(spec, path, invoke, ctx);
      continue;
    }
    handlers[spec.rpc] = singleHandler(spec, path, invoke, ctx);
    handlers[streamRpc(spec)] = streamHandler(spec, streamPath(service, spec), invoke, ctx);
  }
  return handlers;
}
