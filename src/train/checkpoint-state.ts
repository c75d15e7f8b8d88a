/**
 * The `checkpoint` state file of a checkpoint directory: TF's CheckpointState proto in protobuf
 * text format, which names the latest checkpoint and the ones still kept, written atomically
 * (temporary file + rename) so a reader never sees half of it.
 *
 *   model_checkpoint_path: "/train/model.ckpt-1000"
 *   all_model_checkpoint_paths: "/train/model.ckpt-600"
 *   all_model_checkpoint_paths: "/train/model.ckpt-1000"
 *
 * @example const state = await tf.train.getCheckpointState("/train"); const latest = await tf.train.latestCheckpoint("/train");
 */
import { access, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative } from "node:path";
import { appendAll } from "../util/arrays.js";
import { tracer } from "../util/logger.js";

const utf8 = new TextEncoder();

/** INFO-level messages of TF (hidden by default there too): TFCLUSTER_TRACE=train shows them. */
const trace = tracer("train");

export interface CheckpointState {
  modelCheckpointPath: string;
  allModelCheckpointPaths: string[];
  allModelCheckpointTimestamps?: number[];
  lastPreservedTimestamp?: number;
}

/** C-style escaping of a text-format string (what protobuf's text printer does). */
function escape(s: string): string {
  let out = "";
  for (const b of new TextEncoder().encode(s)) {
    if (b === 0x22) out += '\\"';
    else if (b === 0x5c) out += "\\\\";
    else if (b === 0x0a) out += "\\n";
    else if (b === 0x0d) out += "\\r";
    else if (b === 0x09) out += "\\t";
    else if (b < 0x20 || b >= 0x7f) out += `\\${b.toString(8).padStart(3, "0")}`;
    else out += String.fromCharCode(b);
  }
  return out;
}

function unescape(body: string): string {
  const bytes: number[] = [];
  const simple: Record<string, number> = { n: 10, r: 13, t: 9, '"': 34, "'": 39, "\\": 92, a: 7, b: 8, f: 12, v: 11 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== "\\") {
      appendAll(bytes, utf8.encode(c));
      continue;
    }
    const n = body[++i] ?? "";
    if (n in simple) bytes.push(simple[n]!);
    else if (/[0-7]/.test(n)) {
      const oct = /^[0-7]{1,3}/.exec(body.slice(i))![0];
      bytes.push(parseInt(oct, 8));
      i += oct.length - 1;
    } else if (n === "x") {
      const hex = /^[0-9a-fA-F]{1,2}/.exec(body.slice(i + 1))?.[0] ?? "";
      if (!hex) throw new SyntaxError("bad \\x escape");
      bytes.push(parseInt(hex, 16));
      i += hex.length;
    } else throw new SyntaxError(`unknown escape \\${n}`);
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/** The state as TF's text format (only the fields Saver.save writes, as TF does, plus any set extras). */
export function formatCheckpointState(state: CheckpointState): string {
  const lines = [`model_checkpoint_path: "${escape(state.modelCheckpointPath)}"`];
  for (const p of state.allModelCheckpointPaths) lines.push(`all_model_checkpoint_paths: "${escape(p)}"`);
  for (const t of state.allModelCheckpointTimestamps ?? []) lines.push(`all_model_checkpoint_timestamps: ${t}`);
  if (state.lastPreservedTimestamp !== undefined) lines.push(`last_preserved_timestamp: ${state.lastPreservedTimestamp}`);
  return `${lines.join("\n")}\n`;
}

const FIELD = /^\s*([a-z_]+)\s*:\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([-+0-9.eEinfINFa]+))\s*$/;

/** Parses the text format; unknown fields are an error, as in protobuf's text parser. */
export function parseCheckpointState(text: string): CheckpointState {
  const state: CheckpointState = { modelCheckpointPath: "", allModelCheckpointPaths: [] };
  for (const [n, line] of text.split("\n").entries()) {
    if (/^\s*(#.*)?$/.test(line)) continue;
    const m = FIELD.exec(line);
    if (!m) throw new SyntaxError(`${n + 1}:1 : Expected "field: value", got '${line}'`);
    const [, key, dq, sq, num] = m;
    const str = dq ?? sq;
    if (key === "model_checkpoint_path" && str !== undefined) state.modelCheckpointPath = unescape(str);
    else if (key === "all_model_checkpoint_paths" && str !== undefined) state.allModelCheckpointPaths.push(unescape(str));
    else if (key === "all_model_checkpoint_timestamps" && num !== undefined) (state.allModelCheckpointTimestamps ??= []).push(Number(num));
    else if (key === "last_preserved_timestamp" && num !== undefined) state.lastPreservedTimestamp = Number(num);
    else throw new SyntaxError(`${n + 1}:1 : Message type "tensorflow.CheckpointState" has no field named "${key}" of that type.`);
  }
  return state;
}

export interface UpdateCheckpointStateOptions {
  /** The state file's name in `saveDir` ("checkpoint"). */
  latestFilename?: string;
  /** Store paths relative to `saveDir`. */
  saveRelativePaths?: boolean;
}

/** TF's generate_checkpoint_state_proto: the latest path always ends the list. */
export function generateCheckpointState(saveDir: string, modelPath: string, allPaths: string[] = []): CheckpointState {
  const all = [...allPaths];
  if (all.length === 0 || all[all.length - 1] !== modelPath) {
    if (all.length > 0) trace(`${modelPath} is not in all_model_checkpoint_paths. Manually adding it.`);
    all.push(modelPath);
  }
  if (!isAbsolute(saveDir)) {
    // Relative paths are stored relative to a relative save_dir (TF's testRelPath).
    const rel = (p: string) => (isAbsolute(p) ? p : relative(saveDir, p));
    return { modelCheckpointPath: rel(modelPath), allModelCheckpointPaths: all.map(rel) };
  }
  return { modelCheckpointPath: modelPath, allModelCheckpointPaths: all };
}

/** Writes `saveDir/<latestFilename>` atomically (Saver.save calls this after every save). */
export async function updateCheckpointState(saveDir: string, modelPath: string, allPaths: string[] = [], options: UpdateCheckpointStateOptions = {}): Promise<void> {
  const statePath = join(saveDir, options.latestFilename ?? "checkpoint");
  const state = generateCheckpointState(saveDir, modelPath, allPaths);
  if (options.saveRelativePaths) {
    const rel = (p: string) => (isAbsolute(p) ? relative(saveDir, p) : p);
    state.modelCheckpointPath = rel(state.modelCheckpointPath);
    state.allModelCheckpointPaths = state.allModelCheckpointPaths.map(rel);
  }
  if (join(saveDir, state.modelCheckpointPath) === statePath || state.modelCheckpointPath === statePath) {
    throw new Error(`Save path '${modelPath}' conflicts with path used for checkpoint state.  Please use a different save path.`);
  }
  await mkdir(saveDir, { recursive: true });
  // Unique per write so that concurrent writers never share a temporary file; the rename is atomic.
  const temp = join(dirname(statePath), `.${basename(statePath)}.tmp-${process.pid}-${tempCounter++}`);
  await writeFile(temp, formatCheckpointState(state));
  await rename(temp, statePath);
}
let tempCounter = 0;

/**
 * The state of checkpoint directory `dir`, or null when it has no state file (or an unreadable
 * one, which is logged and ignored as in TF). Relative paths come back joined onto `dir`.
 */
export async function getCheckpointState(dir: string, latestFilename = "checkpoint"): Promise<CheckpointState | null> {
  const path = join(dir, latestFilename);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") trace(`${(e as Error).message}: Checkpoint ignored`);
    return null;
  }
  let state: CheckpointState;
  try {
    state = parseCheckpointState(text);
  } catch (e) {
    trace(`${(e as Error).message}: ${path}: Checkpoint ignored`);
    return null;
  }
  if (!state.modelCheckpointPath) throw new Error(`Invalid checkpoint state loaded from ${dir}`);
  const abs = (p: string) => (isAbsolute(p) ? p : join(dir, p));
  return { ...state, modelCheckpointPath: abs(state.modelCheckpointPath), allModelCheckpointPaths: state.allModelCheckpointPaths.map(abs) };
}

/** Whether a checkpoint exists at `prefix` (its `.index`, as TF's checkpoint_exists). */
export async function checkpointExists(prefix: string): Promise<boolean> {
  return access(`${prefix}.index`).then(
    () => true,
    () => false,
  );
}

/** The latest checkpoint of `dir` when its files exist, else null (TF's tf.train.latest_checkpoint). */
export async function latestCheckpoint(dir: string, latestFilename = "checkpoint"): Promise<string | null> {
  const state = await getCheckpointState(dir, latestFilename);
  if (!state) return null;
  if (await checkpointExists(state.modelCheckpointPath)) return state.modelCheckpointPath;
  trace(`Couldn't match files for checkpoint ${state.modelCheckpointPath}`);
  return null;
}
