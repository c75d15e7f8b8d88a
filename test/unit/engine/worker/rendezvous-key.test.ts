/** TF's rendezvous key form (rendezvous.cc CreateKey) ↔ this worker's keys (executor.ts rendezvousKey). */
import { describe, expect, it } from "vitest";
import { rendezvousKey } from "../../../../src/engine/worker/executor.js";
import { clientTensorName, localRendezvousKey, wireRendezvousKey } from "../../../../src/engine/worker/rendezvous-key.js";

const src = "/job:ps/replica:0/task:0/device:CPU:0";
const dst = "/job:worker/replica:0/task:1/device:CPU:0";

describe("rendezvous keys", () => {
  it("a local key goes out in TF's form (16 hex digits, frame 0:0) and comes back unchanged", () => {
    const local = rendezvousKey(src, 0x1f, dst, "w/read:0");
    const wire = wireRendezvousKey(local);
    expect(wire).toBe(`${src};000000000000001f;${dst};w/read:0;0:0`);
    expect(localRendezvousKey(wire)).toBe(local);
    expect(localRendezvousKey(local)).toBe(local);
  });

  it("names the tensor of a TF key; plain tensor names and other strings pass through", () => {
    expect(clientTensorName(`${src};0000000000000001;${src};x:0;0:0`)).toBe("x:0");
    expect(clientTensorName("x:0")).toBe("x:0");
    expect(localRendezvousKey("not;a;key")).toBe("not;a;key");
    expect(clientTensorName(`${src};zz;${src};x:0;0:0`)).toBe(`${src};zz;${src};x:0;0:0`);
  });
});
