import { describe, expect, it } from "vitest";
import { Graph } from "../../../../src/graph/graph.js";
import { constant } from "../../../../src/graph/ops/creation.js";
import { group, noOp, tuple } from "../../../../src/graph/ops/control.js";
import { add } from "../../../../src/graph/ops/math.js";

const inGraph = <T>(fn: (g: Graph) => T): T => {
  const g = new Graph();
  return g.asDefault(() => fn(g));
};

describe("noOp and group", () => {
  it("noOp is a NoOp without inputs or outputs", () => {
    inGraph(() => {
      const op = noOp({ name: "done" });
      expect([op.type, op.name, op.outputs.length, op.inputs.length]).toEqual(["NoOp", "done", 0, 0]);
    });
  });

  it("group is one NoOp with a control input per op, in GraphDef as ^name", () => {
    inGraph((g) => {
      const a = constant(1, { name: "a" });
      const b = add(a, 2, { name: "b" });
      const grp = group(a, [b, b.op], { name: "train" });
      expect(grp.type).toBe("NoOp");
      expect(grp.name).toBe("train");
      expect(grp.controlInputs.map((o) => o.name)).toEqual(["a", "b"]);
      expect(g.toGraphDef().node.find((n) => n.name === "train")!.input).toEqual(["^a", "^b"]);
      expect(group().controlInputs).toEqual([]);
      expect(group(a).name).toBe("group_deps_1");
    });
  });

  it("groups per device first when inputs span devices, each NoOp on its device", () => {
    inGraph((g) => {
      const a = g.withDevice("/job:ps/task:0", () => constant(1, { name: "a" }));
      const b = g.withDevice("/job:worker/task:0", () => constant(2, { name: "b" }));
      const grp = group(a, b);
      expect(grp.controlInputs).toHaveLength(2);
      expect(grp.controlInputs.map((o) => o.device)).toEqual([a.device, b.device]);
      expect(grp.controlInputs[0]!.controlInputs).toEqual([a.op]);
      const single = group(a, { name: "ps_only" });
      expect(single.device).toBe(a.device);
    });
  });
});

describe("tuple", () => {
  it("gives Identity outputs gated on a group of every input", () => {
    inGraph((g) => {
      const a = constant(1, { name: "a" });
      const b = constant(2, { name: "b" });
      const [a2, b2] = tuple([a, b]);
      expect(a2!.op.type).toBe("Identity");
      expect(a2!.op.name).toBe("tuple/control_dependency");
      expect(b2!.op.name).toBe("tuple/control_dependency_1");
      const gate = g.getOperationByName("tuple/group_deps");
      expect(gate.controlInputs.map((o) => o.name)).toEqual(["a", "b"]);
      expect(a2!.op.controlInputs).toEqual([gate]);
      expect([a2!.dtype, a2!.shape]).toEqual(["float32", []]);
    });
  });
});
