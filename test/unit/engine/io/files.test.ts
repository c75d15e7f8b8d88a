/** ReadFile and MatchingFiles through their builders and kernels, and the glob rules under them. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidArgumentError, NotFoundError } from "../../../../src/errors/index.js";
import { componentRegExp, matchingPaths } from "../../../../src/engine/io/glob.js";
import { matchingFiles, readFile } from "../../../../src/graph/ops/io.js";
import { Graph } from "../../../../src/graph/graph.js";
import type { TensorLike } from "../../../../src/graph/convert.js";
import type { Tensor } from "../../../../src/graph/tensor.js";
import type { NDArray } from "../../../../src/tensor/ndarray.js";
import { errorOf, MiniSession, tempDir, texts } from "./io-harness.js";

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

async function run(build: () => Tensor): Promise<NDArray> {
  const g = new Graph();
  const t = g.asDefault(build);
  return new MiniSession().value(t);
}

const matches = async (pattern: TensorLike): Promise<string[]> => texts(await run(() => matchingFiles(pattern)));

describe("fnmatch components", () => {
  it.each([
    ["*.csv", "a.csv", true],
    ["*.csv", ".hidden.csv", true],
    ["*.csv", "a.csv.gz", false],
    ["data-?", "data-1", true],
    ["data-?", "data-10", false],
    ["f[0-2]", "f1", true],
    ["f[0-2]", "f3", false],
    ["f[!0-2]", "f3", true],
    ["f[^0-2]", "f1", false],
    ["a\\*b", "a*b", true],
    ["a\\*b", "axb", false],
    ["a.b", "aXb", false],
    ["[", "[", true],
  ])("%s matches %s: %s", (pattern, name, expected) => {
    expect(componentRegExp(pattern).test(name)).toBe(expected);
  });
});

describe("MatchingFiles", () => {
  beforeEach(() => {
    for (const f of ["a.csv", "b.csv", "c.txt", ".d.csv"]) tmp.write(f, f);
    mkdirSync(tmp.path("sub"));
    tmp.write("sub/e.csv", "e");
    mkdirSync(tmp.path("sub2"));
    tmp.write("sub2/f.csv", "f");
  });

  it("returns the sorted matches, files and directories, never crossing '/' with '*'", async () => {
    expect(await matches(join(tmp.dir, "*.csv"))).toEqual([".d.csv", "a.csv", "b.csv"].map((f) => join(tmp.dir, f)));
    expect(await matches(join(tmp.dir, "sub*"))).toEqual([join(tmp.dir, "sub"), join(tmp.dir, "sub2")]);
    expect(await matches(join(tmp.dir, "*/*.csv"))).toEqual([join(tmp.dir, "sub/e.csv"), join(tmp.dir, "sub2/f.csv")]);
  });

  it("a vector of patterns gives all matches sorted together; no match is an empty vector", async () => {
    expect(await matches([join(tmp.dir, "*.txt"), join(tmp.dir, "a.*")])).toEqual([join(tmp.dir, "a.csv"), join(tmp.dir, "c.txt")]);
    const none = await run(() => matchingFiles(join(tmp.dir, "*.parquet")));
    expect(none.shape).toEqual([0]);
  });

  it("a literal path matches itself when it exists", async () => {
    expect(await matches(join(tmp.dir, "c.txt"))).toEqual([join(tmp.dir, "c.txt")]);
    expect(await matches(join(tmp.dir, "nope.txt"))).toEqual([]);
    expect(await matches(join(tmp.dir, "missing-dir", "*.csv"))).toEqual([]);
  });

  it("a pattern without a directory is read from '.' and its matches start with './'", async () => {
    const cwd = process.cwd();
    process.chdir(tmp.dir);
    try {
      expect((await matchingPaths("*.txt")).sort()).toEqual(["./c.txt"]);
    } finally {
      process.chdir(cwd);
    }
  });

  it("rejects a pattern tensor of rank 2", async () => {
    const err = await errorOf(matches([["a"], ["b"]]));
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.message).toBe("Input pattern tensor must be scalar or vector, but had shape: [2,1]");
  });
});

describe("ReadFile", () => {
  it("returns the bytes of a file", async () => {
    const path = tmp.write("bin", Uint8Array.of(0, 1, 2, 255));
    const v = await run(() => readFile(path));
    expect(v.shape).toEqual([]);
    expect([...(v.data as Uint8Array[])[0]!]).toEqual([0, 1, 2, 255]);
  });

  it("fails with NotFound for a missing file, naming it", async () => {
    const err = await errorOf(run(() => readFile(tmp.path("missing"))));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.message).toBe(`${tmp.path("missing")}; No such file or directory`);
    expect((err as NotFoundError).nodeName).toBe("ReadFile");
  });

  it("needs a scalar file name", async () => {
    const err = await errorOf(run(() => readFile(["a", "b"])));
    expect(err.message).toBe("Input filename tensor must be scalar, but had shape: [2]");
  });
});
