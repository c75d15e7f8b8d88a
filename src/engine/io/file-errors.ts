/**
 * File-system failures as the OpError TF's POSIX file system raises: IOError(context, errno) is
 * "<context>; <strerror>" with the code TF's ErrnoToCode gives that errno.
 */
import {
  AlreadyExistsError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  OpError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnknownError,
} from "../../errors/index.js";

type OpErrorClass = new (message: string) => OpError;

const byErrno: Record<string, { text: string; cls: OpErrorClass }> = {
  ENOENT: { text: "No such file or directory", cls: NotFoundError },
  EACCES: { text: "Permission denied", cls: PermissionDeniedError },
  EPERM: { text: "Operation not permitted", cls: PermissionDeniedError },
  EISDIR: { text: "Is a directory", cls: FailedPreconditionError },
  ENOTDIR: { text: "Not a directory", cls: FailedPreconditionError },
  EEXIST: { text: "File exists", cls: AlreadyExistsError },
  ENAMETOOLONG: { text: "File name too long", cls: InvalidArgumentError },
  EINVAL: { text: "Invalid argument", cls: InvalidArgumentError },
  EMFILE: { text: "Too many open files", cls: ResourceExhaustedError },
  ENFILE: { text: "Too many open files in system", cls: ResourceExhaustedError },
  ENOSPC: { text: "No space left on device", cls: ResourceExhaustedError },
};

function errnoOf(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

/** `err` (from node:fs) as TF's error for `context`, usually the file name. OpErrors pass through. */
export function fileError(context: string, err: unknown): OpError {
  if (err instanceof OpError) return err;
  const code = errnoOf(err);
  const known = code === undefined ? undefined : byErrno[code];
  if (known) return new known.cls(`${context}; ${known.text}`);
  const message = err instanceof Error ? err.message : String(err);
  return new UnknownError(`${context}; ${message}`);
}

const utf8 = new TextDecoder();

/** A file name held as bytes (TF strings are bytes), as text for messages. */
export function pathText(path: Uint8Array): string {
  return utf8.decode(path);
}

/** A file name held as bytes, as node:fs takes it: a Buffer keeps every byte as it is. */
export function fsPath(path: Uint8Array): Buffer {
  return Buffer.from(path.buffer, path.byteOffset, path.byteLength);
}
