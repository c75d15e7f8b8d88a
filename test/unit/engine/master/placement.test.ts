import { describe, expect, it } from "vitest";
import { InvalidArgumentError, UnavailableError } from "../../../../src/errors/index.js";
import type { NodeDef } from "../../../../src/graph/graph-def.js";
import { localDevices } from "../../../../src/engine/devices.js";
import "../../../../src/engine/kernels/all.js";
import { placeNodes } from "../../../../src/engine/master/placement.js";
import type { PlacementContext } from "../../../../src/engine/master/placement.js";

function node(name: string, op: string, device = "", input: string[] = []): NodeDef {
  return { name, op, device, input, attr: {} };
}

function ctx(overrides: Partial<PlacementContext> = {}): PlacementContext {
  return {
    devices: [...localDevices("ps", 0), ...localDevices("worker", 0, 2), ...localDevices("worker", 1, 1)],
    masterTask: { job: "worker", task: 1 },
    resourceHome: { job: "ps", task: 0 },
    allowSoftPlacement: false,
    unreachable: new Map(),
    ...overrides,
  };
}

describe("placeNodes", () => {
  it("completes partial devices: nothing → master's default device, job only → task 0, type without index → 0", () => {
    const placed = placeNodes(
      [node("a", "Const"), node("b", "Const", "/job:worker"), node("c", "Const", "/job:worker/task:0/device:GPU:*"), node("d", "Const", "/cpu:0")],
      ctx(),
    );
    expect(placed.get("a")).toBe("/job:worker/replica:0/task:1/device:GPU:0");
    expect(placed.get("b")).toBe("/job:worker/replica:0/task:0/device:GPU:0");
    expect(placed.get("c")).toBe("/job:worker/replica:0/task:0/device:GPU:0");
    expect(placed.get("d")).toBe("/job:worker/replica:0/task:1/device:CPU:0");
  });

  it("puts resource ops with no device on the resource home, and their consumers with them", () => {
    const placed = placeNodes(
      [node("v", "VarHandleOp"), node("init", "Const"), node("assign", "AssignVariableOp", "/job:worker/task:0", ["v", "init"]), node("q", "FIFOQueueV2", "/job:worker/task:0")],
      ctx(),
    );
    expect(placed.get("v")).toBe("/job:ps/replica:0/task:0/device:CPU:0");
    expect(placed.get("assign")).toBe("/job:ps/replica:0/task:0/device:CPU:0");
    expect(placed.get("q")).toBe("/job:worker/replica:0/task:0/device:GPU:0");
  });

  it("keeps _class colocation groups and ref consumers on one device, the resource op's", () => {
    const colocated = (n: NodeDef, target: string): NodeDef => ({ ...n, attr: { _class: { list: { s: [`loc:@${target}`] } } } });
    const placed = placeNodes(
      [
        colocated(node("read", "Identity", "/job:worker/task:0", ["w"]), "w"),
        node("w", "VariableV2"),
        node("step", "ApplyGradientDescent", "/job:worker/task:1", ["w", "lr", "g"]),
        node("lr", "Const"),
        node("g", "Const", "/job:worker/task:0"),
        colocated(node("c", "Const"), "g"),
      ],
      ctx(),
    );
    expect(placed.get("w")).toBe("/job:ps/replica:0/task:0/device:CPU:0");
    expect(placed.get("read")).toBe("/job:ps/replica:0/task:0/device:CPU:0");
    expect(placed.get("step")).toBe("/job:ps/replica:0/task:0/device:CPU:0");
    expect(placed.get("c")).toBe("/job:worker/replica:0/task:0/device:GPU:0");
    expect(placed.get("lr")).toBe("/job:worker/replica:0/task:1/device:GPU:0");
  });

  it("names the op, the requested device and the existing devices when a device does not exist", () => {
    let err: unknown;
    try {
      placeNodes([node("x", "Const", "/job:ps/task:0/device:GPU:0")], ctx());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(String((err as Error).message)).toMatch(/'x'.*\/job:ps\/task:0\/device:GPU:0.*\/job:worker\/replica:0\/task:1\/device:GPU:0/);
  });

  it("soft placement falls back to the task's CPU, then to the master's default device", () => {
    const placed = placeNodes([node("x", "Const", "/job:ps/task:0/gpu:3"), node("y", "Const", "/job:nowhere/task:4")], ctx({ allowSoftPlacement: true }));
    expect(placed.get("x")).toBe("/job:ps/replica:0/task:0/device:CPU:0");
    expect(placed.get("y")).toBe("/job:worker/replica:0/task:1/device:GPU:0");
  });

  it("an op on an unreachable task fails with UnavailableError naming the task", () => {
    const unreachable = new Map([["/job:ps/replica:0/task:1", "connection refused"]]);
    expect(() => placeNodes([node("x", "Const", "/job:ps/task:1")], ctx({ unreachable }))).toThrow(UnavailableError);
  });
});
