/**
 * Places every node on a device of the cluster (DESIGN.md "Placement rules"): explicit device,
 * defaults from the master's task, resource ops without a device on the resource home, ops taking a
 * resource handle on the resource's device, soft placement, and errors naming what exists.
 */
import { InvalidArgumentError, UnavailableError } from "../../errors/index.js";
import { parseInput } from "../../graph/graph-def.js";
import type { NodeDef } from "../../graph/graph-def.js";
import type { DeviceAttributes } from "../../transport/messages.js";
import { fullDeviceName, parseDevice } from "../devices.js";
import type { TaskId } from "../devices.js";
import { getKernel } from "../kernels/registry.js";

/** Op types whose output is a resource handle (variables, queues, readers). */
export function isResourceOp(type: string): boolean {
  return type === "VarHandleOp" || /QueueV2$/.test(type) || /ReaderV2$/.test(type);
}

export interface PlacementContext {
  devices: DeviceAttributes[];
  masterTask: TaskId;
  resourceHome: TaskId;
  allowSoftPlacement: boolean;
  /** Tasks that did not answer device discovery, with the reason. */
  unreachable: Map<string, string>;
  /** The lowest task index of each job in the cluster definition (answering or not). */
  firstTask?: Map<string, number>;
}

function taskIndices(ctx: PlacementContext, job: string): number[] {
  const set = new Set<number>();
  for (const d of ctx.devices) {
    const s = parseDevice(d.name);
    if (s.job === job && s.task !== null) set.add(s.task);
  }
  return [...set].sort((a, b) => a - b);
}

function hasDevice(ctx: PlacementContext, name: string): boolean {
  return ctx.devices.some((d) => d.name === name);
}

function defaultDevice(ctx: PlacementContext, job: string, task: number, opType: string): string {
  const gpu = fullDeviceName(job, task, "GPU", 0);
  const kernel = getKernel(opType);
  if (hasDevice(ctx, gpu) && (!kernel || kernel.deviceTypes.includes("GPU"))) return gpu;
  return fullDeviceName(job, task, "CPU", 0);
}

/** Completes a requested device to a full device name (which may not exist). */
function complete(ctx: PlacementContext, requested: string, node: NodeDef): string {
  const spec = parseDevice(requested);
  if (spec.job === null && spec.task === null) {
    spec.job = ctx.masterTask.job;
    spec.task = ctx.masterTask.task;
  }
  if (spec.job === null) spec.job = ctx.masterTask.job;
  // "A job but no task" is that job's first task of the cluster (task 0), even when it did not
  // answer discovery: then the step fails naming it, instead of landing on another task.
  if (spec.task === null) spec.task = ctx.firstTask?.get(spec.job) ?? taskIndices(ctx, spec.job)[0] ?? 0;
  if (spec.deviceType === null) return defaultDevice(ctx, spec.job, spec.task, node.op);
  const type = spec.deviceType.toUpperCase();
  return fullDeviceName(spec.job, spec.task, type, spec.deviceIndex ?? 0);
}

function place(ctx: PlacementContext, node: NodeDef, requested: string): string {
  const full = complete(ctx, requested, node);
  if (hasDevice(ctx, full)) return full;
  const spec = parseDevice(full);
  const taskName = `/job:${spec.job}/replica:0/task:${spec.task}`;
  const why = ctx.unreachable.get(taskName);
  if (why !== undefined && !ctx.allowSoftPlacement) {
    throw new UnavailableError(`Cannot place operation '${node.name}' on ${full}: task ${taskName} is unreachable (${why})`, { nodeName: node.name });
  }
  if (ctx.allowSoftPlacement) {
    const sameTask = fullDeviceName(spec.job!, spec.task!, "CPU", 0);
    if (hasDevice(ctx, sameTask)) return sameTask;
    return defaultDevice(ctx, ctx.masterTask.job, ctx.masterTask.task, node.op);
  }
  throw new InvalidArgumentError(
    `Cannot assign a device for operation '${node.name}': Operation was explicitly assigned to ${requested || full} ` +
      `but available devices are [ ${ctx.devices.map((d) => d.name).join(", ")} ]. Make sure the device specification refers to a valid device.`,
    { nodeName: node.name },
  );
}

/** Assigns a full device name to each node. `nodes` must be in graph (topological) order. */
export function placeNodes(nodes: NodeDef[], ctx: PlacementContext): Map<string, string> {
  const placed = new Map<string, string>();
  const byName = new Map(nodes.map((n) => [n.name, n]));
  for (const node of nodes) {
    const resourceInput = node.input
      .map(parseInput)
      .find((i) => !i.control && isResourceOp(byName.get(i.node)?.op ?? ""));
    let device: string;
    if (resourceInput && placed.has(resourceInput.node)) {
      device = placed.get(resourceInput.node)!;
    } else if (isResourceOp(node.op) && node.device === "") {
      device = place(ctx, node, `/job:${ctx.resourceHome.job}/task:${ctx.resourceHome.task}/device:CPU:0`);
    } else {
      device = place(ctx, node, node.device);
    }
    placed.set(node.name, device);
  }
  return placed;
}
