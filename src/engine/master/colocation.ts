/**
 * Colocation groups: nodes that must run on one device, found as TF's placer finds them. A node
 * joins every node its `_class` attr names (`loc:@x`, what TF's colocate_with writes), the
 * producer of every resource handle it takes (the resource is only on that device) and of every
 * `Ref(T)` input (a ref variable is only read and updated where it lives).
 * Groups are connected components (union-find), so constraints chain: a node colocated with an
 * Assign is colocated with its variable.
 */
import { parseInput } from "../../graph/graph-def.js";
import type { NodeDef } from "../../graph/graph-def.js";
import { getKernel } from "../kernels/registry.js";

/** Op types whose output is a resource handle (variables, queues, readers). */
export function isResourceOp(type: string): boolean {
  return type === "VarHandleOp" || /QueueV2$/.test(type) || /ReaderV2$/.test(type);
}

/** TF 1.x reference variables: stateful like resource ops, their output a `Ref(T)`. */
export function isRefVariableOp(type: string): boolean {
  return type === "VariableV2" || type === "Variable";
}

/** An op that owns state: with no device it goes to the cluster's resource home. */
export function isStatefulResourceOp(type: string): boolean {
  return isResourceOp(type) || isRefVariableOp(type);
}

/** The node names of a NodeDef's `_class: ["loc:@x", ...]` attr. */
export function colocationTargets(node: NodeDef): string[] {
  const attr = node.attr._class;
  if (!attr || !("list" in attr)) return [];
  return (attr.list.s ?? []).filter((s) => s.startsWith("loc:@")).map((s) => s.slice("loc:@".length));
}

export class ColocationGroups {
  private readonly parent = new Map<string, string>();

  constructor(nodes: Iterable<NodeDef>, lookup: (name: string) => NodeDef | undefined) {
    for (const node of nodes) {
      this.find(node.name);
      const refInputs = getKernel(node.op)?.refInputs ?? [];
      let dataIndex = 0;
      let joinedResource = false;
      for (const raw of node.input) {
        const inp = parseInput(raw);
        if (inp.control) continue;
        const producer = lookup(inp.node);
        // Only the first resource input pulls the op: a second one on another device (a reader's
        // queue) is the kernel's to refuse with a clear error, not the placer's to move.
        const resource = producer !== undefined && isResourceOp(producer.op) && !joinedResource;
        if (resource) joinedResource = true;
        if (producer && (resource || refInputs.includes(dataIndex))) this.union(node.name, inp.node);
        dataIndex++;
      }
      for (const target of colocationTargets(node)) if (lookup(target)) this.union(node.name, target);
    }
  }

  /** Joins the groups of `a` and `b`. */
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }

  /** The representative of `name`'s group. */
  find(name: string): string {
    let root = name;
    for (let p = this.parent.get(root); p !== undefined && p !== root; p = this.parent.get(root)) root = p;
    if (!this.parent.has(name)) this.parent.set(name, name);
    // Path compression keeps later finds short (bounded by the graph size in any case).
    let cur = name;
    while (cur !== root) {
      const next = this.parent.get(cur)!;
      this.parent.set(cur, root);
      cur = next;
    }
    return root;
  }

  /** Members of each group, by representative, in the order given. */
  members(nodes: Iterable<NodeDef>): Map<string, NodeDef[]> {
    const out = new Map<string, NodeDef[]>();
    for (const n of nodes) {
      const r = this.find(n.name);
      let list = out.get(r);
      if (!list) out.set(r, (list = []));
      list.push(n);
    }
    return out;
  }
}
