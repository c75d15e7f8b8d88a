/**
 * Which files the graph kernels of a task may touch. A task has read roots and write roots; a
 * kernel that opens, lists or writes a path checks it here first, after resolving symlinks and
 * "..", so neither `../../etc/passwd` nor a symlink out of a root gets through. Write roots are
 * readable too (a Saver restores what it saved). Outside the roots: PermissionDeniedError naming
 * the op, the path and the roots.
 *
 * `FileAccess.unrestricted` is what a private in-process session and tf.sim.launch use (every task
 * is the user's own process); a server started with `tfcluster server` or `Server.create` allows
 * its working directory only unless told otherwise.
 */
import { realpath } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, resolve, sep } from "node:path";
import { InvalidArgumentError, PermissionDeniedError } from "../../errors/index.js";
import { pathText } from "./file-errors.js";

export interface FileAccessOptions {
  /** Directories graph kernels may read (and list); `undefined`: the working directory. */
  allowRead?: readonly string[];
  /** Directories graph kernels may write (and read); `undefined`: the working directory. */
  allowWrite?: readonly string[];
}

/** The real path of `path`, or of its deepest existing ancestor joined with the rest (a file not yet written). */
async function resolveReal(path: string): Promise<string> {
  const absolute = resolve(path);
  const tail: string[] = [];
  let at = absolute;
  for (;;) {
    try {
      const real = await realpath(at);
      return tail.length === 0 ? real : join(real, ...tail.reverse());
    } catch {
      const parent = dirname(at);
      if (parent === at) return absolute;
      tail.push(basename(at));
      at = parent;
    }
  }
}

function within(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

function rootsText(roots: readonly string[]): string {
  return roots.length === 0 ? "none" : roots.join(", ");
}

export class FileAccess {
  /** Every path may be read and written. */
  static readonly unrestricted = new FileAccess(null, null);

  private constructor(
    /** Real paths of the roots; `null`: everything. */
    private readonly readRoots: readonly string[] | null,
    private readonly writeRoots: readonly string[] | null,
  ) {}

  /**
   * The access of a task allowing `options` (relative roots resolve against the working
   * directory; a root that does not exist yet counts by its resolved path).
   */
  static async create(options: FileAccessOptions = {}): Promise<FileAccess> {
    const real = async (roots: readonly string[] | undefined, flag: string): Promise<string[]> => {
      const list = roots ?? [process.cwd()];
      for (const r of list) {
        if (typeof r !== "string" || r === "") throw new InvalidArgumentError(`${flag}: a root must be a non-empty directory path, got ${JSON.stringify(r)}`);
      }
      return Promise.all(list.map((r) => resolveReal(r)));
    };
    const write = await real(options.allowWrite, "allowWrite");
    const read = await real(options.allowRead, "allowRead");
    return new FileAccess([...read, ...write.filter((w) => !read.includes(w))], write);
  }

  get isUnrestricted(): boolean {
    return this.readRoots === null && this.writeRoots === null;
  }

  /** The roots, for messages and the README's status output. */
  describe(): { read: string[] | "all"; write: string[] | "all" } {
    return { read: this.readRoots ? [...this.readRoots] : "all", write: this.writeRoots ? [...this.writeRoots] : "all" };
  }

  /** Checks that `op` may read (or list) `path`; returns its resolved real path, which the caller should open. */
  checkRead(op: string, path: Uint8Array | string): Promise<string> {
    return this.check(op, path, this.readRoots, "read");
  }

  /** Checks that `op` may write `path` (which need not exist yet); returns its resolved path. */
  checkWrite(op: string, path: Uint8Array | string): Promise<string> {
    return this.check(op, path, this.writeRoots, "write");
  }

  private async check(op: string, path: Uint8Array | string, roots: readonly string[] | null, what: "read" | "write"): Promise<string> {
    const text = typeof path === "string" ? path : pathText(path);
    if (text.includes("\0")) throw new InvalidArgumentError(`${op}: file name '${text.replace(/\0/g, "\\0")}' contains a NUL byte`);
    const real = await resolveReal(text);
    if (roots === null || roots.some((r) => within(real, r))) return real;
    const shown = isAbsolute(text) && real === text ? text : `${text}' (resolves to '${real}`;
    throw new PermissionDeniedError(
      `${op}: may not ${what} '${shown}': outside the directories this task allows to ${what} (${rootsText(roots)}); ` +
        `start the server with --allow-${what} DIR (Server.create {allow${what === "read" ? "Read" : "Write"}: [DIR]}) to allow more`,
    );
  }
}
