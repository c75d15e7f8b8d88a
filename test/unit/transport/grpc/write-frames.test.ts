/** Writing frames with backpressure: a wait for 'drain' never outlives the call. */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { CancelledError } from "../../../../src/errors/index.js";
import { CallEnd, writeFrames, writeFramesAndEnd } from "../../../../src/transport/grpc/write-frames.js";

/** A stream that takes one chunk and then never drains. */
function stuck(): { stream: Writable; got: Buffer[] } {
  const got: Buffer[] = [];
  const stream = new Writable({ highWaterMark: 1, write: (chunk: Buffer) => void got.push(chunk) });
  return { stream, got };
}

describe("writeFrames", () => {
  it("stops waiting for 'drain' as soon as the call ends, without an AbortController", async () => {
    const { stream, got } = stuck();
    const end = new CallEnd();
    const writing = writeFrames(stream, [Buffer.from("a"), Buffer.from("b")], end);
    await new Promise((r) => setTimeout(r, 10));
    end.end();
    await expect(writing).rejects.toBeInstanceOf(CancelledError);
    expect(got.map(String)).toEqual(["a"]);
    await expect(writeFrames(stream, [Buffer.from("c")], end)).rejects.toBeInstanceOf(CancelledError);
  });

  it("a one-frame message is written and ended at once", () => {
    const got: Buffer[] = [];
    const stream = new Writable({ write: (chunk: Buffer, _e, done) => (got.push(chunk), done()) });
    void writeFramesAndEnd(stream, [Buffer.from("only")], new CallEnd());
    expect(stream.writableEnded).toBe(true);
    expect(got.map(String)).toEqual(["only"]);
  });
});
