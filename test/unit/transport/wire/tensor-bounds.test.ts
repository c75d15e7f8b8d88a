/**
 * What a peer may make a task allocate (issue 8): every TensorProto decode checks element count x
 * element size against maxTensorBytes before allocating — the splat form (a few bytes describing
 * a huge shape), string tensors (count and total bytes) and a message's total alike.
 */
import { describe, expect, it } from "vitest";
import { ResourceExhaustedError, InvalidArgumentError } from "../../../../src/errors/index.js";
import { withTensorBudget, tensorBudget, DEFAULT_MAX_TENSOR_BYTES } from "../../../../src/tensor/budget.js";
import { decodeTensor, messageType } from "../../../../src/transport/wire/index.js";

const proto = messageType("tensorflow.TensorProto");
const encode = (o: object) => proto.encode(o).finish();
const shape = (...dims: number[]) => ({ dim: dims.map((size) => ({ size })) });

describe("TensorProto decode bounds", () => {
  it("a 17-byte splat describing 600 MiB is ResourceExhaustedError before any allocation", () => {
    const bytes = encode({ dtype: 1, tensor_shape: shape(150 * 1024 * 1024), float_val: [1] });
    expect(bytes.byteLength).toBeLessThan(20);
    expect(() => decodeTensor(bytes)).toThrow(ResourceExhaustedError);
    expect(() => decodeTensor(bytes)).toThrow(/maxTensorBytes/);
  });

  it("shapes past 2^53 elements, and int64 dims that overflow a number, are refused too", () => {
    expect(() => decodeTensor(encode({ dtype: 1, tensor_shape: shape(2 ** 40, 2 ** 40), float_val: [1] }))).toThrow(ResourceExhaustedError);
    expect(() => decodeTensor(encode({ dtype: 9, tensor_shape: { dim: [{ size: "9223372036854775807" }] }, int64_val: [1] }))).toThrow(ResourceExhaustedError);
  });

  it("a splat within the limit fills every element with the last value (TF's rule), in a typed array", () => {
    const t = decodeTensor(encode({ dtype: 3, tensor_shape: shape(1000), int_val: [4, 7] }));
    expect(t.size).toBe(1000);
    expect((t.data as Int32Array)[0]).toBe(4);
    expect((t.data as Int32Array)[999]).toBe(7);
  });

  it("string tensors count their elements and their bytes, repeated values included", () => {
    const big = new Uint8Array(1024);
    const ok = withTensorBudget(1 << 20, () => decodeTensor(encode({ dtype: 7, tensor_shape: shape(100), string_val: [big] })));
    expect(ok.size).toBe(100);
    expect(() => withTensorBudget(1 << 20, () => decodeTensor(encode({ dtype: 7, tensor_shape: shape(2000), string_val: [big] })))).toThrow(ResourceExhaustedError);
    expect(() => decodeTensor(encode({ dtype: 7, tensor_shape: shape(1 << 30), string_val: [] }))).toThrow(ResourceExhaustedError);
  });

  it("one message's tensors add up against four times the per-tensor limit", () => {
    const budget = tensorBudget(1000);
    const each = encode({ dtype: 1, tensor_shape: shape(250), float_val: [0] });
    expect(() =>
      withTensorBudget(budget, () => {
        for (let i = 0; i < 5; i++) decodeTensor(each);
      }),
    ).toThrow(/add up to more than 4000 bytes/);
  });

  it("the default limit is 256 MiB; a negative dimension is still InvalidArgument", () => {
    expect(DEFAULT_MAX_TENSOR_BYTES).toBe(256 * 1024 * 1024);
    expect(() => decodeTensor(encode({ dtype: 1, tensor_shape: shape(-3), float_val: [1] }))).toThrow(InvalidArgumentError);
  });
});
