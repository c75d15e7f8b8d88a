/**
 * Streamed requests allocate as data arrives (issue 8): a TensorStreamHead announcing tensors
 * makes the receiver allocate nothing until half of a tensor's bytes are in; one message may
 * announce at most MAX_STREAM_TENSORS tensors, and their total is bounded too.
 */
import { describe, expect, it } from "vitest";
import { DataLossError, ResourceExhaustedError } from "../../../../src/errors/index.js";
import { DEFAULT_GRPC_CONFIG, WORKER_SERVICE, type GrpcConfig } from "../../../../src/transport/grpc/index.js";
import { FrameAssembler, MAX_STREAM_TENSORS } from "../../../../src/transport/grpc/tensor-stream.js";
import { messageType, runGraphRequestCodec } from "../../../../src/transport/wire/index.js";
import { NDArray } from "../../../../src/tensor/index.js";

const spec = WORKER_SERVICE.methods.find((m) => m.rpc === "RunGraph")!;
const GiB = 1 << 30;
const cfg: GrpcConfig = { ...DEFAULT_GRPC_CONFIG, maxTensorBytes: 2 * GiB };

function head(announce: { slot: number; dims: number[] }[], sends = announce.length): Uint8Array {
  const send = Array.from({ length: sends }, (_, i) => ({ name: `t${i}`, tensor: new NDArray("float32", [0], new Float32Array(0)) }));
  const message = runGraphRequestCodec.encode({ sessionHandle: "s", graphHandle: "g", stepId: 1, execOpts: { recordTimeline: false }, send, recvKey: [] });
  const tensor = announce.map((a) => ({ slot: a.slot, dtype: 1, dim: a.dims, byte_length: a.dims.reduce((x, y) => x * y, 4) }));
  return messageType("tfcluster.TensorStreamHead").encode({ message, tensor }).finish();
}

const assembler = () => new FrameAssembler(spec.request, spec.requestSlots!, cfg, "RunGraph request");

describe("streamed tensors are allocated as their bytes arrive", () => {
  it("a head announcing 1 GiB allocates nothing; the stream ending early is DataLossError", () => {
    const before = process.memoryUsage().arrayBuffers;
    const asm = assembler();
    asm.push(head([{ slot: 0, dims: [GiB / 4] }]));
    asm.push(new Uint8Array(1 << 16));
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 << 20);
    expect(asm.complete).toBe(false);
    expect(() => asm.result()).toThrow(DataLossError);
  });

  it("the tensor is assembled once all its bytes came, whatever the chunking", () => {
    const asm = assembler();
    asm.push(head([{ slot: 0, dims: [5] }]));
    const bytes = new Uint8Array(new Float32Array([1, 2, 3, 4, 5]).buffer);
    for (const cut of [bytes.subarray(0, 3), bytes.subarray(3, 11), bytes.subarray(11)]) asm.push(cut);
    expect(asm.complete).toBe(true);
    const t = (asm.result() as { send: { tensor: NDArray }[] }).send[0]!.tensor;
    expect(Array.from(t.data as Float32Array)).toEqual([1, 2, 3, 4, 5]);
  });

  it("more than MAX_STREAM_TENSORS announced tensors, or announced bytes adding up past the budget, are ResourceExhaustedError", () => {
    const many = Array.from({ length: MAX_STREAM_TENSORS + 1 }, (_, i) => ({ slot: i, dims: [1] }));
    expect(() => assembler().push(head(many))).toThrow(ResourceExhaustedError);
    const big = Array.from({ length: 5 }, (_, i) => ({ slot: i, dims: [(2 * GiB) / 4] }));
    expect(() => assembler().push(head(big))).toThrow(/add up to more than/);
  });
});
