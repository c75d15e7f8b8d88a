import { describe, expect, it, vi } from "vitest";
import { DeviceSpec } from "../../../src/graph/device-spec.js";
import { getDefaultGraph, Graph } from "../../../src/graph/graph.js";
import type { DeviceFunction, Operation } from "../../../src/graph/graph.js";
import { device } from "../../../src/graph/scopes.js";
import { ClusterSpec } from "../../../src/train/cluster-spec.js";
import { replicaDeviceSetter, RoundRobinStrategy, STANDARD_PS_OPS } from "../../../src/train/device-setter.js";
import type { PsStrategy, ReplicaDeviceSetterOptions } from "../../../src/train/device-setter.js";

const cluster = { ps: ["ps0:2222", "ps1:2222"], worker: ["worker0:2222", "worker1:2222", "worker2:2222"] };

/** A variable-like op (TF's Variable() creates VariableV2). */
const variable = (type = "VariableV2"): Operation =>
  getDefaultGraph().addOp({ type, attrs: { container: { s: "" }, shared_name: { s: "" } }, outputs: [{ dtype: "float32", shape: [] }] });
const add = (...inputs: Operation[]): Operation =>
  getDefaultGraph().addOp({ type: "Add", inputs: inputs.map((o) => o.output), outputs: [{ dtype: "float32", shape: [] }] });

function setter(options: ReplicaDeviceSetterOptions): DeviceFunction {
  const fn = replicaDeviceSetter(options);
  if (fn === null) throw new Error("expected a device function");
  return fn;
}

/** Runs `build` in a fresh default graph under `scope`. */
function under<T>(scope: DeviceFunction | string | null, build: () => T): T {
  const graph = new Graph();
  return graph.asDefault(() => graph.withDevice(scope, build));
}

describe("replicaDeviceSetter (§1.5)", () => {
  it.each([
    ["a cluster dict", { cluster }],
    ["a ClusterSpec", { cluster: new ClusterSpec(cluster) }],
    ["a ClusterDef", { cluster: new ClusterSpec(cluster).asClusterDef() }],
    ["psTasks", { psTasks: 2 }],
  ])("with %s: variables round-robin over ps, other ops on the worker", (_what, options: ReplicaDeviceSetterOptions) => {
    const [v, w, a, x] = under(setter(options), () => {
      const v = variable();
      const w = variable();
      return [v, w, add(v, w), variable()];
    });
    expect(v.device).toBe("/job:ps/task:0");
    expect(w.device).toBe("/job:ps/task:1");
    expect(a.device).toBe("/job:worker");
    expect(x.device).toBe("/job:ps/task:0");
  });

  it("an inner device scope is merged, and it wins", () => {
    const [v, w, a] = under(setter({ cluster }), () => {
      const v = device("/cpu:0", () => variable());
      const w = variable();
      const a = device("/cpu:0", () => add(v, w));
      return [v, w, a];
    });
    expect(v.device).toBe("/job:ps/task:0/device:CPU:0");
    expect(w.device).toBe("/job:ps/task:1");
    expect(a.device).toBe("/job:worker/device:CPU:0");
  });

  it("another job set inside gets no task, and the counter does not advance", () => {
    const [v, w, x] = under(setter({ cluster }), () => [
      variable(),
      device("/job:moon", () => variable()),
      device("/job:moon", () => device("/job:ps", () => variable())),
    ]);
    expect(v.device).toBe("/job:ps/task:0");
    expect(w.device).toBe("/job:moon");
    expect(x.device).toBe("/job:ps/task:1");
  });

  it("mergeDevices false returns an op's own device unchanged", () => {
    const [v, w, a] = under(setter({ cluster, mergeDevices: false }), () => [
      variable(),
      device("/job:ps", () => variable()),
      device("/cpu:0", () => add()),
    ]);
    expect(v.device).toBe("/job:ps/task:0");
    expect(w.device).toBe("/job:ps");
    expect(a.device).toBe("/device:CPU:0");
  });

  it("mergeDevices false warns that it is deprecated", async () => {
    vi.resetModules();
    const fresh = await import("../../../src/train/device-setter.js");
    const warn = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      fresh.replicaDeviceSetter({ psTasks: 1, mergeDevices: false });
      fresh.replicaDeviceSetter({ psTasks: 1, mergeDevices: false });
      fresh.replicaDeviceSetter({ psTasks: 1 });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toContain("It is recommended to set mergeDevices=true");
    } finally {
      warn.mockRestore();
    }
  });

  it("a ps device without a job assigns no task", () => {
    const [v, w, a] = under(setter({ psTasks: 1, psDevice: "/cpu:0" }), () => [variable(), device("/job:moon", () => variable()), add()]);
    expect(v.device).toBe("/device:CPU:0");
    expect(w.device).toBe("/job:moon/device:CPU:0");
    expect(a.device).toBe("/job:worker");
  });

  it("custom ps and worker jobs are counted from the cluster", () => {
    const fn = setter({ cluster: { sun: ["sun0:2222", "sun1:2222", "sun2:2222"], moon: ["moon0:2222", "moon1:2222"] }, psDevice: "/job:moon/cpu:0", workerDevice: "/job:sun" });
    const [v, w, x, a] = under(fn, () => [variable(), variable(), variable(), add()]);
    expect(v.device).toBe("/job:moon/task:0/device:CPU:0");
    expect(w.device).toBe("/job:moon/task:1/device:CPU:0");
    expect(x.device).toBe("/job:moon/task:0/device:CPU:0");
    expect(a.device).toBe("/job:sun");
  });

  it("psDevice and workerDevice may be DeviceSpecs", () => {
    const fn = setter({ psTasks: 1, psDevice: new DeviceSpec({ job: "moon" }), workerDevice: new DeviceSpec({ job: "sun", task: 2 }) });
    expect(under(fn, () => [variable().device, add().device])).toEqual(["/job:moon/task:0", "/job:sun/task:2"]);
  });

  it("a resource variable (VarHandleOp) goes to ps", () => {
    expect(under(setter({ cluster }), () => variable("VarHandleOp").device)).toBe("/job:ps/task:0");
  });

  it("every standard ps op goes to ps, anything else to the worker", () => {
    expect([...STANDARD_PS_OPS]).toEqual([
      "Variable",
      "VariableV2",
      "AutoReloadVariable",
      "MutableHashTable",
      "MutableHashTableV2",
      "MutableHashTableOfTensors",
      "MutableHashTableOfTensorsV2",
      "MutableDenseHashTable",
      "MutableDenseHashTableV2",
      "VarHandleOp",
    ]);
    const devices = under(setter({ psTasks: 1 }), () => [...STANDARD_PS_OPS, "HashTableV2", "FIFOQueueV2", "Assign"].map((t) => variable(t).device));
    expect(devices).toEqual([...STANDARD_PS_OPS.map(() => "/job:ps/task:0"), "/job:worker", "/job:worker", "/job:worker"]);
  });

  it("psOps replaces the standard list", () => {
    const [q, v] = under(setter({ psTasks: 2, psOps: ["FIFOQueueV2"] }), () => [variable("FIFOQueueV2"), variable("VariableV2")]);
    expect(q.device).toBe("/job:ps/task:0");
    expect(v.device).toBe("/job:worker");
  });

  it("an outer device scope loses to the inner setter's job for variables but fills other ops", () => {
    const graph = new Graph();
    const [v, w, a] = graph.asDefault(() =>
      graph.withDevice("/job:worker/task:3", () => graph.withDevice(setter({ psTasks: 2 }), () => [variable(), variable(), add()])),
    );
    expect(v.device).toBe("/job:ps/task:0");
    expect(w.device).toBe("/job:ps/task:1");
    expect(a.device).toBe("/job:worker/task:3");
  });
});

describe("returning null", () => {
  it.each<[string, ReplicaDeviceSetterOptions]>([
    ["no options", {}],
    ["psTasks 0", { psTasks: 0 }],
    ["no ps job in the cluster", { cluster: { worker: ["w:1"] } }],
    ["an empty ps job", { cluster: { ps: [], worker: ["w:1"] } }],
    ["a ps device without a job and a cluster", { cluster, psDevice: "/cpu:0" }],
    ["psTasks ignored when a cluster is given", { cluster: { worker: ["w:1"] }, psTasks: 3 }],
    ["a bad strategy is not checked when there is no ps", { psTasks: 0, psStrategy: 5 as unknown as PsStrategy }],
  ])("%s", (_what, options) => {
    expect(replicaDeviceSetter(options)).toBeNull();
  });

  it("so tf.device(setter) then clears every enclosing device scope", () => {
    const op = under("/job:worker/task:1", () => device(replicaDeviceSetter({ cluster: { worker: ["w:1"] } }), () => variable()));
    expect(op.device).toBe("");
  });
});

describe("strategies", () => {
  it("RoundRobinStrategy cycles 0..n-1", () => {
    const s = new RoundRobinStrategy(3);
    expect([0, 1, 2, 3, 4, 5, 6].map(() => s.choose())).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(() => new RoundRobinStrategy(0)).toThrow(RangeError);
  });

  it("a sparse ps job counts its entries and cycles over 0..count-1", () => {
    const fn = setter({ cluster: { ps: { 2: "ps2:1", 5: "ps5:1" }, worker: ["w:1"] } });
    expect(under(fn, () => [variable(), variable(), variable()].map((v) => v.device))).toEqual(["/job:ps/task:0", "/job:ps/task:1", "/job:ps/task:0"]);
  });

  it("a strategy is called only for ops that get its task", () => {
    const seen: string[] = [];
    const strategy = (op: Operation): number => {
      seen.push(op.name);
      return 7;
    };
    const devices = under(setter({ psTasks: 2, psStrategy: strategy }), () => [
      variable().device,
      device("/job:moon", () => variable()).device,
      add().device,
      device("/job:ps", () => variable()).device,
    ]);
    expect(devices).toEqual(["/job:ps/task:7", "/job:moon", "/job:worker", "/job:ps/task:7"]);
    expect(seen).toEqual(["VariableV2", "VariableV2_2"]);
  });

  it("an object with a choose method is a strategy", () => {
    const rr = new RoundRobinStrategy(5);
    rr.choose();
    expect(under(setter({ psTasks: 2, psStrategy: rr }), () => variable().device)).toBe("/job:ps/task:1");
  });

  it("psStrategy null means the default round-robin, as None in TF", () => {
    expect(under(setter({ psTasks: 2, psStrategy: null }), () => [variable().device, variable().device])).toEqual(["/job:ps/task:0", "/job:ps/task:1"]);
  });

  it.each([5, "roundrobin", {}, { choose: 1 }])("psStrategy %j is rejected with TF's TypeError", (bad) => {
    expect(() => replicaDeviceSetter({ psTasks: 2, psStrategy: bad as unknown as PsStrategy })).toThrow(new TypeError("ps_strategy must be callable"));
  });

  it("a strategy must return a task index", () => {
    const fn = setter({ psTasks: 2, psStrategy: () => -1 });
    expect(() => under(fn, () => variable())).toThrow(TypeError);
  });
});

describe("argument checks", () => {
  it("rejects a bad psTasks", () => {
    expect(() => replicaDeviceSetter({ psTasks: -1 })).toThrow(RangeError);
    expect(() => replicaDeviceSetter({ psTasks: 1.5 })).toThrow(RangeError);
  });

  it("rejects a bad device string at once", () => {
    expect(() => replicaDeviceSetter({ psTasks: 1, workerDevice: "/wrk:1" })).toThrow("Unknown attribute: 'wrk'");
    expect(() => replicaDeviceSetter({ psTasks: 1, psDevice: "/job:ps/task:x" })).toThrow("invalid literal for int");
  });

  it("rejects a bad cluster with ClusterSpec's error", () => {
    expect(() => replicaDeviceSetter({ cluster: { ps: "p:1" } as unknown as ClusterSpec })).toThrow(TypeError);
  });
});

describe("scenario S3: variables spread over parameter servers", () => {
  it.each<[string, ReplicaDeviceSetterOptions]>([
    ["psTasks", { psTasks: 2 }],
    ["the cluster spec", { cluster: new ClusterSpec(cluster) }],
  ])("with %s", (_what, options) => {
    const devices = under(setter(options), () => {
      const vars = [variable(), variable(), variable()];
      const sum = add(vars[0]!, vars[1]!);
      const onGpu = device("/gpu:1", () => add(sum));
      const onTask1Gpu = device("/gpu:1", () => device("/task:1", () => add(sum)));
      return [...vars, sum, onGpu, onTask1Gpu].map((o) => o.device);
    });
    expect(devices).toEqual([
      "/job:ps/task:0",
      "/job:ps/task:1",
      "/job:ps/task:0",
      "/job:worker",
      "/job:worker/device:GPU:1",
      "/job:worker/task:1/device:GPU:1",
    ]);
  });

  it("a ps device pinned to the CPU keeps variables off accelerators", () => {
    const v = under(setter({ psTasks: 2, psDevice: "/job:ps/cpu:0" }), () => variable());
    expect(v.device).toBe("/job:ps/task:0/device:CPU:0");
  });
});
