import { afterAll, describe, expect, it } from "vitest";
import { compute, currentBackend, initBackend, tfc } from "../../../../src/engine/compute/backend.js";
import { FailedPreconditionError } from "../../../../src/errors/index.js";
import { ndarray } from "../../../../src/tensor/ndarray.js";

describe("compute backends", () => {
  afterAll(async () => {
    await initBackend("wasm");
  });

  it("wasm is the default and cpu is selectable; both compute the same", async () => {
    expect(await initBackend()).toBe("wasm");
    const a = ndarray([1.5, 2, 3]);
    const onWasm = compute([a, a], ["float32"], (x, y) => tfc.mul(x!, y!))[0]!.toArray();
    expect(await initBackend("cpu")).toBe("cpu");
    expect(currentBackend()).toBe("cpu");
    const onCpu = compute([a, a], ["float32"], (x, y) => tfc.mul(x!, y!))[0]!.toArray();
    expect(onCpu).toEqual(onWasm);
  });

  it("the tensorflow backend without tfjs-node installed fails with a clear FailedPreconditionError", async () => {
    const err = await initBackend("tensorflow").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FailedPreconditionError);
    expect((err as Error).message).toContain("@tensorflow/tfjs-node");
  });
});
