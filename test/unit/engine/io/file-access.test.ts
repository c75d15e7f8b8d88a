/**
 * FileAccess (issue 8): a path is checked after resolving symlinks and "..". Inside a read root:
 * its real path; outside: PermissionDeniedError naming the op, the path and the roots. Write
 * roots are readable too; a path not yet written resolves through its deepest existing ancestor.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PermissionDeniedError } from "../../../../src/errors/index.js";
import { FileAccess } from "../../../../src/engine/io/file-access.js";

const root = mkdtempSync(join(tmpdir(), "tfcluster-access-"));
const data = join(root, "data");
const out = join(root, "out");
const secret = join(root, "secret");
for (const d of [data, out, secret]) mkdirSync(d);
writeFileSync(join(data, "a.txt"), "a");
writeFileSync(join(secret, "s.txt"), "s");
symlinkSync(secret, join(data, "escape"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("FileAccess", () => {
  it("allows paths under a read root, by their real path", async () => {
    const access = await FileAccess.create({ allowRead: [data], allowWrite: [out] });
    await expect(access.checkRead("ReadFile", join(data, "a.txt"))).resolves.toMatch(/data\/a\.txt$/);
    await expect(access.checkRead("ReadFile", new TextEncoder().encode(join(data, "a.txt")))).resolves.toMatch(/a\.txt$/);
  });

  it("refuses '..', symlinks out of a root and absolute paths elsewhere, naming op, path and roots", async () => {
    const access = await FileAccess.create({ allowRead: [data], allowWrite: [out] });
    for (const p of [join(data, "..", "secret", "s.txt"), join(data, "escape", "s.txt"), "/etc/passwd"]) {
      const err = await access.checkRead("TextLineReader", p).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PermissionDeniedError);
      expect((err as Error).message).toContain("TextLineReader");
      expect((err as Error).message).toContain(p);
      expect((err as Error).message).toContain(data);
    }
  });

  it("write roots are writable (for files not yet there) and readable; read roots are not writable", async () => {
    const access = await FileAccess.create({ allowRead: [data], allowWrite: [out] });
    await expect(access.checkWrite("SaveV2", join(out, "sub", "model.ckpt"))).resolves.toContain("model.ckpt");
    await expect(access.checkRead("RestoreV2", join(out, "model.ckpt"))).resolves.toContain("model.ckpt");
    await expect(access.checkWrite("SaveV2", join(data, "x"))).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(access.checkWrite("SaveV2", join(out, "..", "secret", "x"))).rejects.toBeInstanceOf(PermissionDeniedError);
  });

  it("the default is the working directory only; unrestricted allows everything", async () => {
    const cwdOnly = await FileAccess.create();
    await expect(cwdOnly.checkRead("ReadFile", "package.json")).resolves.toContain("package.json");
    await expect(cwdOnly.checkRead("ReadFile", "/etc/passwd")).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(FileAccess.unrestricted.checkRead("ReadFile", "/etc/passwd")).resolves.toBe("/etc/passwd");
  });
});
