/**
 * tf.train.Saver: checkpoints of variables in the safetensors format, written and read by
 * SaveV2 / RestoreV2 ops that run on the variables' own tasks.
 *
 * Layout (sharded, the default): one SaveV2 per task holding variables, each writing the values
 * of its task's variables to one file — `path` itself when every variable lives on one task, else
 * `path-00000-of-0000N` ... (TF's ShardedFilename names), so no value crosses the network to be
 * saved. Restoring reads whichever files of `path` hold each name, so a checkpoint restores into
 * a graph with another sharding, and into a fresh cluster. `{sharded: false}` gathers every value
 * to the first variable's task and writes the single file `path`. Paths are the tasks' paths (as
 * in TF, a sharded checkpoint of a multi-machine cluster needs a shared file system).
 * @example const saver = new tf.train.Saver(); await saver.save(sess, "/tmp/model"); await saver.restore(sess2, "/tmp/model");
 */
import type { Session } from "../client/session.js";
import { makeOp } from "../graph/convert.js";
import { DeviceSpec } from "../graph/device-spec.js";
import type { Graph, Operation } from "../graph/graph.js";
import { getDefaultGraph } from "../graph/graph.js";
import { identity } from "../graph/ops/array.js";
import { placeholderWithDefault } from "../graph/ops/creation.js";
import { restoreV2, saveV2, shardedFilename } from "../graph/ops/training.js";
import type { Tensor } from "../graph/tensor.js";
import { globalVariables } from "../graph/variables.js";
import type { Variable } from "../graph/variables.js";
import { groupNamed } from "./optimizers/optimizer.js";

export interface SaverOptions {
  /** One file per task (default), or every value gathered into one file. */
  sharded?: boolean;
  /** Name scope of the save and restore ops ("save"). */
  name?: string;
}

export interface SaveOptions {
  /** Appended to the path as "-<step>" (a number, or the value of a global step variable). */
  globalStep?: number | bigint | Variable;
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
    byTask.set(device, [...(byTask.get(device) ?? []), e]);
  }
  return [...byTask].map(([device, list]) => ({ device, entries: list }));
}

export class Saver {
  readonly graph: Graph;
  /** Fed with the checkpoint path ("model" by default). */
  readonly filenameTensor: Tensor;
  /** The path, available once every shard is written: fetch it to save. */
  readonly saveTensor: Tensor;
  /** Runs every restore assignment. */
  readonly restoreOp: Operation;
  private readonly entries: [string, Variable][];

  constructor(varList?: Variable[] | Record<string, Variable>, options: SaverOptions = {}) {
    const entries: [string, Variable][] = varList === undefined ? globalVariables().map((v) => [v.op.name, v]) : Array.isArray(varList) ? varList.map((v) => [v.op.name, v]) : Object.entries(varList);
    if (entries.length === 0) throw new Error("No variables to save");
    const seen = new Set<string>();
    for (const [name] of entries) {
      if (seen.has(name)) throw new Error(`At least two variables have the same name: ${name}`);
      seen.add(name);
    }
    this.entries = entries;
    this.graph = entries[0]![1].graph ?? getDefaultGraph();
    const graph = this.graph;
    const built = graph.asDefault(() =>
      graph.withControlDependencies(null, () =>
        graph.withNameScope(options.name ?? "save", (scope) => {
          const filename = placeholderWithDefault("model", [], { name: "filename" });
          const shards = shardsOf(entries, options.sharded ?? true);
          const saves = shards.map((s, k) =>
            graph.withDevice(null, () =>
              graph.withDevice(s.device || null, () => {
                const prefix = shards.length === 1 ? filename : shardedFilename(filename, k, shards.length);
                return saveV2(prefix, s.entries.map(([n]) => n), s.entries.map(([, v]) => v.value()));
              }),
            ),
          );
          const saveTensor = graph.withControlDependencies(saves, () => identity(filename, { name: "control_dependency" }));
          const assigns = shards.flatMap((s) => {
            const values = graph.withDevice(null, () =>
              graph.withDevice(s.device || null, () => restoreV2(filename, s.entries.map(([n]) => n), s.entries.map(([, v]) => v.dtype))),
            );
            return s.entries.map(([, v], i) => makeOp("AssignVariableOp", [v.handle, values[i]!], { dtype: { type: v.dtype }, validate_shape: { b: false } }, [], { name: "Assign", colocateWith: v.op }));
          });
          return { filename, saveTensor, restoreOp: groupNamed(graph, assigns, `${scope}/restore_all`) };
        }),
      ),
    );
    this.filenameTensor = built.filename;
    this.saveTensor = built.saveTensor;
    this.restoreOp = built.restoreOp;
  }

  /** The checkpoint names and variables this saver covers. */
  get variables(): [string, Variable][] {
    return [...this.entries];
  }

  /**
   * Writes the variables' current values to `savePath` and returns the path written
   * (with "-<step>" appended when `globalStep` is given).
   */
  async save(sess: Session, savePath: string, options: SaveOptions = {}): Promise<string> {
    let path = savePath;
    const step = options.globalStep;
    if (step !== undefined) {
      const value = typeof step === "number" || typeof step === "bigint" ? step : (await sess.run(step.value())).item();
      path = `${savePath}-${String(value)}`;
    }
    await sess.run(this.saveTensor, { feedDict: [[this.filenameTensor, path]] });
    return path;
  }

  /** Assigns every variable its value in the checkpoint at `savePath`. */
  async restore(sess: Session, savePath: string): Promise<void> {
    await sess.run(this.restoreOp, { feedDict: [[this.filenameTensor, savePath]] });
  }
}
