/**
 * Incarnations at the service level: drawn fresh (and 64-bit) at every start, in a restarted
 * master's session handles, in the worker's choice of which master sessions are stale, and in
 * the rendezvous keys a worker accepts.
 */
import { describe, expect, it } from "vitest";
import { AbortedError } from "../../../src/errors/index.js";
import { drawIncarnation, incarnationAttr } from "../../../src/engine/incarnation.js";
import { localDevices } from "../../../src/engine/devices.js";
import { Master } from "../../../src/engine/master/master-service.js";
import { Worker } from "../../../src/engine/worker/worker-service.js";
import { rendezvousKey } from "../../../src/engine/worker/executor.js";
import type { Clock } from "../../../src/util/env.js";
import { SeededRandom } from "../../../src/util/env.js";

const clockAt = (micros: number): Clock => ({ nowMs: () => micros / 1000, nowMicros: () => micros, setTimer: () => () => {} });

function worker(incarnation: bigint): Worker {
  const env = { clock: clockAt(0), random: new SeededRandom(1) };
  return new Worker({ ...env, job: "ps", task: 0, incarnation, devices: localDevices("ps", 0, 0, incarnation), peer: () => { throw new Error("no peers"); } });
}

describe("incarnations", () => {
  it("are 64-bit, replay from the seed and clock, and differ on a restart with the same seed", () => {
    const a = drawIncarnation({ clock: clockAt(1_000), random: new SeededRandom(9) });
    expect(a).toBe(drawIncarnation({ clock: clockAt(1_000), random: new SeededRandom(9) }));
    expect(drawIncarnation({ clock: clockAt(2_000), random: new SeededRandom(9) })).not.toBe(a);
    expect(a > 0n && a < 2n ** 64n).toBe(true);
  });

  it("a restarted master (same seed) never reuses a session handle", async () => {
    const make = (incarnation: bigint) =>
      new Master({ clock: clockAt(0), random: new SeededRandom(3), cluster: { job: [{ name: "w", tasks: { 0: "x:1" } }] }, task: { job: "w", task: 0 }, incarnation, worker: () => worker(1n) });
    const req = { graphDef: { node: [] }, config: {}, target: "" };
    const first = await make(1n).createSession(req);
    const second = await make(2n).createSession(req);
    expect(second.sessionHandle).not.toBe(first.sessionHandle);
  });

  it("a worker drops the sessions of an older incarnation of the same master", async () => {
    const w = worker(5n);
    const master = "/job:worker/replica:0/task:0";
    await w.createWorkerSession({ sessionHandle: "old", isolateSessionState: true, masterTask: master, masterIncarnation: 1n });
    await w.createWorkerSession({ sessionHandle: "other", isolateSessionState: false, masterTask: "/job:worker/replica:0/task:1", masterIncarnation: 1n });
    await w.createWorkerSession({ sessionHandle: "new", isolateSessionState: true, masterTask: master, masterIncarnation: 2n });
    expect(w.stateCounts().sessions).toBe(2);
    await expect(w.registerGraph({ sessionHandle: "old", graphDef: { node: [] } })).rejects.toBeInstanceOf(AbortedError);
  });

  it("RecvTensor with a key of another incarnation of this task fails Aborted", async () => {
    const w = worker(5n);
    const stale = rendezvousKey("/job:ps/replica:0/task:0/device:CPU:0", incarnationAttr(4n), "/job:worker/replica:0/task:0/device:CPU:0", "a:0");
    await expect(w.recvTensor({ stepId: 1, rendezvousKey: stale })).rejects.toThrow(/restarted/);
    await expect(w.recvTensor({ stepId: 1, rendezvousKey: stale })).rejects.toBeInstanceOf(AbortedError);
  });
});
