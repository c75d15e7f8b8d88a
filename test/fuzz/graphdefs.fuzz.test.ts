/**
 * Fuzz suite 2: random and mutated GraphDefs through CreateSession / ExtendSession / RunStep of a
 * live server: unknown ops, missing and wrong-typed attrs, cycles, dangling inputs, wrong dtypes,
 * huge shapes, files outside the task's roots. Model (issue 8; TF's graph validation): every call
 * ends ok or with a typed OpError — never an UnknownError wrapping a JS error; a huge shape is
 * ResourceExhaustedError, not an allocation; the server keeps serving and the probe's variable and
 * queue are unchanged.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messageType } from "../../src/transport/wire/schema.js";
import { Tally, classify, fuzzRuns, fuzzSeed } from "./fuzz-harness.js";
import { LiveServer, StateProbe, allMethods, encodeWire, type RawMethod } from "./live-server.js";

/** TF DataType numbers: float, double, int32, uint8, string, int64, bool, resource, and invalid ones. */
const DTYPES = [1, 2, 3, 4, 7, 9, 10, 20, 0, 99];
const OPS = [
  "Const", "Placeholder", "Identity", "Add", "MatMul", "Fill", "Range", "ZerosLike", "RandomUniform", "Reshape", "Tile",
  "OneHot", "Cast", "ReadFile", "MatchingFiles", "NoOp", "Sum", "ConcatV2", "Pack", "NoSuchOp", "VariableV2", "Assign",
  "FIFOQueueV2", "QueueSizeV2", "DecodeCSV", "FixedLengthRecordReaderV2", "SaveV2",
];
const HUGE = [0, 1, 3, 1 << 16, 1 << 30, 2 ** 40, -1, -7];

const dimArb = fc.oneof(fc.nat({ max: 4 }), fc.constantFrom(...HUGE));
const shapeArb = fc.array(dimArb, { maxLength: 3 });

const tensorArb = fc.record({
  dtype: fc.constantFrom(...DTYPES),
  dims: shapeArb,
  vals: fc.array(fc.float({ noNaN: true }), { maxLength: 3 }),
  strings: fc.array(fc.constantFrom("/etc/passwd", "../../../etc/passwd", "*", "/etc/*", "a,b,c", ""), { maxLength: 2 }),
  content: fc.option(fc.uint8Array({ maxLength: 16 })),
}).map((t) => ({
  dtype: t.dtype,
  tensor_shape: { dim: t.dims.map((size) => ({ size })) },
  float_val: t.vals,
  int_val: t.vals.map((v) => Math.trunc(v) | 0),
  string_val: t.strings.map((s) => new TextEncoder().encode(s)),
  ...(t.content ? { tensor_content: t.content } : {}),
}));

const attrArb = fc.oneof(
  fc.record({ type: fc.constantFrom(...DTYPES) }),
  fc.record({ tensor: tensorArb }),
  fc.record({ shape: fc.record({ dim: fc.array(fc.record({ size: dimArb }), { maxLength: 3 }) }) }),
  fc.record({ i: fc.constantFrom(0, 1, -1, 1 << 30, 2 ** 40) }),
  fc.record({ s: fc.constantFrom("", "x", "/etc/passwd").map((s) => new TextEncoder().encode(s)) }),
  fc.record({ b: fc.boolean() }),
  fc.record({ list: fc.record({ type: fc.array(fc.constantFrom(...DTYPES), { maxLength: 3 }) }) }),
);
const ATTR_NAMES = ["T", "dtype", "value", "shape", "Tidx", "N", "axis", "record_bytes", "component_types", "capacity", "SrcT", "DstT", "Tshape", "seed", "dtypes"];

function nodesArb(prefix: string) {
  return fc.array(
    fc.record({
      op: fc.constantFrom(...OPS),
      inputs: fc.array(fc.oneof(fc.nat({ max: 6 }).map((k) => `${prefix}${k}`), fc.nat({ max: 6 }).map((k) => `${prefix}${k}:1`), fc.nat({ max: 6 }).map((k) => `^${prefix}${k}`), fc.constant("dangling:0"), fc.constant("")), { maxLength: 3 }),
      attrs: fc.dictionary(fc.constantFrom(...ATTR_NAMES), attrArb, { maxKeys: 4 }),
      device: fc.constantFrom("", "", "/cpu:0", "/job:local/task:0", "/job:nowhere/task:9", "/gpu:3", "garbage!"),
    }),
    { minLength: 1, maxLength: 6 },
  ).map((nodes) => nodes.map((n, k) => ({ name: `${prefix}${k}`, op: n.op, input: n.inputs, device: n.device, attr: n.attrs })));
}

/** A valid graph (n0 Const, n1 Identity, n2 Add) with one node replaced by a random one: mostly-valid graphs. */
function mutatedValidArb() {
  const f = { type: 1 };
  const valid = [
    { name: "n0", op: "Const", input: [] as string[], device: "", attr: { dtype: f, value: { tensor: { dtype: 1, tensor_shape: { dim: [{ size: 2 }] }, float_val: [1, 2] } } } as Record<string, unknown> },
    { name: "n1", op: "Identity", input: ["n0"], device: "", attr: { T: f } as Record<string, unknown> },
    { name: "n2", op: "Add", input: ["n0", "n1"], device: "", attr: { T: f } as Record<string, unknown> },
  ];
  return fc.tuple(fc.nat({ max: 3 }), nodesArb("n")).map(([at, random]) => {
    if (at === 3) return valid;
    const out = valid.map((n) => ({ ...n }));
    out[at] = { ...random[0]!, name: `n${at}` };
    return out;
  });
}

describe("fuzz: random GraphDefs through CreateSession/ExtendSession/RunStep", () => {
  const tally = new Tally("graphdefs", fuzzSeed());
  let live: LiveServer;
  let probe: StateProbe;
  const byRpc = new Map<string, RawMethod>(allMethods().filter((m) => m.shape !== "bidi").map((m) => [m.rpc, m]));
  const rpc = (name: string) => byRpc.get(name)!;

  beforeAll(async () => {
    live = await LiveServer.start();
    probe = new StateProbe(live);
    await probe.init();
  });
  afterAll(async () => {
    tally.report();
    await live?.stop();
  });

  it("every graph is run or refused with a typed error; the server and its state survive", async () => {
    const caseArb = fc.record({
      graph: fc.oneof(nodesArb("n"), mutatedValidArb()),
      extension: fc.option(nodesArb("e")),
      fetch: fc.array(fc.oneof(fc.nat({ max: 6 }).map((k) => `n${k}:0`), fc.nat({ max: 3 }).map((k) => `e${k}:0`), fc.constant("nope:0")), { maxLength: 2 }),
      target: fc.array(fc.nat({ max: 6 }).map((k) => `n${k}`), { maxLength: 2 }),
      feed: fc.option(fc.record({ name: fc.constantFrom("n0:0", "n1:0"), tensor: tensorArb })),
    });
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const created = await live.call(rpc("CreateSession"), [encodeWire("tensorflow.CreateSessionRequest", { graph_def: { node: c.graph } })]);
        const outcomes = [`CreateSession ${classify(created.error)}`];
        if (!created.error) {
          const res = messageType("tensorflow.CreateSessionResponse").decode(created.frames[0]!) as unknown as { session_handle: string };
          const handle = res.session_handle;
          if (c.extension) {
            const ext = await live.call(rpc("ExtendSession"), [encodeWire("tensorflow.ExtendSessionRequest", { session_handle: handle, graph_def: { node: c.extension }, current_graph_version: c.graph.length })]);
            outcomes.push(`ExtendSession ${classify(ext.error)}`);
          }
          const step = await live.call(rpc("RunStep"), [encodeWire("tensorflow.RunStepRequest", {
            session_handle: handle, fetch: c.fetch, target: c.target, feed: c.feed ? [c.feed] : [], options: { timeout_in_ms: 2000 },
          })]);
          outcomes.push(`RunStep ${classify(step.error)}`);
          const closed = await live.call(rpc("CloseSession"), [encodeWire("tensorflow.CloseSessionRequest", { session_handle: handle })]);
          expect(closed.error).toBeUndefined();
        }
        outcomes.forEach((o, i) => tally.add(o, i === 0));
        expect(await probe.read()).toEqual([42, 3]);
      }),
      { numRuns: fuzzRuns(), seed: tally.seed, endOnFailure: true },
    );
  });
});
