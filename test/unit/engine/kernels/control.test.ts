import { expect, it } from "vitest";
import { Graph } from "../../../../src/graph/graph.js";
import { constant } from "../../../../src/graph/ops/creation.js";
import { group, tuple } from "../../../../src/graph/ops/control.js";
import { add } from "../../../../src/graph/ops/math.js";
import { evaluate, runKernel, runOp, describeOnBackends } from "./harness.js";

describeOnBackends("control kernels", () => {

    it("NoOp has no outputs", async () => {
      expect(await runKernel("NoOp", [])).toEqual([]);
    });

    it("a group runs; tuple passes its values through", async () => {
      const g = new Graph();
      const { grp, outs } = g.asDefault(() => {
        const a = constant(1);
        const b = add(a, 1);
        return { grp: group(a, b), outs: tuple([a, b]) };
      });
      await expect(runOp(grp)).resolves.toBeUndefined();
      expect((await evaluate(outs)).map((v) => v.toArray())).toEqual([1, 2]);
    });
});
