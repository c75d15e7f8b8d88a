/**
 * tf.train.Saver: checkpoints of variables, written by SaveV2 ops on the variables' own tasks in
 * TF's V2 layout (`<prefix>.index` + `<prefix>.data-k-of-N`) holding safetensors files
 * (saver-graph.ts, engine/kernels/checkpoint-bundle.ts). Each save with `writeState` records the
 * path in the directory's `checkpoint` state file and deletes checkpoints beyond `maxToKeep`,
 * keeping one for good every `keepCheckpointEveryNHours`. Paths are the tasks' paths: as in TF,
 * a sharded checkpoint of a multi-machine cluster needs a shared file system.
 * @example
 * const saver = new tf.train.Saver({maxToKeep: 3});
 * const path = await saver.save(sess, "/train/model.ckpt", {globalStep: 1000}); // "/train/model.ckpt-1000"
 * await saver.restore(sess2, await tf.train.latestCheckpoint("/train"));
 */
import { readdir, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Session } from "../client/session.js";
import { InvalidArgumentError, NotFoundError, OpError } from "../errors/index.js";
import type { Graph, Operation } from "../graph/graph.js";
import { getDefaultGraph } from "../graph/graph.js";
import type { Tensor } from "../graph/tensor.js";
import { globalVariables, Variable } from "../graph/variables.js";
import { makeEnv, systemClock } from "../util/env.js";
import type { Clock, Random } from "../util/env.js";
import { tracer } from "../util/logger.js";
import { checkpointExists, updateCheckpointState } from "./checkpoint-state.js";
import { buildSaverGraph } from "./saver-graph.js";

/** INFO-level messages of TF (hidden by default there too): TFCLUSTER_TRACE=train shows them. */
const trace = tracer("train");

export type VarList = Variable[] | Record<string, Variable>;

export interface SaverOptions {
  /** The variables to save (all global variables by default), or a map checkpoint key → variable. */
  varList?: VarList;
  /** One shard per task holding variables, written by that task (TF's default: false). */
  sharded?: boolean;
  /** How many recent checkpoints to keep (5); 0 or null keeps (and deletes) nothing. */
  maxToKeep?: number | null;
  /** Additionally keep one checkpoint for good every this many hours (10000). */
  keepCheckpointEveryNHours?: number;
  /** Name scope of the save and restore ops ("save"). */
  name?: string;
  /** A saver of no variables: save writes nothing and restore does nothing. */
  allowEmpty?: boolean;
  /** Store the state file's paths relative to its directory. */
  saveRelativePaths?: boolean;
  /** "%s-%08d" instead of "%s-%d". */
  padStepNumber?: boolean;
  /** Checkpoint timestamps (seconds since the epoch) come from this clock; the system clock by default. */
  clock?: Clock;
  /** Names the temporary directories of sharded saves. */
  random?: Random;
}

export interface SaveOptions {
  /** Appended to the path as "-<step>" (a number, or the value of a global step variable or tensor). */
  globalStep?: number | bigint | Variable | Tensor;
  /** The state file's name ("checkpoint"). */
  latestFilename?: string;
  /** Update the state file and delete old checkpoints (true). */
  writeState?: boolean;
}

const SAVER_OPTION_KEYS = new Set(["varList", "sharded", "maxToKeep", "keepCheckpointEveryNHours", "name", "allowEmpty", "saveRelativePaths", "padStepNumber", "clock", "random"]);

function isOptions(x: unknown): x is SaverOptions {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return false;
  const values = Object.entries(x);
  return values.length === 0 || values.some(([k, v]) => SAVER_OPTION_KEYS.has(k) && !(v instanceof Variable));
}

function entriesOf(varList: VarList | undefined): [string, Variable][] {
  if (varList === undefined) return globalVariables().map((v) => [v.op.name, v]);
  return Array.isArray(varList) ? varList.map((v) => [v.op.name, v]) : Object.entries(varList);
}

const RESTORE_HINT = {
  notFound: "a Variable name or other graph key that is missing",
  mismatch: "a mismatch between the current graph and the graph",
};

/** TF's _wrap_restore_error_with_msg: the same error class, with the likely cause first. */
function wrapRestoreError(err: OpError, verbiage: string): OpError {
  const message = `Restoring from checkpoint failed. This is most likely due to ${verbiage} from the checkpoint. Please ensure that you have not altered the graph expected based on the checkpoint. Original error:\n\n${err.message}`;
  const Cls = err.constructor as new (message: string, options: { nodeName?: string }) => OpError;
  return new Cls(message, err.nodeName ? { nodeName: err.nodeName } : {});
}

export class Saver {
  readonly graph: Graph;
  readonly filenameTensor: Tensor | null = null;
  readonly saveTensor: Tensor | null = null;
  readonly restoreOp: Operation | null = null;
  readonly maxToKeep: number;
  readonly keepCheckpointEveryNHours: number;
  private readonly partPrefix: Tensor | null = null;
  private readonly entries: [string, Variable][];
  private readonly options: SaverOptions;
  private readonly clock: Clock;
  private readonly random: Random;
  /** Recent checkpoints, oldest first, with their save times (seconds). */
  private last: [string, number][] = [];
  private nextKeepTimeSecs: number;

  /** `new Saver({varList, maxToKeep, ...})`; the older `new Saver(varList, options)` form is accepted too. */
  constructor(arg?: VarList | SaverOptions, more: SaverOptions = {}) {
    const options: SaverOptions = isOptions(arg) ? { ...arg, ...more } : { ...more, ...(arg !== undefined ? { varList: arg } : {}) };
    this.options = options;
    this.entries = entriesOf(options.varList);
    if (this.entries.length === 0 && !options.allowEmpty) throw new Error("No variables to save");
    const seen = new Set<string>();
    for (const [name] of this.entries) {
      if (seen.has(name)) throw new Error(`At least two variables have the same name: ${name}`);
      seen.add(name);
    }
    this.maxToKeep = options.maxToKeep ?? (options.maxToKeep === null ? 0 : 5);
    this.keepCheckpointEveryNHours = options.keepCheckpointEveryNHours ?? 10000;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? makeEnv().random;
    this.nextKeepTimeSecs = this.nowSecs() + this.keepCheckpointEveryNHours * 3600;
    this.graph = this.entries[0]?.[1].graph ?? getDefaultGraph();
    if (this.entries.length === 0) return;
    const built = buildSaverGraph(this.graph, this.entries, { sharded: options.sharded ?? false, name: options.name ?? "save" });
    this.filenameTensor = built.filename;
    this.partPrefix = built.partPrefix;
    this.saveTensor = built.saveTensor;
    this.restoreOp = built.restoreOp;
  }

  private nowSecs(): number {
    return this.clock.nowMicros() / 1e6;
  }

  /** The checkpoint names and variables this saver covers. */
  get variables(): [string, Variable][] {
    return [...this.entries];
  }

  /** The checkpoints this saver still tracks (and may delete), oldest first. */
  get lastCheckpoints(): string[] {
    return this.last.map(([p]) => p);
  }

  /**
   * Writes the variables' current values and returns the checkpoint prefix (with "-<step>"
   * appended when `globalStep` is given); updates the state file and deletes old checkpoints.
   */
  async save(sess: Session, savePath: string, options: SaveOptions = {}): Promise<string> {
    const latestFilename = options.latestFilename ?? "checkpoint";
    if (latestFilename.includes("/")) throw new Error("'latest_filename' must not contain path components");
    let path = savePath;
    if (options.globalStep !== undefined) {
      const step = await this.stepValue(sess, options.globalStep);
      path = `${savePath}-${this.options.padStepNumber ? step.padStart(8, "0") : step}`;
    } else if (basename(savePath) === latestFilename && !this.options.sharded) {
      throw new Error(`'latest_filename' collides with 'save_path': '${latestFilename}' and '${savePath}'`);
    }
    // An empty saver (allowEmpty) writes nothing (TF returns None).
    if (!this.saveTensor) return path;
    const part = `${path}_temp_${Array.from({ length: 8 }, () => this.random.int(16).toString(16)).join("")}/part`;
    await sess.run(this.saveTensor, { feedDict: [[this.filenameTensor!, path], [this.partPrefix!, part]] });
    if (options.writeState ?? true) {
      this.recordLastCheckpoint(path);
      await updateCheckpointState(dirname(path), path, this.lastCheckpoints, {
        latestFilename,
        ...(this.options.saveRelativePaths ? { saveRelativePaths: true } : {}),
      });
      await this.maybeDeleteOldCheckpoints();
    }
    return path;
  }

  private async stepValue(sess: Session, step: NonNullable<SaveOptions["globalStep"]>): Promise<string> {
    if (typeof step === "number" || typeof step === "bigint") return String(step);
    const t = step instanceof Variable ? step.value() : step;
    return String((await sess.run(t)).item());
  }

  /**
   * Assigns every variable its value in the checkpoint at `savePath`. TF's errors: a path that is
   * no checkpoint, a key missing from it (NotFoundError), a dtype or shape that does not match
   * (InvalidArgumentError), each explained as TF does.
   */
  async restore(sess: Session, savePath: string | null | undefined): Promise<void> {
    if (!this.restoreOp) return;
    if (savePath === null || savePath === undefined) throw new Error("Can't load save_path when it is None.");
    if (!(await checkpointExists(savePath))) throw new Error(`The passed save_path is not a valid checkpoint: ${savePath}`);
    trace(`Restoring parameters from ${savePath}`);
    try {
      await sess.run(this.restoreOp, { feedDict: [[this.filenameTensor!, savePath]] });
    } catch (err) {
      if (err instanceof NotFoundError) throw wrapRestoreError(err, RESTORE_HINT.notFound);
      if (err instanceof InvalidArgumentError) throw wrapRestoreError(err, RESTORE_HINT.mismatch);
      throw err;
    }
  }

  /** Tracks `paths` (those that still exist, with their files' times), e.g. after a restart. */
  async recoverLastCheckpoints(paths: string[]): Promise<void> {
    const found: [string, number][] = [];
    for (const p of paths) {
      const st = await stat(`${p}.index`).catch(() => null);
      if (st) found.push([p, st.mtimeMs / 1000]);
    }
    this.last = found;
  }

  /** Replaces the tracked list (TF's set_last_checkpoints_with_time). */
  setLastCheckpointsWithTime(list: [string, number][]): void {
    this.last = [...list];
  }

  private pendingDeletion: [string, number] | null = null;

  private recordLastCheckpoint(path: string): void {
    if (this.maxToKeep <= 0) return;
    this.last = this.last.filter(([p]) => p !== path);
    this.last.push([path, this.nowSecs()]);
    if (this.last.length > this.maxToKeep) this.pendingDeletion = this.last.shift()!;
  }

  /** At most one entry per save, as in TF: kept for good when past the keep time, else its files go. */
  private async maybeDeleteOldCheckpoints(): Promise<void> {
    const entry = this.pendingDeletion;
    this.pendingDeletion = null;
    if (!entry) return;
    const [path, timeSecs] = entry;
    if (timeSecs > this.nextKeepTimeSecs) {
      this.nextKeepTimeSecs += this.keepCheckpointEveryNHours * 3600;
      return;
    }
    await deleteCheckpointFiles(path);
  }
}

const DATA_FILE = /\.data-\d{5}-of-\d{5}$/;

/** Removes `<p>.index`, `<p>.data-?????-of-?????` and `<p>.meta`; failures are only logged, as in TF. */
export async function deleteCheckpointFiles(prefix: string): Promise<void> {
  const dir = dirname(prefix);
  const base = basename(prefix);
  const names = await readdir(dir).catch(() => [] as string[]);
  const doomed = names.filter((n) => n === `${base}.index` || n === `${base}.meta` || (n.startsWith(`${base}.data-`) && DATA_FILE.test(n)));
  for (const n of doomed) {
    await rm(join(dir, n)).catch((e: unknown) => trace(`Ignoring: ${(e as Error).message}`));
  }
}
