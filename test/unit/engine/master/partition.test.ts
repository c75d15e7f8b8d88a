import { describe, expect, it } from "vitest";
import type { NodeDef } from "../../../../src/graph/graph-def.js";
import { partitionGraph } from "../../../../src/engine/master/partition.js";
import { prune } from "../../../../src/engine/master/prune.js";

function node(name: string, op: string, input: string[] = []): NodeDef {
  return { name, op, device: "", input, attr: {} };
}

const PS = "/job:ps/replica:0/task:0/device:CPU:0";
const W0 = "/job:worker/replica:0/task:0/device:CPU:0";

describe("prune", () => {
  it("keeps what fetches and targets need and stops at fed tensors", () => {
    const graph = new Map(
      [node("a", "Const"), node("b", "Const"), node("c", "AddV2", ["a", "b"]), node("d", "Neg", ["c"]), node("unused", "Const"), node("t", "NoOp", ["^a"])].map((n) => [n.name, n]),
    );
    expect(prune(graph, new Set(), ["d:0"], []).map((n) => n.name)).toEqual(["a", "b", "c", "d"]);
    expect(prune(graph, new Set(["c:0"]), ["d:0"], []).map((n) => n.name)).toEqual(["d"]);
    expect(prune(graph, new Set(), [], ["t"]).map((n) => n.name)).toEqual(["a", "t"]);
    expect(() => prune(graph, new Set(), ["zz:0"], [])).toThrow(/zz/);
  });
});

describe("partitionGraph", () => {
  it("inserts one _Send/_Recv pair per tensor and destination task, and client-terminated feeds and fetches", () => {
    const nodes = [node("a", "Const"), node("p", "Placeholder"), node("b", "AddV2", ["a", "p"]), node("c", "Mul", ["a", "a"]), node("z", "NoOp", ["^a"])];
    const placed = new Map([
      ["a", PS],
      ["p", W0],
      ["b", W0],
      ["c", W0],
      ["z", W0],
    ]);
    const parts = partitionGraph(nodes, placed, new Set(["p:0"]), ["b:0", "c:0"]);
    const ps = parts.find((p) => p.task.job === "ps")!;
    const w = parts.find((p) => p.task.job === "worker")!;
    const sends = ps.graphDef.node.filter((n) => n.op === "_Send");
    expect(sends.map((n) => n.input)).toEqual([["a:0"], ["^a"]]);
    const recvs = w.graphDef.node.filter((n) => n.op === "_Recv" && !(n.attr.client_terminated as { b: boolean }).b);
    expect(recvs).toHaveLength(2);
    const c = w.graphDef.node.find((n) => n.name === "c")!;
    expect(c.input[0]).toBe(c.input[1]);
    expect(w.feeds).toEqual(["p:0"]);
    expect(w.fetches).toEqual(["b:0", "c:0"]);
    expect(w.graphDef.node.find((n) => n.name === "z")!.input[0]).toMatch(/^\^_recv_/);
  });
});
