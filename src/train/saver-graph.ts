/**
 * The ops a Saver adds to its graph. Sharded (one shard per task holding variables): each task's
 * SaveV2 writes its own part under `<prefix>_temp_<id>/part-k-of-N`, so no value crosses the
 * network to be saved, then one MergeV2Checkpoints on the last shard's task moves the parts into
 * `<prefix>.data-k-of-N` and writes `<prefix>.index`. Not sharded: every value goes to the first
 * variable's task, whose SaveV2 writes the one-shard checkpoint directly. Restores run per task
 * (RestoreV2 next to the variables) whatever the saving graph's sharding.
 */
import { makeOp } from "../graph/convert.js";
import { DeviceSpec } from "../graph/device-spec.js";
import type { AttrValue } from "../graph/graph-def.js";
import type { Graph, Operation } from "../graph/graph.js";
import { identity, stack } from "../graph/ops/array.js";
import { placeholderWithDefault } from "../graph/ops/creation.js";
import { mergeV2Checkpoints, restoreV2, saveV2, shardedFilename } from "../graph/ops/training.js";
import type { Tensor } from "../graph/tensor.js";
import type { Variable } from "../graph/variables.js";
import { groupNamed } from "./optimizers/optimizer.js";

export interface SaverGraph {
  /** Fed with the checkpoint prefix. */
  filename: Tensor;
  /** Fed with the sharded save's temporary part prefix (`<prefix>_temp_<id>/part`); unused unsharded. */
  partPrefix: Tensor;
  /** The prefix, available once the checkpoint is complete: fetch it to save. */
  saveTensor: Tensor;
  restoreOp: Operation;
}

interface Shard {
  device: string;
  entries: [string, Variable][];
}

/** The CPU of the task a variable lives on ("" when its device is left to the master). */
function taskCpu(device: string): string {
  if (!device) return "";
  const spec = DeviceSpec.fromString(device);
  spec.deviceType = "CPU";
  spec.deviceIndex = 0;
  return spec.toString();
}

function shardsOf(entries: [string, Variable][], sharded: boolean): Shard[] {
  if (!sharded) return [{ device: taskCpu(entries[0]![1].device), entries }];
  const byTask = new Map<string, [string, Variable][]>();
  for (const e of entries) {
    const device = taskCpu(e[1].device);
    const list = byTask.get(device) ?? [];
    list.push(e);
    byTask.set(device, list);
  }
  // TF sorts the shards by device name.
  return [...byTask].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([device, list]) => ({ device, entries: list }));
}

function onDevice<T>(graph: Graph, device: string, fn: () => T): T {
  return graph.withDevice(null, () => graph.withDevice(device || null, fn));
}

function saveOps(graph: Graph, shards: Shard[], filename: Tensor, partPrefix: Tensor, sharded: boolean): Operation {
  const write = (s: Shard, prefix: Tensor) => saveV2(prefix, s.entries.map(([n]) => n), s.entries.map(([, v]) => v.value()));
  if (!sharded) return onDevice(graph, shards[0]!.device, () => write(shards[0]!, filename));
  const parts: Tensor[] = [];
  const saves = shards.map((s, k) =>
    onDevice(graph, s.device, () => {
      const part = shardedFilename(partPrefix, k, shards.length);
      parts.push(part);
      return write(s, part);
    }),
  );
  const last = shards[shards.length - 1]!.device;
  return onDevice(graph, last, () => graph.withControlDependencies(saves, () => mergeV2Checkpoints(stack(parts), filename)));
}

function restoreOps(graph: Graph, shards: Shard[], filename: Tensor, scope: string): Operation {
  const assigns = shards.flatMap((s) => {
    const values = onDevice(graph, s.device, () => restoreV2(filename, s.entries.map(([n]) => n), s.entries.map(([, v]) => v.dtype)));
    return s.entries.map(([, v], i) => {
      // `_shape` makes the assignment check the restored value against the variable's static shape.
      const attrs: Record<string, AttrValue> = { dtype: { type: v.dtype }, validate_shape: { b: false } };
      if (v.shape !== null && v.shape.every((d) => d !== null)) attrs._shape = { shape: v.shape };
      return makeOp("AssignVariableOp", [v.handle, values[i]!], attrs, [], { name: "Assign", colocateWith: v.op });
    });
  });
  return groupNamed(graph, assigns, `${scope}/restore_all`);
}

export function buildSaverGraph(graph: Graph, entries: [string, Variable][], options: { sharded: boolean; name: string }): SaverGraph {
  return graph.asDefault(() =>
    graph.withControlDependencies(null, () =>
      graph.withNameScope(options.name, (scope) => {
        const filename = placeholderWithDefault("model", [], { name: "filename" });
        const partPrefix = placeholderWithDefault("model_temp/part", [], { name: "part_prefix" });
        const shards = shardsOf(entries, options.sharded);
        const save = saveOps(graph, shards, filename, partPrefix, options.sharded);
        const saveTensor = graph.withControlDependencies([save], () => identity(filename, { name: "control_dependency" }));
        return { filename, partPrefix, saveTensor, restoreOp: restoreOps(graph, shards, filename, scope) };
      }),
    ),
  );
}
