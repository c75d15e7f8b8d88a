/**
 * Fuzz suite 1: random and mutated protobuf bytes sent to every gRPC method of a live server.
 * Model (issue 8): whatever the bytes, the call ends with a typed status — an OpError class, never
 * an UnknownError wrapping a JS TypeError/RangeError; a call without the token is
 * UnauthenticatedError; a splat tensor describing a huge shape is ResourceExhaustedError; the
 * server keeps serving and its state (a variable, a queue) is unchanged after every case, except
 * after a Reset or CleanupAll, which legitimately clear it.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { Tally, classify, fuzzRuns, fuzzSeed } from "./fuzz-harness.js";
import { messageType } from "../../src/transport/wire/schema.js";
import { LiveServer, StateProbe, allMethods, encodeWire, type RawMethod } from "./live-server.js";

const DT_FLOAT = 1;
const floatTensor = (dims: number[], vals: number[]) => ({ dtype: DT_FLOAT, tensor_shape: { dim: dims.map((size) => ({ size })) }, float_val: vals });
const smallGraph = {
  node: [
    { name: "x", op: "Placeholder", attr: { dtype: { type: DT_FLOAT }, shape: { shape: { dim: [{ size: 2 }] } } } },
    { name: "c", op: "Const", attr: { dtype: { type: DT_FLOAT }, value: { tensor: floatTensor([2], [1, 2]) } } },
    { name: "y", op: "Add", input: ["x", "c"], attr: { T: { type: DT_FLOAT } } },
  ],
};

/** Valid requests per RPC (snake_case wire objects), the material mutations start from. */
function seedsFor(rpc: string, handle: string): object[] {
  const feed = [{ name: "x:0", tensor: floatTensor([2], [3, 4]) }];
  switch (rpc) {
    case "CreateSession":
      return [{ graph_def: smallGraph }, { graph_def: { node: [{ name: "big", op: "Const", attr: { dtype: { type: DT_FLOAT }, value: { tensor: floatTensor([1 << 20, 1 << 20], [0]) } } }] } }];
    case "ExtendSession":
      return [{ session_handle: handle, graph_def: { node: [{ name: "z", op: "Identity", input: ["y"], attr: { T: { type: DT_FLOAT } } }] }, current_graph_version: 3 }];
    case "RunStep":
      return [
        { session_handle: handle, feed, fetch: ["y:0"] },
        // 17 bytes of tensor describing 600 MiB: refused before anything is allocated.
        { session_handle: handle, feed: [{ name: "x:0", tensor: floatTensor([150 << 20], [1]) }], fetch: ["y:0"] },
        { session_handle: handle, feed: [{ name: "x:0", tensor: { dtype: 7, tensor_shape: { dim: [{ size: 1 << 30 }] }, string_val: [new Uint8Array(64)] } }], fetch: ["y:0"] },
      ];
    case "CloseSession":
    case "ListDevices":
      return [{ session_handle: "no-such-session" }];
    case "Reset":
      return [{ container: ["fuzz_other"] }];
    case "CreateWorkerSession":
    case "DeleteWorkerSession":
      return [{ session_handle: "fz" }];
    case "RegisterGraph":
      return [{ session_handle: "fz", graph_def: smallGraph }];
    case "RunGraph":
      return [{ session_handle: "fz", graph_handle: "g1", step_id: 5, send: feed, recv_key: ["y:0"] }];
    case "DeregisterGraph":
      return [{ session_handle: "fz", graph_handle: "g1" }];
    case "CleanupGraph":
      return [{ step_id: 99 }];
    case "CleanupAll":
      return [{ container: ["fuzz_other"] }];
    case "RecvTensor":
      return [{ step_id: 424242, rendezvous_key: "/job:local/replica:0/task:0/device:CPU:0;1;/job:local/replica:0/task:0/device:CPU:0;edge_1_y;0:0" }];
    default:
      return [{}];
  }
}

/** The frames of `body` on a bidi `<Rpc>Stream` path: a TensorStreamHead, sometimes announcing a tensor. */
function asStream(body: Uint8Array, announce: { dims: number[]; bytes: number; send: number } | null): Uint8Array[] {
  if (!announce) return [encodeWire("tfcluster.TensorStreamHead", { message: body })];
  const head = encodeWire("tfcluster.TensorStreamHead", { message: body, tensor: [{ slot: 0, dtype: DT_FLOAT, dim: announce.dims, byte_length: announce.bytes }] });
  return [head, new Uint8Array(Math.min(announce.send, 1 << 16))];
}

type Mut = { at: number; kind: number; value: number };

function mutate(bytes: Uint8Array, muts: Mut[]): Uint8Array {
  let b = Uint8Array.from(bytes);
  for (const m of muts) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    if (m.kind === 0 && b.length > 0) b[at] = m.value & 0xff;
    else if (m.kind === 1) b = b.subarray(0, at);
    else if (m.kind === 2) b = Uint8Array.from([...b.subarray(0, at), m.value & 0xff, ...b.subarray(at)]);
    else if (m.kind === 3) b = Uint8Array.from([...b.subarray(0, at), 0xff, 0xff, 0xff, 0xff, 0x0f, ...b.subarray(at)]);
  }
  return b;
}

/** Calls that legitimately clear the state the probe watches. */
const CLEARS_STATE = new Set(["Reset", "CleanupAll"]);

describe("fuzz: every gRPC method of a live server", () => {
  const tally = new Tally("grpc-methods", fuzzSeed());
  let live: LiveServer;
  let probe: StateProbe;
  let handle = "";
  const methods = allMethods();
  const recent: string[] = [];

  beforeAll(async () => {
    live = await LiveServer.start();
    probe = new StateProbe(live);
    await probe.init();
    const created = await live.call(methods.find((m) => m.rpc === "CreateSession")!, [encodeWire("tensorflow.CreateSessionRequest", { graph_def: smallGraph })]);
    const answer = messageType("tensorflow.CreateSessionResponse").decode(created.frames[0]!) as unknown as { session_handle?: string };
    handle = answer.session_handle ?? "";
  });
  afterAll(async () => {
    tally.report();
    await live?.stop();
  });

  it("every call ends typed, the server keeps serving and its state is unchanged", async () => {
    expect(handle).not.toBe("");
    const caseArb = fc.record({
      method: fc.nat({ max: methods.length - 1 }),
      seed: fc.nat(),
      source: fc.constantFrom("seed", "mutated", "mutated", "random"),
      muts: fc.array(fc.record({ at: fc.nat(), kind: fc.nat({ max: 3 }), value: fc.nat({ max: 255 }) }), { minLength: 1, maxLength: 4 }),
      random: fc.uint8Array({ maxLength: 96 }),
      announce: fc.option(fc.record({ dims: fc.array(fc.constantFrom(0, 1, 7, 1 << 16, 1 << 30), { maxLength: 3 }), bytes: fc.constantFrom(4, 28, 1 << 20, 2 ** 40), send: fc.nat({ max: 1 << 17 }) })),
      token: fc.nat({ max: 9 }).map((n) => n !== 0),
    });
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const method: RawMethod = methods[c.method]!;
        const seeds = seedsFor(method.rpc, handle).map((s) => encodeWire(method.requestType, s));
        const seedBytes = seeds[c.seed % seeds.length]!;
        const body = c.source === "seed" ? seedBytes : c.source === "random" ? c.random : mutate(seedBytes, c.muts);
        const frames = method.shape === "bidi" ? asStream(body, c.announce) : [body];
        const res = await live.call(method, frames, { token: c.token, deadlineMs: method.rpc === "RecvTensor" ? 50 : 3000 });
        const outcome = classify(res.error);
        tally.add(`${outcome}`);
        if (!c.token) expect(res.error).toBeInstanceOf(tf.errors.UnauthenticatedError);
        recent.push(`${method.path} ${c.source} -> ${outcome} ${res.error?.message ?? ""}`);
        if (recent.length > 4) recent.shift();
        if (CLEARS_STATE.has(method.rpc) && outcome === "ok") {
          await probe.init();
        } else {
          const state = await probe.read().catch((e: unknown) => { throw new Error(`${String(e)} after: ${recent.join(" | ")}`); });
          expect(state).toEqual([42, 3]);
        }
      }),
      { numRuns: fuzzRuns(), seed: tally.seed, endOnFailure: true },
    );
  });
});
