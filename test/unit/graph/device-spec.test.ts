import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalDevice, DeviceSpec } from "../../../src/graph/device-spec.js";
import { Graph } from "../../../src/graph/graph.js";
import type { DeviceFunction, Operation } from "../../../src/graph/graph.js";

type Fields = [job: string | null, replica: number | null, task: number | null, type: string | null, index: number | null];

function fields(d: DeviceSpec): Fields {
  return [d.job, d.replica, d.task, d.deviceType, d.deviceIndex];
}

describe("DeviceSpec.fromString (§1.1)", () => {
  const rows: [input: string, expected: Fields, canonical: string][] = [
    ["/job:ps/task:0/cpu:0", ["ps", null, 0, "CPU", 0], "/job:ps/task:0/device:CPU:0"],
    ["/job:worker/replica:0/task:1/device:GPU:1", ["worker", 0, 1, "GPU", 1], "/job:worker/replica:0/task:1/device:GPU:1"],
    ["/gpu:1", [null, null, null, "GPU", 1], "/device:GPU:1"],
    ["/cpu:*", [null, null, null, "CPU", null], "/device:CPU:*"],
    ["/CPU", [null, null, null, "CPU", null], "/device:CPU:*"],
    ["/replica:1/task:0/cpu:0", [null, 1, 0, "CPU", 0], "/replica:1/task:0/device:CPU:0"],
    ["/job:foo/replica:0/task:3/gpu:7", ["foo", 0, 3, "GPU", 7], "/job:foo/replica:0/task:3/device:GPU:7"],
    ["/device:GPU:0/task:0/replica:0/job:foo", ["foo", 0, 0, "GPU", 0], "/job:foo/replica:0/task:0/device:GPU:0"],
    ["", [null, null, null, null, null], ""],
    // A leading "/" is optional and empty pieces are skipped.
    ["job:ps//task:2", ["ps", null, 2, null, null], "/job:ps/task:2"],
    // The short form ignores case and stores the type uppercased.
    ["/Cpu:0", [null, null, null, "CPU", 0], "/device:CPU:0"],
    ["/gPu:3", [null, null, null, "GPU", 3], "/device:GPU:3"],
    // The /device: form keeps the type verbatim and accepts any type name.
    ["/device:cpu:0", [null, null, null, "cpu", 0], "/device:cpu:0"],
    ["/device:MyFunnyDevice:2", [null, null, null, "MyFunnyDevice", 2], "/device:MyFunnyDevice:2"],
    ["/device:GPU:*", [null, null, null, "GPU", null], "/device:GPU:*"],
    // Python allows an empty job name.
    ["/job:", ["", null, null, null, null], "/job:"],
    // A piece whose first part is empty is skipped, as Python does.
    ["/job:ps/:7", ["ps", null, null, null, null], "/job:ps"],
  ];
  it.each(rows)("%j", (input, expected, canonical) => {
    const d = DeviceSpec.fromString(input);
    expect(fields(d)).toEqual(expected);
    expect(d.toString()).toBe(canonical);
    expect(canonicalDevice(input)).toBe(canonical);
  });

  const errors: [input: string, message: RegExp][] = [
    ["/job:muu/device:GPU:2/cpu:0", /^Cannot specify multiple device types: \/job:muu\/device:GPU:2\/cpu:0$/],
    ["/cpu:0/device:GPU:2", /^Cannot specify multiple device types: /],
    ["/job:j/replica:foo", /invalid literal for int/],
    ["/job:j/task:bar", /invalid literal for int/],
    ["/gpu:x", /invalid literal for int/],
    ["/bar:muu/baz:2", /^Unknown attribute: 'bar' in '\/bar:muu\/baz:2'$/],
    ["/JOB:ps", /^Unknown attribute: 'JOB' in '\/JOB:ps'$/],
    ["/device:GPU", /^Unknown attribute: 'device' in '\/device:GPU'$/],
    ["/job:ps:1", /^Unknown attribute: 'job' in '\/job:ps:1'$/],
    ["/cpu:0:1", /^Unknown attribute: 'cpu' in /],
  ];
  it.each(errors)("%j throws", (input, message) => {
    expect(() => DeviceSpec.fromString(input)).toThrow(TypeError);
    expect(() => DeviceSpec.fromString(input)).toThrow(message);
  });

  it("constructor uppercases only the exact strings cpu and gpu", () => {
    expect(new DeviceSpec({ job: "foo", replica: 12, task: 3, deviceType: "GPU" }).toString()).toBe(
      "/job:foo/replica:12/task:3/device:GPU:*",
    );
    expect(new DeviceSpec({ deviceType: "cpu", deviceIndex: 0 }).deviceType).toBe("CPU");
    expect(new DeviceSpec({ deviceType: "gpu" }).deviceType).toBe("GPU");
    expect(new DeviceSpec({ deviceType: "Cpu" }).deviceType).toBe("Cpu");
    expect(new DeviceSpec().toString()).toBe("");
  });

  it("fields can be changed; setting one to null removes it", () => {
    const d = DeviceSpec.fromString("/job:ps/task:1/cpu:0");
    d.task = null;
    expect(d.toString()).toBe("/job:ps/device:CPU:0");
  });

  it("equality compares the canonical strings", () => {
    expect(DeviceSpec.fromString("/job:ps/cpu:0").equals(DeviceSpec.fromString("/job:ps/device:CPU:0"))).toBe(true);
    expect(DeviceSpec.fromString("/job:ps").equals(DeviceSpec.fromString("/job:worker"))).toBe(false);
  });

  it("canonicalDevice gives an empty string for null and empty", () => {
    expect(canonicalDevice(null)).toBe("");
    expect(canonicalDevice(undefined)).toBe("");
    expect(canonicalDevice(new DeviceSpec({ job: "ps" }))).toBe("/job:ps");
  });

  // Model: toString() emits every set field in canonical order, so parsing it gives the same fields back.
  it("toString round-trips through fromString (property)", () => {
    const spec = fc.record({
      job: fc.option(fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/), { nil: null }),
      replica: fc.option(fc.nat(100), { nil: null }),
      task: fc.option(fc.nat(100), { nil: null }),
      deviceType: fc.option(fc.constantFrom("CPU", "GPU", "TPU"), { nil: null }),
      deviceIndex: fc.option(fc.nat(16), { nil: null }),
    });
    fc.assert(
      fc.property(spec, (f) => {
        const d = new DeviceSpec({ ...f, deviceIndex: f.deviceType === null ? null : f.deviceIndex });
        expect(fields(DeviceSpec.fromString(d.toString()))).toEqual(fields(d));
      }),
    );
  });
});

describe("DeviceSpec.mergeFrom (§1.2)", () => {
  it("overwrites every field set in the other spec", () => {
    const d = DeviceSpec.fromString("/job:foo/replica:0");
    d.mergeFrom(DeviceSpec.fromString("/task:1/device:GPU:2"));
    expect(d.toString()).toBe("/job:foo/replica:0/task:1/device:GPU:2");
  });

  it("follows the sequence from device_test", () => {
    const d = new DeviceSpec();
    const steps: [merge: string, result: string][] = [
      ["/task:1/cpu:0", "/task:1/device:CPU:0"],
      ["/job:boo/device:GPU:0", "/job:boo/task:1/device:GPU:0"],
      ["/job:muu/cpu:2", "/job:muu/task:1/device:CPU:2"],
      ["/job:muu/device:MyFunnyDevice:2", "/job:muu/task:1/device:MyFunnyDevice:2"],
    ];
    for (const [merge, result] of steps) {
      expect(d.mergeFrom(DeviceSpec.fromString(merge)).toString()).toBe(result);
    }
  });

  it("accepts a string and returns this", () => {
    const d = new DeviceSpec({ job: "a" });
    expect(d.mergeFrom("/task:3")).toBe(d);
    expect(d.toString()).toBe("/job:a/task:3");
  });

  it("a wildcard index never overwrites", () => {
    expect(DeviceSpec.fromString("/device:GPU:7").mergeFrom("/device:GPU:*").toString()).toBe("/device:GPU:7");
  });

  it("clone is independent", () => {
    const a = DeviceSpec.fromString("/job:ps/task:0");
    const b = a.clone();
    b.mergeFrom("/task:5");
    expect(a.toString()).toBe("/job:ps/task:0");
    expect(b.toString()).toBe("/job:ps/task:5");
  });
});

type Scope = string | DeviceSpec | DeviceFunction | null;

/** The device of an op created inside `scopes`, outermost first. */
function deviceUnder(scopes: Scope[]): string {
  const g = new Graph();
  const build = (i: number): Operation =>
    i === scopes.length ? g.addOp({ type: "NoOp" }) : g.withDevice(scopes[i]!, () => build(i + 1));
  return build(0).device;
}

describe("Graph.withDevice nesting (§1.4)", () => {
  const rows: [scopes: Scope[], device: string][] = [
    [[], ""],
    [["/job:worker/replica:2"], "/job:worker/replica:2"],
    [["/job:worker/replica:2", "/job:worker/replica:3/task:0"], "/job:worker/replica:3/task:0"],
    [["/job:worker/replica:2/device:CPU:1", "/job:worker/replica:2/device:GPU:2"], "/job:worker/replica:2/device:GPU:2"],
    [["/device:GPU:0", "/job:worker"], "/job:worker/device:GPU:0"],
    [["/device:GPU:0", "/job:worker", "/device:CPU:0"], "/job:worker/device:CPU:0"],
    [["/device:GPU:0", "/job:worker", "/device:CPU:0", "/job:ps"], "/job:ps/device:CPU:0"],
    [["/device:GPU:0", "/job:worker", "/device:CPU:0", "/job:ps", ""], "/job:ps/device:CPU:0"],
    [["/device:GPU:0", "/job:worker", "/device:CPU:0", "/job:ps", new DeviceSpec()], "/job:ps/device:CPU:0"],
    [["/device:GPU:7", "/device:GPU:*"], "/device:GPU:7"],
    [["/device:CPU:*"], "/device:CPU:*"],
    [["/device:CPU:*", "/device:CPU:5"], "/device:CPU:5"],
    [["/job:worker/replica:2/device:CPU:1", null], ""],
    [[() => "/job:worker/replica:2/device:CPU:1", null], ""],
    [[new DeviceSpec({ job: "worker", replica: 2, task: 0, deviceType: "CPU", deviceIndex: 3 })], "/job:worker/replica:2/task:0/device:CPU:3"],
    // A null scope cuts off everything outside it; scopes inside it still apply.
    [["/job:worker", null, "/task:1"], "/task:1"],
    // A short-form string is stored canonical.
    [["/job:ps/task:0/cpu:0"], "/job:ps/task:0/device:CPU:0"],
  ];
  it.each(rows)("%j → %j", (scopes, device) => {
    expect(deviceUnder(scopes)).toBe(device);
  });

  it("after a null block the outer device applies again", () => {
    const g = new Graph();
    const [inner, after] = g.withDevice("/job:worker/replica:2/device:CPU:1", () => {
      const a = g.withDevice(null, () => g.addOp({ type: "NoOp" }));
      return [a, g.addOp({ type: "NoOp" })];
    });
    expect(inner.device).toBe("");
    expect(after.device).toBe("/job:worker/replica:2/device:CPU:1");
  });

  it("functions run innermost first, each seeing the device set inside it", () => {
    const seen: string[] = [];
    const outer: DeviceFunction = (op) => {
      seen.push(op.device);
      return `${op.device}/task:9`;
    };
    expect(deviceUnder([outer, "/job:ps"])).toBe("/job:ps/task:9");
    expect(seen).toEqual(["/job:ps"]);
  });

  it("a function may return a DeviceSpec, null or undefined", () => {
    expect(deviceUnder([() => new DeviceSpec({ deviceType: "gpu", deviceIndex: 1 })])).toBe("/device:GPU:1");
    expect(deviceUnder([() => null])).toBe("");
    expect(deviceUnder(["/job:ps", () => undefined])).toBe("/job:ps");
    // null from a function only clears the device; unlike a null scope it does not stop the walk.
    expect(deviceUnder(["/job:ps", () => null])).toBe("/job:ps");
    // An outer merge scope still applies to what an inner function returned.
    expect(deviceUnder(["/job:ps", () => "/cpu:0"])).toBe("/job:ps/device:CPU:0");
  });

  it("an outer overwriting function beats inner scopes until a null scope (testOverwritingBehavior)", () => {
    const g = new Graph();
    const overwrite: DeviceFunction = () => "/job:overwrite";
    const [c, d, e] = g.withDevice(overwrite, () =>
      g.withDevice("/job:ps", () => {
        const c = g.withDevice(new DeviceSpec({ job: "ps" }), () => g.addOp({ type: "Const" }));
        const d = g.withDevice(new DeviceSpec({ job: "ps" }), () =>
          g.withDevice(null, () => g.withDevice("/job:ps", () => g.addOp({ type: "Const" }))),
        );
        const e = g.withDevice(null, () => g.addOp({ type: "Const" }));
        return [c, d, e];
      }),
    );
    expect(c.device).toBe("/job:overwrite");
    expect(d.device).toBe("/job:ps");
    expect(e.device).toBe("");
  });

  it("a colocated op takes the other op's device and ignores the scopes", () => {
    const g = new Graph();
    const v = g.withDevice("/job:ps/task:1", () => g.addOp({ type: "VarHandleOp" }));
    const init = g.withDevice("/job:worker", () => g.addOp({ type: "AssignVariableOp", colocateWith: v }));
    expect(init.device).toBe("/job:ps/task:1");
  });

  it("a bad device string throws at once", () => {
    const g = new Graph();
    expect(() => g.withDevice("/job:ps/foo:1", () => g.addOp({ type: "NoOp" }))).toThrow("Unknown attribute: 'foo'");
  });
});
