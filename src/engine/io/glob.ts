/**
 * TF's GetMatchingPaths for MatchingFiles: the paths that fnmatch(pattern, path, FNM_PATHNAME)
 * accepts — `*` and `?` never cross "/", `[...]` sets (with `!` or `^` to negate), `\` escapes —
 * files and directories alike, dot files included. A pattern with no directory part is read
 * relative to "." and its matches come back as "./name", as TF's joined paths do. Directories that
 * cannot be listed are skipped.
 */
import { readdir, stat } from "node:fs/promises";

const WILDCARD = /[*?[\\]/;

function escapeRegExp(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

/** A `[...]` set starting at `pattern[start]` ("["): its regex and the index after it, or null if unclosed. */
function bracket(pattern: string, start: number): { regex: string; end: number } | null {
  let i = start + 1;
  let negate = false;
  if (pattern[i] === "!" || pattern[i] === "^") {
    negate = true;
    i++;
  }
  let body = "";
  let first = true;
  for (; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "]" && !first) return { regex: `[${negate ? "^/" : ""}${body}]`, end: i + 1 };
    first = false;
    if (c === "\\" && i + 1 < pattern.length) body += escapeRegExp(pattern[++i]!);
    else if (c === "-" && body !== "" && pattern[i + 1] !== "]") body += "-";
    else body += escapeRegExp(c);
  }
  return null;
}

/** One path component's fnmatch pattern as an anchored RegExp. */
export function componentRegExp(pattern: string): RegExp {
  let out = "";
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i]!;
    if (c === "*") {
      out += "[^/]*";
      i++;
    } else if (c === "?") {
      out += "[^/]";
      i++;
    } else if (c === "[") {
      const set = bracket(pattern, i);
      if (set) {
        out += set.regex;
        i = set.end;
      } else {
        out += "\\[";
        i++;
      }
    } else if (c === "\\" && i + 1 < pattern.length) {
      out += escapeRegExp(pattern[i + 1]!);
      i += 2;
    } else {
      out += escapeRegExp(c);
      i++;
    }
  }
  return new RegExp(`^${out}$`, "s");
}

function join(dir: string, name: string): string {
  return dir.endsWith("/") ? `${dir}${name}` : `${dir}/${name}`;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function children(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

/**
 * Every existing path that `pattern` matches, in no particular order. `guard` is called with
 * every directory before it is listed and every path before it is looked up (a task's file
 * roots: it throws for one outside them).
 */
export async function matchingPaths(pattern: string, guard: (path: string) => Promise<unknown> = async () => {}): Promise<string[]> {
  if (pattern === "") return [];
  const absolute = pattern.startsWith("/");
  const parts = pattern.split("/").filter((p, i) => p !== "" || i === 0);
  const firstWild = parts.findIndex((p) => WILDCARD.test(p));
  // The fixed directory: every component before the first wildcard, and never the last one.
  const fixedCount = firstWild < 0 ? parts.length - 1 : firstWild;
  let base = parts.slice(0, fixedCount).join("/");
  if (absolute && base === "") base = "/";
  if (base === "") base = ".";
  let current = [base];
  for (const part of parts.slice(fixedCount)) {
    const next: string[] = [];
    if (WILDCARD.test(part)) {
      const regex = componentRegExp(part);
      for (const dir of current) {
        await guard(dir);
        for (const name of await children(dir)) if (regex.test(name)) next.push(join(dir, name));
      }
    } else {
      for (const dir of current) {
        const path = join(dir, part);
        await guard(path);
        if (await exists(path)) next.push(path);
      }
    }
    current = next;
  }
  return current;
}
