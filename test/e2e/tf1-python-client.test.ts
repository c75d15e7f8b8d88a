/**
 * A TensorFlow 1.x client runs unchanged against tfcluster servers: a Python gRPC client whose
 * stubs are generated at test time (Debian's python3-grpc-tools) from TF 1.15's message
 * definitions (test/fixtures/tf1/tf1_master.proto) drives a ps + worker cluster of real
 * `tfcluster server` processes exactly as tf.Session("grpc://...") does, and checks every value
 * and error (test/fixtures/tf1/tf1_client.py). Skipped, with the reason printed, where Debian's
 * python3-grpcio / python3-grpc-tools are not installed (.ci/run installs them).
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { ROOT } from "../helpers/processes.js";

// Debian's packages install for the system interpreter, not for one a version manager put first.
const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
const FIXTURES = join(ROOT, "test/fixtures/tf1");

function missingPythonGrpc(): string | null {
  try {
    execFileSync(PYTHON, ["-c", "import grpc, grpc_tools.protoc, google.protobuf"], { stdio: "pipe" });
    return null;
  } catch (err) {
    return `${PYTHON} cannot import grpc / grpc_tools (install Debian's python3-grpcio python3-grpc-tools python3-protobuf): ${String((err as { stderr?: Buffer }).stderr ?? err).trim().split("\n").pop()}`;
  }
}

const missing = missingPythonGrpc();
if (missing) console.warn(`skipping the TF 1.x Python client e2e test: ${missing}`);

const generated = mkdtempSync(join(tmpdir(), "tf1-stubs-"));
afterAll(() => rmSync(generated, { recursive: true, force: true }));

function runPython(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(PYTHON, args, { cwd: FIXTURES, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

it.skipIf(missing !== null)("a client generated from TF 1.15's protos trains ref variables across a ps and a worker, with TF's errors", async () => {
  const gen = await runPython(["-m", "grpc_tools.protoc", "-I.", `--python_out=${generated}`, `--grpc_python_out=${generated}`, "tf1_master.proto"]);
  expect(gen.output).toBe("");
  expect(gen.code).toBe(0);
  const cluster = await tf.sim.launch({ ps: ["localhost:0"], worker: ["localhost:0"] }, { transport: "grpc" });
  try {
    const address = (job: string) => cluster.target(job, 0).replace(/^grpc:\/\//, "");
    const run = await runPython(["tf1_client.py", generated, address("worker"), address("ps")]);
    expect(run.output).toMatch(/^OK \d+ checks$/m);
    expect(run.code).toBe(0);
  } finally {
    await cluster.stop();
  }
}, 180_000);
