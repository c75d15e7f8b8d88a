/** Prunes a session graph to what the fetches and targets need, stopping at fed tensors. */
import { InvalidArgumentError, NotFoundError } from "../../errors/index.js";
import { parseInput } from "../../graph/graph-def.js";
import type { NodeDef } from "../../graph/graph-def.js";

export function canonicalTensorName(name: string): string {
  const p = parseInput(name);
  return `${p.node}:${p.index}`;
}

/** Nodes needed for `fetches` (tensor names) and `targets` (node names), in graph order. */
export function prune(graph: Map<string, NodeDef>, feeds: Set<string>, fetches: string[], targets: string[]): NodeDef[] {
  const needed = new Set<string>();
  const stack: string[] = [];
  const want = (node: string, what: string) => {
    if (!graph.has(node)) throw new NotFoundError(`${what} '${node}' is not in the graph.`);
    if (!needed.has(node)) {
      needed.add(node);
      stack.push(node);
    }
  };
  for (const f of fetches) {
    if (feeds.has(f)) continue;
    want(parseInput(f).node, "Fetch");
  }
  for (const t of targets) want(t, "Target");
  while (stack.length > 0) {
    const n = graph.get(stack.pop()!)!;
    for (const raw of n.input) {
      const inp = parseInput(raw);
      if (!inp.control && feeds.has(`${inp.node}:${inp.index}`)) continue;
      if (!graph.has(inp.node)) throw new InvalidArgumentError(`Node '${n.name}' has an input from '${inp.node}', which is not in the graph`);
      if (!needed.has(inp.node)) {
        needed.add(inp.node);
        stack.push(inp.node);
      }
    }
  }
  const out: NodeDef[] = [];
  for (const n of graph.values()) if (needed.has(n.name)) out.push(n);
  return out;
}
