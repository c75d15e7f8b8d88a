import { describe, expect, it } from "vitest";
import { AbortedError, CancelledError } from "../../../../src/errors/index.js";
import { RendezvousManager } from "../../../../src/engine/worker/rendezvous.js";
import { ndarray } from "../../../../src/tensor/ndarray.js";

describe("RendezvousManager", () => {
  it("hands each sent tensor to one receiver, whichever comes first", async () => {
    const m = new RendezvousManager();
    const r = m.find(1);
    const early = r.recv("k1");
    r.send("k1", ndarray(1));
    r.send("k2", ndarray(2));
    expect((await early).item()).toBe(1);
    expect((await r.recv("k2")).item()).toBe(2);
    expect(r.drained).toBe(true);
  });

  it("a step that finished normally is forgotten: its id can be used again", () => {
    const m = new RendezvousManager();
    const r = m.find(7);
    m.finishLocal(7);
    expect(m.size).toBe(0);
    expect(m.find(7).abortReason).toBeNull();
    expect(r.abortReason).toBeNull();
  });

  it("an aborted step fails its waiters and any late caller at once", async () => {
    const m = new RendezvousManager();
    const waiting = m.find(9).recv("k");
    m.abort(9, new CancelledError("Step 9 was cancelled"));
    await expect(waiting).rejects.toBeInstanceOf(CancelledError);
    await expect(m.find(9).recv("k")).rejects.toBeInstanceOf(AbortedError);
  });

  it("a receiver's own signal cancels its wait without touching the step", async () => {
    const m = new RendezvousManager();
    const c = new AbortController();
    const p = m.find(3).recv("k", c.signal);
    c.abort(new CancelledError("caller gave up"));
    await expect(p).rejects.toThrow("caller gave up");
    m.find(3).send("k", ndarray(5));
    expect((await m.find(3).recv("k")).item()).toBe(5);
  });
  it("abortSession drops every table of that session, including tensors sent but never received", async () => {
    const m = new RendezvousManager();
    const mine = m.find(11);
    mine.sessionHandle = "s1";
    mine.send("k", ndarray(1));
    m.finishLocal(11);
    const other = m.find(12);
    other.sessionHandle = "s2";
    other.send("k", ndarray(2));
    expect(m.size).toBe(2);
    m.abortSession("s1", new CancelledError("Session s1 was deleted"));
    expect(m.size).toBe(1);
    await expect(m.find(11).recv("k")).rejects.toBeInstanceOf(AbortedError);
    expect((await other.recv("k")).item()).toBe(2);
  });
});
