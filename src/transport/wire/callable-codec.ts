/** MakeCallable / RunCallable / ReleaseCallable ↔ TensorFlow's master.proto and CallableOptions (config.proto). */
import type * as m from "../messages.js";
import { runMetadataFromWire, runMetadataToWire, runOptionsFromWire, runOptionsToWire, type RunMetadataWire, type RunOptionsWire } from "./common-codec.js";
import { codec, has, toNumber, type Int64Wire } from "./proto.js";
import { tensorFromWire, tensorToWire, type TensorProtoWire } from "./tensor-codec.js";

interface CallableOptionsWire {
  feed?: string[];
  fetch?: string[];
  target?: string[];
  run_options?: RunOptionsWire | null;
}

function callableOptionsToWire(o: m.CallableOptions): CallableOptionsWire {
  return { feed: o.feed, fetch: o.fetch, target: o.target, run_options: runOptionsToWire(o.runOptions) };
}

function callableOptionsFromWire(w: CallableOptionsWire | null | undefined): m.CallableOptions {
  return {
    feed: (w?.feed ?? []).slice(),
    fetch: (w?.fetch ?? []).slice(),
    target: (w?.target ?? []).slice(),
    runOptions: runOptionsFromWire(w?.run_options),
  };
}

export const makeCallableRequestCodec = codec<m.MakeCallableRequest, { session_handle?: string; options?: CallableOptionsWire | null }>(
  "tensorflow.MakeCallableRequest",
  (r) => ({ session_handle: r.sessionHandle, options: callableOptionsToWire(r.options) }),
  (w) => ({ sessionHandle: w.session_handle ?? "", options: callableOptionsFromWire(w.options) }),
);

export const makeCallableResponseCodec = codec<m.MakeCallableResponse, { handle?: Int64Wire }>(
  "tensorflow.MakeCallableResponse",
  (r) => ({ handle: r.handle }),
  (w) => ({ handle: toNumber(w.handle) }),
);

export const runCallableRequestCodec = codec<m.RunCallableRequest, { session_handle?: string; handle?: Int64Wire; feed?: TensorProtoWire[] }>(
  "tensorflow.RunCallableRequest",
  (r) => ({ session_handle: r.sessionHandle, handle: r.handle, feed: r.feed.map(tensorToWire) }),
  (w) => ({ sessionHandle: w.session_handle ?? "", handle: toNumber(w.handle), feed: (w.feed ?? []).map(tensorFromWire) }),
);

export const runCallableResponseCodec = codec<m.RunCallableResponse, { fetch?: TensorProtoWire[]; metadata?: RunMetadataWire | null }>(
  "tensorflow.RunCallableResponse",
  (r) => (r.metadata ? { fetch: r.fetch.map(tensorToWire), metadata: runMetadataToWire(r.metadata) } : { fetch: r.fetch.map(tensorToWire) }),
  (w) => {
    const r: m.RunCallableResponse = { fetch: (w.fetch ?? []).map(tensorFromWire) };
    if (has(w, "metadata")) r.metadata = runMetadataFromWire(w.metadata!);
    return r;
  },
);

export const releaseCallableRequestCodec = codec<m.ReleaseCallableRequest, { session_handle?: string; handle?: Int64Wire }>(
  "tensorflow.ReleaseCallableRequest",
  (r) => ({ session_handle: r.sessionHandle, handle: r.handle }),
  (w) => ({ sessionHandle: w.session_handle ?? "", handle: toNumber(w.handle) }),
);
