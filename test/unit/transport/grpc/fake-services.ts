/**
 * Small MasterService / WorkerService implementations for transport tests: each RPC answers
 * from its request in a recognisable way and records what it received; `behaviour` makes an RPC
 * fail, hang until its signal aborts, or hang regardless.
 */
import { NDArray } from "../../../../src/tensor/index.js";
import type * as m from "../../../../src/transport/messages.js";
import type { CallOptions, MasterService, ServedServices, WorkerService } from "../../../../src/transport/services.js";

export type Behaviour = (request: unknown, opts: CallOptions | undefined) => Promise<unknown> | undefined;

export interface Recorded {
  method: string;
  request: unknown;
  opts: CallOptions | undefined;
}

export const device = (task: number): m.DeviceAttributes => ({
  name: `/job:worker/replica:0/task:${task}/device:CPU:0`,
  deviceType: "CPU",
  memoryLimitBytes: 2 ** 33,
  incarnation: BigInt(1000 + task),
});

/** Resolves when `signal` aborts, rejecting with its reason — what a blocked op does. */
export function untilAborted(opts: CallOptions | undefined): Promise<never> {
  return new Promise((_resolve, reject) => {
    const s = opts?.signal;
    if (!s) return;
    if (s.aborted) return reject(s.reason);
    s.addEventListener("abort", () => reject(s.reason), { once: true });
  });
}

export class FakeServices implements ServedServices {
  readonly calls: Recorded[] = [];
  /** Per method name: overrides the normal answer when it returns a promise. */
  readonly behaviour = new Map<string, Behaviour>();
  readonly master: MasterService;
  readonly worker: WorkerService;

  constructor() {
    const handle = <Req, Res>(method: string, answer: (req: Req) => Res) =>
      async (req: Req, opts?: CallOptions): Promise<Res> => {
        this.calls.push({ method, request: req, opts });
        const special = this.behaviour.get(method)?.(req, opts);
        if (special) return (await special) as Res;
        return answer(req);
      };
    this.master = {
      createSession: handle("createSession", (r: m.CreateSessionRequest) => ({ sessionHandle: `s-${r.graphDef.node.length}-${r.target}`, graphVersion: 1 })),
      extendSession: handle("extendSession", (r: m.ExtendSessionRequest) => ({ newGraphVersion: r.currentGraphVersion + 1 })),
      runStep: handle("runStep", (r: m.RunStepRequest) => ({
        tensor: r.fetch.map((name, i) => ({ name, tensor: r.feed[i]?.tensor ?? new NDArray("int32", [], Int32Array.of(i)) })),
        metadata: {},
      })),
      closeSession: handle("closeSession", () => ({})),
      listDevices: handle("listDevices", (r: m.ListDevicesRequest) => ({ localDevice: [device(0)], remoteDevice: r.sessionHandle ? [device(1)] : [] })),
      reset: handle("reset", () => ({})),
      makeCallable: handle("makeCallable", (r: m.MakeCallableRequest) => ({ handle: r.options.fetch.length })),
      runCallable: handle("runCallable", (r: m.RunCallableRequest) => ({ fetch: r.feed })),
      releaseCallable: handle("releaseCallable", () => ({})),
      resourceStatus: handle("resourceStatus", () => ({
        resource: [{ device: device(0).name, container: "worker", kind: "FIFOQueue", name: "q", details: { size: 2, capacity: 5 } }],
      })),
    };
    this.worker = {
      getStatus: handle("getStatus", () => ({ deviceAttributes: [device(0), device(1)] })),
      createWorkerSession: handle("createWorkerSession", () => ({})),
      deleteWorkerSession: handle("deleteWorkerSession", () => ({})),
      registerGraph: handle("registerGraph", (r: m.RegisterGraphRequest) => ({ graphHandle: `g-${r.sessionHandle}-${r.graphDef.node.length}` })),
      deregisterGraph: handle("deregisterGraph", () => ({})),
      runGraph: handle("runGraph", (r: m.RunGraphRequest) => ({
        // answers each recv key with the send of the same index: an echo partition
        recv: r.recvKey.map((name, i) => ({ name, tensor: r.send[i]!.tensor })),
      })),
      cleanupGraph: handle("cleanupGraph", () => ({})),
      cleanupAll: handle("cleanupAll", () => ({})),
      recvTensor: handle("recvTensor", (r: m.RecvTensorRequest) => ({ tensor: new NDArray("int64", [1], BigInt64Array.of(BigInt(r.stepId))) })),
      resourceStatus: handle("resourceStatus", () => ({ resource: [] })),
    };
  }

  last(method: string): Recorded {
    const c = [...this.calls].reverse().find((x) => x.method === method);
    if (!c) throw new Error(`no call to ${method}`);
    return c;
  }
}
