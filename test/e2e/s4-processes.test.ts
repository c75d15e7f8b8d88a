/**
 * Scenario S4 across real processes: two `tfcluster server` processes, then two client processes
 * one after the other: the first initialises x and prints 1.0, the second (no init) prints 2.0.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { afterAll, expect, it } from "vitest";
import { freePort, runScript, startCli, stopProcess } from "../helpers/processes.js";

const servers: ChildProcess[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => stopProcess(s)));
});

it("a variable created by a client of machine A is seen by a client of machine B", async () => {
  const [a, b] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), "tfcluster-s4-"));
  const clusterFile = join(dir, "cluster.json");
  writeFileSync(clusterFile, JSON.stringify({ worker: [`127.0.0.1:${a}`, `127.0.0.1:${b}`] }));
  servers.push(...(await Promise.all([0, 1].map((task) => startCli(["server", "--cluster", clusterFile, "--job", "worker", "--task", String(task)])))));

  const first = await runScript("test/fixtures/s4-client.ts", [`grpc://127.0.0.1:${a}`, "init"]);
  expect(first.trim()).toBe("1.0");
  const second = await runScript("test/fixtures/s4-client.ts", [`grpc://127.0.0.1:${b}`, "noinit"]);
  expect(second.trim()).toBe("2.0");

  // SIGTERM stops a server cleanly.
  const ended = await stopProcess(servers[0]!);
  expect(ended).toEqual({ code: 0, signal: null });
}, 180_000);
