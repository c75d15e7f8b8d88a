/**
 * What TF 1.15's master checks when a graph arrives (CreateSession / ExtendSession), before any
 * run: every op type is registered (NOT_FOUND "Op type not registered"), every input names a node
 * of the session graph (INVALID_ARGUMENT "Unknown input node"), and every node can be placed
 * (session-placement.ts). A bad graph is refused whole; the session graph stays as it was.
 */
import { InvalidArgumentError, NotFoundError } from "../../errors/index.js";
import { parseInput } from "../../graph/graph-def.js";
import type { NodeDef } from "../../graph/graph-def.js";
import { getKernel } from "../kernels/registry.js";

/** Checks `nodes` (new to the session) against the registry and the graph they extend. */
export function validateNodes(nodes: readonly NodeDef[], inGraph: (name: string) => boolean, taskName: string): void {
  for (const n of nodes) {
    if (!getKernel(n.op)) {
      throw new NotFoundError(
        `Op type not registered '${n.op}' in binary running on ${taskName}. Make sure the Op and Kernel are registered in the binary running in this process.`,
        { nodeName: n.name },
      );
    }
    for (const raw of n.input) {
      const inp = parseInput(raw);
      if (!inGraph(inp.node)) throw new InvalidArgumentError(`Node '${n.name}': Unknown input node '${raw}'`, { nodeName: n.name });
    }
  }
}
