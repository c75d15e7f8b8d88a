/**
 * Errors across gRPC. TF's codes are gRPC's, so an OpError travels as the call's status code and
 * message, with the node name in trailing metadata; the client rebuilds the same class. A status
 * the peer's service did not send (no `tfcluster-origin` marker) came from the transport itself:
 * deadline, cancellation, an unreachable peer. It gets the RPC and the address in its message.
 */
import { Metadata, status as GrpcStatus, type ServiceError, type StatusObject } from "@grpc/grpc-js";
import {
  CancelledError,
  Code,
  DeadlineExceededError,
  UnavailableError,
  errorFromStatus,
  toStatus,
  type OpError,
} from "../../errors/index.js";

import { splitNodeSuffix, withNodeSuffix } from "./node-suffix.js";

const ORIGIN_KEY = "tfcluster-origin";
const NODE_KEY = "tfcluster-node-bin";
/** Status text travels in an HTTP/2 header: keep it well under the peer's header-list limit. */
const MAX_DETAILS_CHARS = 16 * 1024;

function truncate(message: string): string {
  if (message.length <= MAX_DETAILS_CHARS) return message;
  return `${message.slice(0, MAX_DETAILS_CHARS)}… (${message.length - MAX_DETAILS_CHARS} more characters)`;
}

/** The status a service handler's failure is sent as. */
export function statusFromError(err: unknown): Partial<StatusObject> {
  const s = toStatus(err);
  const metadata = new Metadata();
  metadata.set(ORIGIN_KEY, "service");
  if (s.nodeName) metadata.set(NODE_KEY, Buffer.from(s.nodeName, "utf8"));
  const code = s.code >= 1 && s.code <= 16 ? s.code : Code.UNKNOWN;
  return { code, details: withNodeSuffix(truncate(s.message), s.nodeName), metadata };
}

export interface CallSite {
  /** e.g. "RunGraph" */
  rpc: string;
  /** "host:port" of the peer */
  address: string;
  timeoutMs?: number;
  /** Channel state when the call failed, for transport errors ("TRANSIENT_FAILURE"). */
  channelState?: () => string;
  /** Whether this side cancelled the call (else a CANCELLED status means the peer reset it). */
  cancelledHere?: boolean;
}

function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === "number";
}

/** A client-side call failure as the OpError it stands for. */
export function errorFromCall(err: unknown, site: CallSite): OpError {
  if (!isServiceError(err)) return errorFromStatus(toStatus(err));
  const raw = err.details || err.message;
  const tagged = splitNodeSuffix(raw);
  const details = tagged.message;
  const node = err.metadata?.get(NODE_KEY)[0];
  const nodeName = node === undefined ? tagged.nodeName : Buffer.isBuffer(node) ? node.toString("utf8") : String(node);
  // A service's own status (ours, or a TF peer's that names a node) keeps its code and text.
  if (err.metadata?.get(ORIGIN_KEY).length || tagged.nodeName !== undefined) {
    return errorFromStatus({ code: err.code, message: details, ...(nodeName ? { nodeName } : {}) });
  }
  const where = `${site.rpc} to ${site.address}`;
  const state = site.channelState ? `; channel ${site.channelState()}` : "";
  switch (err.code) {
    case GrpcStatus.UNAVAILABLE:
      return new UnavailableError(`${where} failed: peer ${site.address} is unavailable (${details}${state})`);
    case GrpcStatus.DEADLINE_EXCEEDED:
      return new DeadlineExceededError(`${where}: deadline of ${site.timeoutMs ?? "?"} ms exceeded (${details}${state})`);
    case GrpcStatus.CANCELLED:
      if (site.cancelledHere) return new CancelledError(`${where} was cancelled (${details})`);
      // the server reset the stream: it is stopping or gone
      return new UnavailableError(`${where} failed: peer ${site.address} dropped the call (${details}${state})`);
    default:
      return errorFromStatus({ code: err.code, message: `${where}: ${details}` });
  }
}
