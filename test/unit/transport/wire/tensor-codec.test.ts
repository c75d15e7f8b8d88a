import { describe, expect, it } from "vitest";
import { InvalidArgumentError, UnimplementedError, DataLossError } from "../../../../src/errors/index.js";
import { NDArray, ndarray, type DType } from "../../../../src/tensor/index.js";
import type { ResourceHandle } from "../../../../src/tensor/resource-handle.js";
import {
  decodeTensor,
  decodeTensorShape,
  encodeTensor,
  encodeTensorShape,
  messageType,
} from "../../../../src/transport/wire/index.js";

const handle = (name: string): ResourceHandle => ({
  device: "/job:ps/replica:0/task:0/device:CPU:0",
  container: "ps",
  name,
  kind: "FIFOQueue",
});

function sample(dtype: DType, shape: number[]): NDArray {
  const n = shape.reduce((a, b) => a * b, 1);
  const idx = Array.from({ length: n }, (_, i) => i);
  switch (dtype) {
    case "float32":
      return new NDArray(dtype, shape, Float32Array.from(idx, (i) => i * 0.5 - 3));
    case "float64":
      return new NDArray(dtype, shape, Float64Array.from(idx, (i) => i / 3 - 1e300 * (i % 2)));
    case "int32":
      return new NDArray(dtype, shape, Int32Array.from(idx, (i) => i * 7919 - 2 ** 31 * (i % 2)));
    case "int64":
      return new NDArray(dtype, shape, BigInt64Array.from(idx, (i) => BigInt(i) * 1234567890123n - (i % 2 ? 2n ** 63n : 0n)));
    case "uint8":
      return new NDArray(dtype, shape, Uint8Array.from(idx, (i) => (i * 37) % 256));
    case "bool":
      return new NDArray(dtype, shape, Uint8Array.from(idx, (i) => i % 3 === 0 ? 1 : 0));
    case "string":
      return new NDArray(dtype, shape, idx.map((i) => new TextEncoder().encode(i % 2 ? `é${i}` : "")));
    case "resource":
      return new NDArray(dtype, shape, idx.map((i) => handle(`q${i}`)));
  }
}

const DTYPES: DType[] = ["float32", "float64", "int32", "int64", "uint8", "bool", "string", "resource"];
const SHAPES: number[][] = [[], [0], [1], [5], [2, 3], [3, 0, 2], [2, 2, 2, 2]];

describe("TensorProto codec", () => {
  for (const dtype of DTYPES) {
    for (const shape of SHAPES) {
      it(`round-trips ${dtype}[${shape.join(",")}]`, () => {
        const nd = sample(dtype, shape);
        const back = decodeTensor(encodeTensor(nd));
        expect(back.dtype).toBe(dtype);
        expect(back.shape).toEqual(shape);
        expect(back.data).toEqual(nd.data);
        expect(back.data.constructor).toBe(nd.data.constructor);
      });
    }
  }

  it("writes TensorFlow's field numbers (dtype 1, tensor_shape 2 {dim 2 {size 1}}, tensor_content 4)", () => {
    const bytes = encodeTensor(new NDArray("float32", [2], Float32Array.of(1, 2)));
    const content = new Uint8Array(Float32Array.of(1, 2).buffer);
    expect([...bytes]).toEqual([0x08, 1, 0x12, 4, 0x12, 2, 0x08, 2, 0x22, 8, ...content]);
  });

  it("reads TF's *_val form, repeating the last value to fill the shape", () => {
    const T = messageType("tensorflow.TensorProto");
    const bytes = T.encode({ dtype: 1, tensor_shape: { dim: [{ size: 2 }, { size: 2 }] }, float_val: [1.5, 2] }).finish();
    const nd = decodeTensor(bytes);
    expect(Array.from(nd.data as Float32Array)).toEqual([1.5, 2, 2, 2]);
    const i64 = decodeTensor(T.encode({ dtype: 9, tensor_shape: { dim: [{ size: 3 }] }, int64_val: ["-9007199254740993"] }).finish());
    expect(Array.from(i64.data as BigInt64Array)).toEqual([-9007199254740993n, -9007199254740993n, -9007199254740993n]);
    const b = decodeTensor(T.encode({ dtype: 10, tensor_shape: {}, bool_val: [true] }).finish());
    expect(b.item()).toBe(true);
    const zeros = decodeTensor(T.encode({ dtype: 3, tensor_shape: { dim: [{ size: 3 }] } }).finish());
    expect(Array.from(zeros.data as Int32Array)).toEqual([0, 0, 0]);
    const s = decodeTensor(T.encode({ dtype: 7, tensor_shape: { dim: [{ size: 2 }] }, string_val: [Buffer.from("ab")] }).finish());
    expect(s.toArray()).toEqual(["ab", "ab"]);
  });

  it("gives a view of aligned content and a copy of unaligned content", () => {
    const nd = new NDArray("float64", [3], Float64Array.of(1, 2, 3));
    const bytes = encodeTensor(nd);
    for (let shift = 0; shift < 8; shift++) {
      const buf = new Uint8Array(bytes.byteLength + shift);
      buf.set(bytes, shift);
      const back = decodeTensor(buf.subarray(shift));
      expect(Array.from(back.data as Float64Array)).toEqual([1, 2, 3]);
      const contentAt = shift + bytes.byteLength - 24;
      expect((back.data as Float64Array).buffer === buf.buffer).toBe(contentAt % 8 === 0);
    }
  });

  it("refuses content of the wrong size, unknown dims, unsupported and invalid dtypes, garbage", () => {
    const T = messageType("tensorflow.TensorProto");
    const wrong = T.encode({ dtype: 1, tensor_shape: { dim: [{ size: 3 }] }, tensor_content: new Uint8Array(8) }).finish();
    expect(() => decodeTensor(wrong)).toThrow(InvalidArgumentError);
    expect(() => decodeTensor(T.encode({ dtype: 1, tensor_shape: { dim: [{ size: -1 }] } }).finish())).toThrow(InvalidArgumentError);
    expect(() => decodeTensor(T.encode({ dtype: 19, tensor_shape: {} }).finish())).toThrow(UnimplementedError);
    expect(() => decodeTensor(T.encode({ dtype: 19, tensor_shape: {} }).finish())).toThrow(/DT_HALF/);
    expect(() => decodeTensor(T.encode({ tensor_shape: {} }).finish())).toThrow(InvalidArgumentError);
    expect(() => decodeTensor(Uint8Array.of(0x22, 0x40, 1))).toThrow(DataLossError);
  });

  it("round-trips NDArrays built by ndarray()", () => {
    const nd = ndarray([[1, 2], [3, 4]], { dtype: "int32" });
    expect(decodeTensor(encodeTensor(nd)).toArray()).toEqual([[1, 2], [3, 4]]);
  });
});

describe("TensorShapeProto codec", () => {
  it("round-trips known, partially known, scalar and unknown-rank shapes", () => {
    for (const s of [[], [3], [null, 4], [null], [0, 2 ** 40], null]) {
      expect(decodeTensorShape(encodeTensorShape(s))).toEqual(s);
    }
  });
  it("writes unknown_rank as field 3 and an unknown dim as -1", () => {
    expect([...encodeTensorShape(null)]).toEqual([0x18, 1]);
    const T = messageType("tensorflow.TensorShapeProto");
    const w = T.toObject(T.decode(encodeTensorShape([null])), { longs: Number });
    expect(w).toEqual({ dim: [{ size: -1 }] });
  });
});
