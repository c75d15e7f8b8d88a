/**
 * Splits a placed graph into one partition per task, with a _Send/_Recv pair on every edge that
 * crosses tasks (deduplicated per tensor and destination task), client-terminated _Recv nodes for
 * feeds and client-terminated _Send nodes for fetches.
 */
import { parseInput } from "../../graph/graph-def.js";
import type { GraphDef, NodeDef } from "../../graph/graph-def.js";
import { taskKey, taskOfDevice } from "../devices.js";
import type { TaskId } from "../devices.js";
import { incarnationAttr } from "../incarnation.js";

export interface Partition {
  task: TaskId;
  graphDef: GraphDef;
  /** Fed tensor names this partition takes. */
  feeds: string[];
  /** Fetched tensor names this partition returns. */
  fetches: string[];
}

function safe(s: string): string {
  return s.replace(/[^A-Za-z0-9_.\-/]/g, "_");
}

function taskTag(t: TaskId): string {
  return `${t.job}_${t.task}`;
}

function commAttrs(tensorName: string, sendDevice: string, recvDevice: string, client: boolean, incarnation: bigint) {
  return {
    tensor_name: { s: tensorName },
    send_device: { s: sendDevice },
    recv_device: { s: recvDevice },
    // The sender's incarnation when the session found it: a step that spans its restart fails Aborted.
    send_device_incarnation: { i: incarnationAttr(incarnation) },
    client_terminated: { b: client },
  };
}

export function partitionGraph(
  nodes: NodeDef[],
  placed: Map<string, string>,
  feeds: Set<string>,
  fetches: string[],
  incarnationOf: (device: string) => bigint = () => 0n,
): Partition[] {
  const parts = new Map<string, Partition>();
  const partOf = (device: string): Partition => {
    const task = taskOfDevice(device);
    const key = taskKey(task);
    let p = parts.get(key);
    if (!p) parts.set(key, (p = { task, graphDef: { node: [] }, feeds: [], fetches: [] }));
    return p;
  };
  const created = new Set<string>();
  const addOnce = (p: Partition, node: NodeDef) => {
    if (created.has(node.name)) return;
    created.add(node.name);
    p.graphDef.node.push(node);
  };

  const feedInput = (tensor: string, dst: Partition, dstDevice: string): string => {
    const name = `_recv_${safe(tensor)}_feed_${taskTag(dst.task)}`;
    if (!created.has(name)) {
      dst.feeds.push(tensor);
      addOnce(dst, { name, op: "_Recv", input: [], device: dstDevice, attr: commAttrs(tensor, dstDevice, dstDevice, true, 0n) });
    }
    return name;
  };

  const crossInput = (src: string, index: number, control: boolean, dst: Partition, dstDevice: string): string => {
    const srcDevice = placed.get(src)!;
    const srcPart = partOf(srcDevice);
    const tensor = control ? `${src}:ctl` : `${src}:${index}`;
    const tag = `${safe(tensor)}_${taskTag(srcPart.task)}_to_${taskTag(dst.task)}`;
    const recvName = `_recv_${tag}`;
    if (!created.has(recvName)) {
      const attrs = commAttrs(tensor, srcDevice, dstDevice, false, incarnationOf(srcDevice));
      addOnce(srcPart, { name: `_send_${tag}`, op: "_Send", input: [control ? `^${src}` : `${src}:${index}`], device: srcDevice, attr: attrs });
      addOnce(dst, { name: recvName, op: "_Recv", input: [], device: dstDevice, attr: attrs });
    }
    return control ? `^${recvName}` : recvName;
  };

  for (const n of nodes) {
    const device = placed.get(n.name)!;
    const p = partOf(device);
    const input = n.input.map((raw) => {
      const inp = parseInput(raw);
      const tensor = `${inp.node}:${inp.index}`;
      if (!inp.control && feeds.has(tensor)) return feedInput(tensor, p, device);
      const srcDevice = placed.get(inp.node)!;
      if (taskKey(taskOfDevice(srcDevice)) === taskKey(p.task)) return raw;
      return crossInput(inp.node, inp.index, inp.control, p, device);
    });
    addOnce(p, { ...n, input, device });
  }

  for (const f of fetches) {
    if (feeds.has(f)) continue;
    const { node, index } = parseInput(f);
    const device = placed.get(node)!;
    const p = partOf(device);
    const name = `_fetch_${safe(f)}`;
    if (!created.has(name)) {
      p.fetches.push(f);
      addOnce(p, { name, op: "_Send", input: [`${node}:${index}`], device, attr: commAttrs(f, device, device, true, 0n) });
    }
  }
  return [...parts.values()];
}

