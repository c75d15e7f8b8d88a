/**
 * The placement of a whole session graph, made when the graph arrives (CreateSession,
 * ExtendSession) as TF 1.15's master does, so a device that does not exist fails the call that
 * brought it rather than the first run. Nodes placed by an earlier version of the graph keep their
 * devices. A node on a task that did not answer device discovery fails only the runs that need it.
 */
import type { OpError } from "../../errors/index.js";
import type { NodeDef } from "../../graph/graph-def.js";
import { placeNodes } from "./placement.js";
import type { PlacementContext } from "./placement.js";

export class SessionPlacement {
  private placed: Map<string, string> = new Map();
  private unplaceable: Map<string, OpError> = new Map();

  constructor(private readonly ctx: PlacementContext) {}

  /** The placement of `graph`, not yet adopted; throws the graph's placement error. */
  prepare(graph: Iterable<NodeDef>): { placed: Map<string, string>; unplaceable: Map<string, OpError> } {
    const unplaceable = new Map<string, OpError>();
    const placed = placeNodes([...graph], this.ctx, this.placed, unplaceable);
    return { placed, unplaceable };
  }

  adopt(prepared: { placed: Map<string, string>; unplaceable: Map<string, OpError> }): void {
    this.placed = prepared.placed;
    this.unplaceable = prepared.unplaceable;
  }

  /** The devices of `nodes` (a pruned step); the stored error of any that could not be placed. */
  devicesOf(nodes: readonly NodeDef[]): Map<string, string> {
    const out = new Map<string, string>();
    for (const n of nodes) {
      const err = this.unplaceable.get(n.name);
      if (err) throw err;
      out.set(n.name, this.placed.get(n.name)!);
    }
    return out;
  }
}
