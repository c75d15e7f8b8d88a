/**
 * The `tfcluster` command: server, sim, devices, status. Built with commander; --help on each.
 */
import { Command, InvalidArgumentError as CliArgError } from "commander";
import { readFileSync } from "node:fs";
import { clusterStatus } from "../client/cluster-status.js";
import { Session } from "../client/session.js";
import type { ClusterSpecLike } from "../train/cluster-spec.js";
import { parseTfConfig } from "../train/tf-config.js";
import { Server } from "../train/server.js";
import type { ServerOptions } from "../train/server.js";
import { launch } from "../sim/launch.js";
import type { TransportName } from "../transport/services.js";
import type { BackendName } from "../engine/compute/backend.js";
import { addDemoCommand } from "./demo-command.js";
import { formatStatus } from "./format-status.js";
import { addClientSecurityFlags, addServerSecurityFlags, clientSecurity, serverSecurityOptions } from "./security-flags.js";
import type { ClientSecurityFlags, ServerSecurityFlags } from "./security-flags.js";
import { formatTasks, reportUnreachable } from "./health-report.js";
import { checkClusterAddresses, checkTaskFlags, packageVersion, simTransportNote } from "./cli-checks.js";
import { addSimulateCommand } from "./simulate-command.js";

function int(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CliArgError(`expected a non-negative integer, got '${value}'`);
  return n;
}

function transportName(value: string): TransportName {
  if (value !== "inproc" && value !== "thread" && value !== "grpc") throw new CliArgError(`expected inproc, thread or grpc, got '${value}'`);
  return value;
}

function backendName(value: string): BackendName {
  if (value !== "wasm" && value !== "cpu" && value !== "tensorflow") throw new CliArgError(`expected wasm, cpu or tensorflow, got '${value}'`);
  return value;
}

function readCluster(path: string): ClusterSpecLike {
  const parsed = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  return (parsed.cluster ?? parsed) as ClusterSpecLike;
}

/** Stops `stop` on SIGTERM / SIGINT, then exits; a second signal exits at once. */
function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write(`tfcluster: ${signal} received, stopping\n`);
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`tfcluster: stop failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
}

export function buildProgram(): Command {
  const program = new Command("tfcluster")
    .description("TensorFlow 1.x's distributed runtime in TypeScript")
    .version(packageVersion(), "-V, --version", "print the tfcluster version")
    .showHelpAfterError();

  addServerSecurityFlags(program.command("server"))
    .description("run the server (master + worker service) of one task; configured by flags or TF_CONFIG")
    .option("--cluster <file>", "cluster JSON: {job: [addresses]} (or a TF_CONFIG-like {cluster: ...})")
    .option("--job <name>", "this task's job")
    .option("--task <index>", "this task's index", int)
    .option("--transport <name>", "grpc | thread | inproc", transportName, "grpc")
    .option("--virtual-gpus <n>", "give this task N GPU devices backed by the CPU", int, 0)
    .option("--seed <n>", "random seed of this task", int)
    .option("--backend <name>", "TensorFlow.js backend of this task: wasm | cpu | tensorflow", backendName)
    .option("--exit-with-parent", "stop when standard input closes (used by tfcluster sim)")
    .action(async (opts: ServerSecurityFlags & { backend?: BackendName; exitWithParent?: boolean; cluster?: string; job?: string; task?: number; transport: TransportName; virtualGpus: number; seed?: number }) => {
      let cluster: ClusterSpecLike;
      let jobName = opts.job;
      let taskIndex = opts.task;
      if (opts.cluster) {
        cluster = readCluster(opts.cluster);
      } else if (process.env.TF_CONFIG) {
        const cfg = parseTfConfig();
        cluster = cfg.cluster;
        jobName ??= cfg.jobName;
        taskIndex ??= cfg.taskIndex;
      } else {
        throw new CliArgError("give --cluster (with --job and --task) or set TF_CONFIG");
      }
      checkTaskFlags(checkClusterAddresses(cluster, { allowPortZero: false }), jobName, taskIndex);
      const options: ServerOptions = { transport: opts.transport, virtualGpus: opts.virtualGpus };
      if (jobName !== undefined) options.jobName = jobName;
      if (taskIndex !== undefined) options.taskIndex = taskIndex;
      if (opts.seed !== undefined) options.seed = opts.seed;
      if (opts.backend) options.backend = opts.backend;
      Object.assign(options, serverSecurityOptions(opts));
      const server = await Server.create(cluster, options);
      stopOnSignals(() => server.stop());
      if (opts.exitWithParent) {
        process.stdin.on("end", () => void server.stop().then(() => process.exit(0)));
        process.stdin.resume();
      }
      process.stdout.write(`tfcluster server /job:${server.serverDef.jobName}/task:${server.serverDef.taskIndex} listening at ${server.target}\n`);
      await server.join();
    });

  addClientSecurityFlags(program.command("sim"))
    .description("start every task of a cluster on this host and print each task's target; runs until Ctrl-C")
    .argument("<cluster-file>", "cluster JSON: {job: [addresses]}; port 0 picks a free port")
    .option("--transport <name>", "grpc | thread | inproc (thread and inproc targets are reachable only from this process)", transportName, "grpc")
    .option("--virtual-gpus <n>", "give each task N GPU devices backed by the CPU", int, 0)
    .option("--seed <n>", "seed of the simulation", int, 0)
    .action(async (file: string, opts: ClientSecurityFlags & { transport: TransportName; virtualGpus: number; seed: number }) => {
      const { token } = clientSecurity(opts);
      const cluster = readCluster(file);
      checkClusterAddresses(cluster, { allowPortZero: true });
      const note = simTransportNote(opts.transport);
      if (note) process.stderr.write(`tfcluster: ${note}\n`);
      const sim = await launch(cluster, { transport: opts.transport, virtualGpus: opts.virtualGpus, seed: opts.seed, forwardStderr: true, ...(token ? { token } : {}) });
      stopOnSignals(() => sim.stop());
      for (const job of sim.spec.jobs) {
        for (const i of sim.spec.taskIndices(job)) process.stdout.write(`/job:${job}/task:${i}\t${sim.target(job, i)}\n`);
      }
      process.stdout.write("cluster running; Ctrl-C stops it\n");
      await new Promise<void>(() => {});
    });

  addClientSecurityFlags(program.command("devices"))
    .description("list the devices of the cluster behind a server")
    .argument("<target>", "a server target such as grpc://localhost:2222")
    .option("--timeout <ms>", "give up after this many milliseconds", int, 10_000)
    .action(async (target: string, opts: ClientSecurityFlags & { timeout: number }) => {
      const sess = new Session(target, { config: { operationTimeoutInMs: opts.timeout }, security: clientSecurity(opts) });
      try {
        const devices = await sess.listDevices();
        for (const d of devices) process.stdout.write(`${d.name}\t${d.deviceType}\t${d.memoryLimitBytes}\n`);
        reportUnreachable(devices.missing);
      } finally {
        await sess.close();
      }
    });

  addClientSecurityFlags(program.command("status"))
    .description("report every queue and resource of the cluster: sizes, capacities, closed flags and the ops waiting on them")
    .argument("<target>", "a server target such as grpc://localhost:2222")
    .option("--timeout <ms>", "give up after this many milliseconds", int, 10_000)
    .option("--json", "print JSON")
    .action(async (target: string, opts: ClientSecurityFlags & { timeout: number; json?: boolean }) => {
      const status = await clusterStatus(target, { timeoutMs: opts.timeout, security: clientSecurity(opts) });
      process.stdout.write(opts.json ? `${JSON.stringify(status, null, 2)}\n` : formatTasks(status.tasks) + formatStatus(status, status.unreachable.length > 0));
      reportUnreachable(status.unreachable);
    });

  addDemoCommand(program);
  addSimulateCommand(program);
  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .then(
    () => {
      // server and sim keep running; the others are done.
    },
    (err: unknown) => {
      process.stderr.write(`tfcluster: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
