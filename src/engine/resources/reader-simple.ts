/**
 * The two readers whose unit is one record: IdentityReader (identity_reader_op.cc: key = value =
 * the work string) and WholeFileReader (whole_file_read_ops.cc: key = the file name as dequeued,
 * value = the file's bytes, "" for an empty file). Both can save and restore their state.
 *
 * WholeFileReader opens the file while reading, not when the unit starts, as TF's does: a file
 * that cannot be read fails the read and stays the current unit, so a retry fails on it again.
 */
import { readFile, stat } from "node:fs/promises";
import { checkTensorBytes } from "../../tensor/budget.js";
import { fileError, pathText } from "../io/file-errors.js";
import { ReaderResource } from "./reader-base.js";
import type { ReadStep } from "./reader-base.js";

export class IdentityReader extends ReaderResource {
  readonly typeName = "IdentityReader";

  protected override get supportsSerialize(): boolean {
    return true;
  }

  protected readLocked(): Promise<ReadStep> {
    return Promise.resolve({ record: { key: this.work, value: this.work }, atEnd: true });
  }
}

export class WholeFileReader extends ReaderResource {
  readonly typeName = "WholeFileReader";

  protected override get supportsSerialize(): boolean {
    return true;
  }

  protected async readLocked(): Promise<ReadStep> {
    const real = await this.policy.files.checkRead(this.typeName, this.work);
    let contents: Buffer;
    try {
      const { size } = await stat(real);
      checkTensorBytes(`${this.displayName} reading '${pathText(this.work)}'`, "uint8", [size], this.policy.maxTensorBytes);
      contents = await (this.io ? this.io(`io read ${pathText(this.work)}`, () => readFile(real)) : readFile(real));
    } catch (err) {
      throw fileError(pathText(this.work), err);
    }
    const value = new Uint8Array(contents.buffer, contents.byteOffset, contents.byteLength);
    return { record: { key: this.work, value }, atEnd: true };
  }
}
