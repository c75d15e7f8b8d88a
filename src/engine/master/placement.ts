/**
 * Places every node on a device of the cluster (DESIGN.md "Placement rules"): explicit device,
 * defaults from the master's task, resource ops without a device on the resource home, ops taking a
 * resource handle or a ref on the resource's device (colocation.ts), soft placement, and errors
 * naming what exists.
 */
import { InvalidArgumentError, UnavailableError } from "../../errors/index.js";
import type { OpError } from "../../errors/index.js";
import type { NodeDef } from "../../graph/graph-def.js";
import type { DeviceAttributes } from "../../transport/messages.js";
import { fullDeviceName, parseDevice } from "../devices.js";
import type { TaskId } from "../devices.js";
import { getKernel } from "../kernels/registry.js";
import { ColocationGroups, isStatefulResourceOp } from "./colocation.js";

export { isResourceOp } from "./colocation.js";

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

/**
 * The device of one colocation group: that of its resource op (the resource home when the op names
 * no device), else of its first member that names a device, else the master's default.
 */
function placeGroup(ctx: PlacementContext, members: NodeDef[]): string {
  const anchor = members.find((m) => isStatefulResourceOp(m.op)) ?? members.find((m) => m.device !== "") ?? members[0]!;
  if (isStatefulResourceOp(anchor.op) && anchor.device === "") {
    return place(ctx, anchor, `/job:${ctx.resourceHome.job}/task:${ctx.resourceHome.task}/device:CPU:0`);
  }
  return place(ctx, anchor, anchor.device);
}

/**
 * Assigns a full device name to each node, one device per colocation group. A group with a node
 * in `prior` (placed when the session graph was smaller) keeps that node's device.
 */
export function placeNodes(
  nodes: NodeDef[],
  ctx: PlacementContext,
  prior: ReadonlyMap<string, string> = new Map(),
  /** When given, a group whose task is unreachable is recorded here per node instead of failing all. */
  unplaceable?: Map<string, OpError>,
): Map<string, string> {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const groups = new ColocationGroups(nodes, (name) => byName.get(name));
  const placed = new Map<string, string>();
  for (const members of groups.members(nodes).values()) {
    const kept = members.map((m) => prior.get(m.name)).find((d) => d !== undefined);
    let device: string;
    try {
      device = kept ?? placeGroup(ctx, members);
    } catch (err) {
      if (!(unplaceable && err instanceof UnavailableError)) throw err;
      for (const m of members) unplaceable.set(m.name, err);
      continue;
    }
    for (const m of members) placed.set(m.name, device);
  }
  return placed;
}
