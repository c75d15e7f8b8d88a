/**
 * The probes of issue 8, against a real `tfcluster server` process started with no flags (and
 * with a token): a stranger can neither read through it nor crash it. Each probe gets the exact
 * error class, and the server keeps serving after every one.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, Metadata, credentials, type ServiceError } from "@grpc/grpc-js";
import * as tf from "../../src/index.js";
import { errorFromCall } from "../../src/transport/grpc/status.js";
import * as wire from "../../src/transport/wire/index.js";
import { BIN, ROOT, freePort, startCli, type CliProcess } from "../helpers/processes.js";

const dir = mkdtempSync(join(tmpdir(), "tfcluster-probes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function clusterFile(host: string, port: number): string {
  const file = join(dir, `cluster-${host}-${port}.json`);
  writeFileSync(file, JSON.stringify({ local: [`${host}:${port}`] }));
  return file;
}

function cli(args: string[]): Promise<{ out: string; code: number }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ out: stdout + stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 });
    });
  });
}

async function expectServing(target: string, security: { token?: string } = {}): Promise<void> {
  const g = new tf.Graph();
  const c = g.asDefault(() => tf.add(tf.constant(1), 2));
  await using sess = new tf.Session(target, { graph: g, security });
  expect((await sess.run(c)).item()).toBe(3);
}

async function runIn<T>(target: string, build: () => T, run: (sess: tf.Session, t: T) => Promise<unknown>, security: { token?: string } = {}): Promise<unknown> {
  const g = new tf.Graph();
  const t = g.asDefault(build);
  await using sess = new tf.Session(target, { graph: g, security });
  return await run(sess, t).then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe("a `tfcluster server` with no flags, on loopback", () => {
  let server: CliProcess;
  let target: string;
  beforeAll(async () => {
    const port = await freePort();
    server = await startCli(["server", "--cluster", clusterFile("127.0.0.1", port), "--job", "local", "--task", "0"]);
    target = `grpc://127.0.0.1:${port}`;
  });
  afterAll(() => {
    server?.kill("SIGKILL");
  });

  it("ReadFile of /etc/passwd is PermissionDeniedError naming the op, the path and the allowed root", async () => {
    const err = await runIn(target, () => tf.readFile("/etc/passwd"), (s, t) => s.run(t));
    expect(err).toBeInstanceOf(tf.errors.PermissionDeniedError);
    expect((err as Error).message).toContain("ReadFile");
    expect((err as Error).message).toContain("/etc/passwd");
    expect((err as Error).message).toContain(ROOT.replace(/\/$/, ""));
    await expectServing(target);
  });

  it("a TextLineReader fed /etc/passwd is PermissionDeniedError", async () => {
    const err = await runIn(
      target,
      () => {
        const q = new tf.FIFOQueue({ capacity: 2, dtypes: ["string"], shapes: [[]] });
        return { fill: q.enqueue("/etc/passwd"), read: new tf.TextLineReader().read(q) };
      },
      async (s, t) => {
        await s.run(t.fill);
        await s.run(t.read);
      },
    );
    expect(err).toBeInstanceOf(tf.errors.PermissionDeniedError);
    expect((err as Error).message).toContain("TextLineReader");
  });

  it("MatchingFiles cannot list directories outside the root", async () => {
    const err = await runIn(target, () => tf.matchingFiles("/etc/*"), (s, t) => s.run(t));
    expect(err).toBeInstanceOf(tf.errors.PermissionDeniedError);
    expect((err as Error).message).toContain("MatchingFiles");
  });

  it("the Saver's SaveV2 cannot write outside the root, and nothing is written", async () => {
    const prefix = join(dir, "stolen", "model.ckpt");
    const err = await runIn(
      target,
      () => {
        const v = new tf.Variable(1, { name: "probe_v" });
        return { init: v.initializer, saver: new tf.train.Saver([v]) };
      },
      async (s, t) => {
        await s.run(t.init);
        await t.saver.save(s, prefix);
      },
    );
    expect(err).toBeInstanceOf(tf.errors.PermissionDeniedError);
    expect((err as Error).message).toContain("SaveV2");
    expect(existsSync(join(dir, "stolen"))).toBe(false);
  });

  it("a 17-byte TensorProto describing 600 MiB is ResourceExhaustedError, and the server keeps serving", async () => {
    const transport = createRawRunStep(target);
    const err = await transport.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(tf.errors.ResourceExhaustedError);
    expect((err as Error).message).toContain("maxTensorBytes");
    await expectServing(target);
  });

  it("Fill with a huge shape from its input is ResourceExhaustedError, not an out-of-memory crash", async () => {
    const err = await runIn(target, () => tf.fill(tf.constant([1 << 20, 1 << 20], { dtype: "int32" }), 1), (s, t) => s.run(t));
    expect(err).toBeInstanceOf(tf.errors.ResourceExhaustedError);
    await expectServing(target);
  });
});

/** A RunStep whose feed is a splat TensorProto of float32[150 Mi] (17 bytes on the wire), sent raw. */
async function createRawRunStep(target: string): Promise<unknown> {
  const address = target.replace("grpc://", "");
  const g = new tf.Graph();
  const y = g.asDefault(() => tf.identity(tf.placeholder("float32", null, { name: "x" })));
  const client = new Client(address, credentials.createInsecure());
  const id = (b: Buffer): Buffer => b;
  try {
    const body = wire.createSessionRequestCodec.encode({ graphDef: g.toGraphDef(), config: {}, target: "" });
    const created = await new Promise<Buffer>((resolve, reject) => {
      client.makeUnaryRequest("/tensorflow.MasterService/CreateSession", id, id, Buffer.from(body), new Metadata(), {}, (err, res) => (err ? reject(err) : resolve(res!)));
    });
    const handle = wire.createSessionResponseCodec.decode(created).sessionHandle;
    const splat = { dtype: 1, tensor_shape: { dim: [{ size: 150 * 1024 * 1024 }] }, float_val: [1] };
    expect(wire.messageType("tensorflow.TensorProto").encode(splat).finish().byteLength).toBe(17);
    const req = wire.messageType("tensorflow.RunStepRequest").encode({ session_handle: handle, feed: [{ name: "x:0", tensor: splat }], fetch: [y.name] }).finish();
    return await new Promise((resolve, reject) => {
      const call = client.makeServerStreamRequest("/tensorflow.MasterService/RunStep", id, id, Buffer.from(req), new Metadata(), {});
      call.on("data", () => {});
      call.on("error", (err: ServiceError) => reject(errorFromCall(err, { rpc: "RunStep", address })));
      call.on("status", (st: { code: number }) => st.code === 0 && resolve(undefined));
    });
  } finally {
    client.close();
  }
}

describe("who may call: start-time refusals of a real process", () => {
  it("a non-loopback address with no token, client CA or --insecure refuses to start, naming the flags", async () => {
    const { out, code } = await cli(["server", "--cluster", clusterFile("0.0.0.0", await freePort()), "--job", "local", "--task", "0"]);
    expect(code).toBe(1);
    expect(out).toMatch(/Refusing to serve 0\.0\.0\.0:\d+/);
    expect(out).toMatch(/--token-file.*--tls-ca.*--insecure/);
  });

  it("an empty or whitespace-only --token-file is an error at start, never 'no auth'", async () => {
    const empty = join(dir, "empty-token");
    writeFileSync(empty, "  \n");
    const { out, code } = await cli(["server", "--cluster", clusterFile("127.0.0.1", await freePort()), "--job", "local", "--task", "0", "--token-file", empty]);
    expect(code).toBe(1);
    expect(out).toContain("is empty");
  });
});

describe("a `tfcluster server --token-file` process", () => {
  let server: CliProcess;
  let target: string;
  const tokenFile = join(dir, "token");
  beforeAll(async () => {
    writeFileSync(tokenFile, "probe-secret\n");
    const port = await freePort();
    server = await startCli(["server", "--cluster", clusterFile("127.0.0.1", port), "--job", "local", "--task", "0", "--token-file", tokenFile]);
    target = `grpc://127.0.0.1:${port}`;
  });
  afterAll(() => {
    server?.kill("SIGKILL");
  });

  it("an unauthenticated client reads nothing and changes nothing; the right token runs", async () => {
    const g = new tf.Graph();
    const ops = g.asDefault(() => {
      const v = new tf.Variable(5, { name: "guarded" });
      return { init: v.initializer, value: v.value(), bump: v.assignAdd(1), read: tf.readFile("package.json") };
    });
    await using owner = new tf.Session(target, { graph: g, security: { token: "probe-secret" } });
    await owner.run(ops.init);
    await using stranger = new tf.Session(target, { graph: g });
    await expect(stranger.run(ops.read)).rejects.toBeInstanceOf(tf.errors.UnauthenticatedError);
    await expect(stranger.run(ops.bump)).rejects.toBeInstanceOf(tf.errors.UnauthenticatedError);
    await expect(tf.Session.reset(target)).rejects.toBeInstanceOf(tf.errors.UnauthenticatedError);
    await expect(tf.clusterStatus(target)).rejects.toBeInstanceOf(tf.errors.UnauthenticatedError);
    expect((await owner.run(ops.value)).item()).toBe(5);
  });

  it("tfcluster devices carries --token-file (status and sim take the same flags)", async () => {
    const without = await cli(["devices", target, "--timeout", "5000"]);
    expect(without.code).toBe(1);
    expect(without.out).toContain("cluster token");
    const withToken = await cli(["devices", target, "--token-file", tokenFile]);
    expect(withToken.code).toBe(0);
    expect(withToken.out).toContain("/job:local/replica:0/task:0/device:CPU:0");
    await expectServing(target, { token: "probe-secret" });
  });
});
