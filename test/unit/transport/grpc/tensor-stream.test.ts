import { describe, expect, it } from "vitest";
import { DataLossError, InvalidArgumentError, ResourceExhaustedError } from "../../../../src/errors/index.js";
import { NDArray } from "../../../../src/tensor/index.js";
import { DEFAULT_GRPC_CONFIG, WORKER_SERVICE, parseHostPort, type GrpcConfig } from "../../../../src/transport/grpc/index.js";
import { FrameAssembler, encodeFrames } from "../../../../src/transport/grpc/tensor-stream.js";
import type { RunGraphResponse } from "../../../../src/transport/messages.js";

const spec = WORKER_SERVICE.methods.find((m) => m.rpc === "RunGraph")!;
const cfg = (over: Partial<GrpcConfig>): GrpcConfig => ({ ...DEFAULT_GRPC_CONFIG, ...over });

const message: RunGraphResponse = {
  recv: [
    { name: "f", tensor: new NDArray("float64", [3, 5], Float64Array.from({ length: 15 }, (_, i) => i / 7)) },
    { name: "s", tensor: new NDArray("string", [1], [new TextEncoder().encode("inline")]) },
    { name: "tiny", tensor: new NDArray("int32", [], Int32Array.of(5)) },
    { name: "b", tensor: new NDArray("bool", [101], Uint8Array.from({ length: 101 }, (_, i) => i % 2)) },
    { name: "i", tensor: new NDArray("int64", [9], BigInt64Array.from({ length: 9 }, (_, i) => BigInt(i) << 40n)) },
  ],
  stepStats: { devStats: [] },
};

/** Frames of `message` re-cut at arbitrary boundaries after the head, as a network might deliver them. */
function recut(frames: Buffer[], size: number): Buffer[] {
  const body = Buffer.concat(frames.slice(1));
  const out = [frames[0]!];
  for (let off = 0; off < body.length; off += size) out.push(body.subarray(off, off + size));
  return out;
}

function assemble(frames: Buffer[], c: GrpcConfig): RunGraphResponse {
  const asm = new FrameAssembler(spec.response, spec.responseSlots!, c, "RunGraph response");
  for (const f of frames) asm.push(f);
  expect(asm.complete).toBe(true);
  return asm.result() as RunGraphResponse;
}

describe("chunked tensor frames", () => {
  it("round-trips with every chunk size, tensors in and out of band", () => {
    for (const chunkBytes of [1, 7, 64, 1 << 20]) {
      const c = cfg({ chunkBytes, outOfBandMinBytes: 16 });
      const frames = encodeFrames(message, spec.response, spec.responseSlots!, c, "test");
      // f (120 B), b (101 B), i (72 B) out of band; s (string) and tiny (4 B) inside the head
      expect(frames.length).toBe(1 + [120, 101, 72].reduce((a, n) => a + Math.ceil(n / chunkBytes), 0));
      expect(frames.slice(1).every((f) => f.byteLength <= chunkBytes)).toBe(true);
      expect(assemble(frames, c)).toEqual(message);
      for (const cut of [1, 5, 1000]) expect(assemble(recut(frames, cut), c)).toEqual(message);
    }
  });

  it("sends views of the tensors' own memory, not copies", () => {
    const c = cfg({ chunkBytes: 64, outOfBandMinBytes: 16 });
    const frames = encodeFrames(message, spec.response, spec.responseSlots!, c, "test");
    expect(frames[1]!.buffer).toBe((message.recv[0]!.tensor.data as Float64Array).buffer);
  });

  it("a message with no large tensors is one frame", () => {
    const frames = encodeFrames(message, spec.response, spec.responseSlots!, DEFAULT_GRPC_CONFIG, "test");
    expect(frames.length).toBe(1);
    expect(assemble(frames, DEFAULT_GRPC_CONFIG)).toEqual(message);
  });

  it("detects truncation, excess bytes and lying heads", () => {
    const c = cfg({ chunkBytes: 32, outOfBandMinBytes: 16 });
    const frames = encodeFrames(message, spec.response, spec.responseSlots!, c, "test");
    const short = new FrameAssembler(spec.response, spec.responseSlots!, c, "RunGraph response");
    frames.slice(0, -1).forEach((f) => short.push(f));
    expect(short.complete).toBe(false);
    expect(() => short.result()).toThrow(DataLossError);
    expect(() => short.result()).toThrow(/stream ended early \(\d+ of 293 tensor bytes\)/);
    const long = new FrameAssembler(spec.response, spec.responseSlots!, c, "RunGraph response");
    frames.forEach((f) => long.push(f));
    expect(() => long.push(Buffer.from([1]))).toThrow(DataLossError);
    const garbage = new FrameAssembler(spec.response, spec.responseSlots!, c, "RunGraph response");
    expect(() => garbage.push(Buffer.from([0x0a, 0x7f]))).toThrow(DataLossError);
  });

  it("refuses tensors above maxTensorBytes on either end, naming the tensor", () => {
    const big = cfg({ outOfBandMinBytes: 16 });
    const frames = encodeFrames(message, spec.response, spec.responseSlots!, big, "test");
    const small = cfg({ outOfBandMinBytes: 16, maxTensorBytes: 100 });
    expect(() => encodeFrames(message, spec.response, spec.responseSlots!, small, "RunGraph response")).toThrow(ResourceExhaustedError);
    expect(() => encodeFrames(message, spec.response, spec.responseSlots!, small, "RunGraph response")).toThrow(/'f' is 120 bytes.*100-byte limit/);
    const asm = new FrameAssembler(spec.response, spec.responseSlots!, small, "RunGraph response");
    expect(() => asm.push(frames[0]!)).toThrow(/'f' is 120 bytes/);
  });
});

describe("parseHostPort", () => {
  it("parses host:port and [v6]:port, refuses the rest with InvalidArgument", () => {
    expect(parseHostPort("127.0.0.1:0")).toEqual({ host: "127.0.0.1", port: 0 });
    expect(parseHostPort("localhost:2222")).toEqual({ host: "localhost", port: 2222 });
    expect(parseHostPort("[::1]:5")).toEqual({ host: "[::1]", port: 5 });
    for (const bad of ["localhost", ":80", "host:", "host:x", "host:70000", "a:b:1"]) {
      expect(() => parseHostPort(bad), bad).toThrow(InvalidArgumentError);
    }
  });
});
