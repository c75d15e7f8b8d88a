/**
 * The deployment path of deploy/ without Kubernetes: the manifests are parsed, the TF_CONFIG each
 * pod would receive is rendered (TFJob: the training operator's rule; StatefulSet: the entry
 * script's renderer), its addresses are rewritten to 127.0.0.1 with free ports, and a real grpc
 * cluster of `tfcluster server` processes starts from exactly those values with the container's
 * arguments (token file from the secret volume, allowed data roots from the data volumes). A
 * client with the token runs a step across the ps and worker tasks; one without it is refused.
 */
import { execFile } from "node:child_process";
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { parseJobs, podEnvFromVariables, rewriteAddresses, statefulSetTfConfig, tfJobTfConfigs } from "../../deploy/tf-config.js";
import type { PodTfConfig, TfConfigJson, TfJobManifest } from "../../deploy/tf-config.js";
import { BIN, ROOT, freePort, startCli, stopProcess } from "../helpers/processes.js";
import type { CliProcess } from "../helpers/processes.js";

// js-yaml is in node_modules (through the dev tools); the image needs no YAML parser.
const yaml = createRequire(import.meta.url)("js-yaml") as { loadAll(text: string): unknown[] };

interface Container {
  name: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface PodSpec {
  containers: Container[];
  volumes?: { name: string; secret?: { secretName: string }; persistentVolumeClaim?: { claimName: string } }[];
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
  stringData?: Record<string, string>;
}

const manifests = (file: string) => yaml.loadAll(readFileSync(join(ROOT, "deploy/k8s", file), "utf8")) as Manifest[];
const shared = manifests("shared.yaml");
const secret = shared.find((m) => m.kind === "Secret")!;
const TOKEN = secret.stringData!.token!;

let work = "";
const servers: CliProcess[] = [];
let serverHelp = "";
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "tfcluster-deploy-"));
  serverHelp = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, [BIN, "server", "--help"], { cwd: ROOT }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
  );
}, 60_000);
afterAll(async () => {
  await Promise.all(servers.map((s) => stopProcess(s)));
  rmSync(work, { recursive: true, force: true });
});

/**
 * The pod's volumes on this host: a secret becomes a directory holding one file per key (as
 * Kubernetes mounts it), a claim an empty directory. Returns the container path → host path rule.
 */
function mountVolumes(pod: PodSpec, container: Container, podName: string): (path: string) => { path: string; readOnly: boolean } {
  const mounts = (container.volumeMounts ?? []).map((m) => {
    const volume = pod.volumes?.find((v) => v.name === m.name);
    expect(volume, `volume '${m.name}' of ${podName}`).toBeDefined();
    const dir = join(work, podName, m.name);
    mkdirSync(dir, { recursive: true });
    if (volume!.secret) {
      expect(volume!.secret.secretName).toBe(secret.metadata.name);
      for (const [key, value] of Object.entries(secret.stringData ?? {})) writeFileSync(join(dir, key), value);
    } else {
      expect(shared.some((m) => m.kind === "PersistentVolumeClaim" && m.metadata.name === volume!.persistentVolumeClaim?.claimName)).toBe(true);
    }
    return { mountPath: m.mountPath, dir, readOnly: m.readOnly === true };
  });
  return (path) => {
    const mount = mounts.find((m) => path === m.mountPath || path.startsWith(`${m.mountPath}/`));
    expect(mount, `${path} is on no volume of ${podName}`).toBeDefined();
    return { path: mount!.dir + path.slice(mount!.mountPath.length), readOnly: mount!.readOnly };
  };
}

/** The container's server flags with paths moved onto this host; flags this CLI lacks yet are left out. */
function serverArgs(pod: PodSpec, container: Container, podName: string): string[] {
  const args = container.args ?? [];
  const local = mountVolumes(pod, container, podName);
  for (const flag of ["--token-file", "--allow-read", "--allow-write"]) expect(args).toContain(flag);
  const out: string[] = [];
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i]!, args[i + 1]!];
    expect(flag).toMatch(/^--/);
    const mounted = local(value);
    // What the Saver writes must be on a writable volume.
    if (flag === "--allow-write") expect(mounted.readOnly, `${value} of ${podName}`).toBe(false);
    if (!serverHelp.includes(flag)) {
      expect(flag).toMatch(/^--allow-(read|write)$/); // being added to the CLI; everything else must exist
      continue;
    }
    out.push(flag, mounted.path);
  }
  expect(readFileSync(out[out.indexOf("--token-file") + 1]!, "utf8")).toBe(TOKEN);
  return out;
}

/** Every address of the cluster → 127.0.0.1 and a free port, the same for every pod. */
async function localAddresses(configs: TfConfigJson[]): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  for (const address of Object.values(configs[0]!.cluster).flat()) map.set(address, `127.0.0.1:${await freePort()}`);
  return map;
}

/** Starts one `tfcluster server` per pod from exactly its TF_CONFIG (rewritten) and its container's flags. */
async function startPods(pods: { pod: PodTfConfig; spec: PodSpec; container: Container }[]): Promise<tf.train.ClusterSpec> {
  const configs = pods.map((p) => p.pod.tfConfig);
  // Every pod is told the same cluster; the real parser accepts each TF_CONFIG.
  for (const c of configs) expect(c.cluster).toEqual(configs[0]!.cluster);
  for (const c of configs) expect(tf.train.parseTfConfig(JSON.stringify(c)).jobName).toBe(c.task.type);
  const map = await localAddresses(configs);
  const started = await Promise.all(
    pods.map(({ pod, spec, container }) => {
      const tfConfig = JSON.stringify(rewriteAddresses(pod.tfConfig, (a) => map.get(a)!));
      return startCli(["server", ...serverArgs(spec, container, pod.pod)], "listening at", 60_000, { TF_CONFIG: tfConfig });
    }),
  );
  servers.push(...started);
  return new tf.train.ClusterSpec(rewriteAddresses(configs[0]!, (a) => map.get(a)!).cluster);
}

/**
 * With the CLI's --allow-read (being added on branch `security`): graph kernels on the ps read its
 * data volume, and nothing else, not even the mounted token.
 */
async function checkDataRoots(target: string, psPod: string): Promise<void> {
  if (!serverHelp.includes("--allow-read")) return;
  const dataFile = join(work, psPod, "data", "rows.csv");
  writeFileSync(dataFile, "1,2\n");
  const g = new tf.Graph();
  const [allowed, refused] = g.asDefault(() => tf.device("/job:ps/task:0", () => [tf.readFile(dataFile), tf.readFile(join(work, psPod, "token", "token"))]));
  await using sess = new tf.Session(target, { graph: g, security: { token: TOKEN } });
  expect((await sess.run(allowed!)).item()).toBe("1,2\n");
  await expect(sess.run(refused!)).rejects.toBeInstanceOf(tf.errors.PermissionDeniedError);
}

/** A step across the tasks: w on the ps, w * 3 on worker 1, from a client of worker 0. */
async function runStepAcross(cluster: tf.train.ClusterSpec, psPod: string): Promise<void> {
  const g = new tf.Graph();
  const ops = g.asDefault(() =>
    tf.device(tf.train.replicaDeviceSetter({ cluster }), () => {
      const w = new tf.Variable(1.0, { name: "w" });
      const tripled = tf.device("/job:worker/task:1", () => tf.mul(w, 3, { name: "tripled" }));
      return { init: w.initializer, step: w.assignAdd(tripled) };
    }),
  );
  const target = `grpc://${cluster.taskAddress("worker", 0)}`;
  const stranger = new tf.Session(target, { graph: g });
  await expect(stranger.run(ops.init)).rejects.toBeInstanceOf(tf.errors.UnauthenticatedError);
  await stranger.close().catch(() => {});

  await using sess = new tf.Session(target, { graph: g, security: { token: TOKEN }, config: { operationTimeoutInMs: 30_000 } });
  await sess.run(ops.init);
  const md: tf.RunMetadata = {};
  expect((await sess.run(ops.step, { options: { traceLevel: "full" }, runMetadata: md })).item()).toBe(4);
  const devices = (md.stepStats?.devStats ?? []).map((d) => d.device.replace(/\/device:.*$/, ""));
  expect(devices).toEqual(expect.arrayContaining(["/job:ps/replica:0/task:0", "/job:worker/replica:0/task:1"]));
  await checkDataRoots(target, psPod);
}

function onlyContainer(spec: PodSpec, name: string): Container {
  const container = spec.containers.find((c) => c.name === name);
  expect(container, `container '${name}'`).toBeDefined();
  return container!;
}

describe("deploy/Dockerfile", () => {
  it("builds the server image from node:20-slim with production dependencies; every file it copies exists", () => {
    const text = readFileSync(join(ROOT, "deploy/Dockerfile"), "utf8");
    expect(text).toMatch(/^FROM node:20-slim$/m);
    expect(text).toMatch(/^RUN npm ci --omit=dev/m);
    expect(text).toMatch(/^WORKDIR \/app$/m);
    expect(text).toMatch(/^ENTRYPOINT \["node", "bin\/tfcluster.js", "server"\]$/m);
    const copied = [...text.matchAll(/^COPY (.+) \S+$/gm)].flatMap((m) => m[1]!.split(" "));
    expect(copied).toEqual(expect.arrayContaining(["bin", "src", "deploy", "package-lock.json"]));
    for (const path of copied) accessSync(join(ROOT, path));
    // BuildKit's per-Dockerfile ignore file must not hide what the image copies.
    const ignored = readFileSync(join(ROOT, "deploy/Dockerfile.dockerignore"), "utf8").split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"));
    expect(copied.filter((path) => ignored.includes(path))).toEqual([]);
  });

  it("npm ci --omit=dev installs every package that src/ and bin/ import", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    const files = ["bin", "src"].flatMap((dir) => (readdirSync(join(ROOT, dir), { recursive: true }) as string[]).filter((f) => /\.[jt]s$/.test(f)).map((f) => join(ROOT, dir, f)));
    const imported = new Set<string>();
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"|^\s*import\s+"([^"]+)"|\bimport\("([^"]+)"\)/gm)) {
        const spec = m[1] ?? m[2] ?? m[3]!;
        if (spec.startsWith(".") || spec.startsWith("node:")) continue;
        imported.add(spec.split("/").slice(0, spec.startsWith("@") ? 2 : 1).join("/"));
      }
    }
    expect([...imported]).toEqual(expect.arrayContaining(["tsx", "@grpc/grpc-js", "@tensorflow/tfjs-core", "commander"]));
    expect([...imported].filter((name) => !(name in pkg.dependencies))).toEqual([]);
  });
});

describe("Kubeflow TFJob (deploy/k8s/tfjob.yaml)", () => {
  it("the TF_CONFIG the operator gives each pod starts a grpc cluster that runs a step across ps and workers", async () => {
    const [tfjob, ...others] = manifests("tfjob.yaml");
    expect(others).toEqual([]);
    expect([tfjob!.apiVersion, tfjob!.kind]).toEqual(["kubeflow.org/v1", "TFJob"]);
    const replicaSpecs = (tfjob as unknown as TfJobManifest).spec.tfReplicaSpecs;
    expect(Object.keys(replicaSpecs)).toEqual(["PS", "Worker"]);

    const pods = tfJobTfConfigs(tfjob as unknown as TfJobManifest);
    expect(pods.map((p) => p.pod)).toEqual(["tfcluster-ps-0", "tfcluster-worker-0", "tfcluster-worker-1"]);
    expect(pods[2]!.tfConfig).toEqual({
      cluster: { ps: ["tfcluster-ps-0.default.svc:2222"], worker: ["tfcluster-worker-0.default.svc:2222", "tfcluster-worker-1.default.svc:2222"] },
      task: { type: "worker", index: 1 },
      environment: "cloud",
    });
    const replicaOf = (p: PodTfConfig) => Object.entries(replicaSpecs).find(([type]) => type.toLowerCase() === p.tfConfig.task.type)![1];
    const cluster = await startPods(
      pods.map((pod) => {
        const spec = replicaOf(pod).template.spec as unknown as PodSpec;
        return { pod, spec, container: onlyContainer(spec, "tensorflow") };
      }),
    );
    await runStepAcross(cluster, "tfcluster-ps-0");
  }, 180_000);
});

describe("StatefulSet + headless Service (deploy/k8s/statefulset.yaml)", () => {
  const docs = manifests("statefulset.yaml");
  const service = docs.find((d) => d.kind === "Service")!;
  const sets = docs.filter((d) => d.kind === "StatefulSet");
  const template = (set: Manifest) => (set.spec.template as { metadata: { labels: Record<string, string> }; spec: PodSpec });

  /** A pod's environment as Kubernetes sets it: the manifest's values, its namespace, its hostname. */
  function podEnv(set: Manifest, ordinal: number): Record<string, string> {
    const env: Record<string, string> = { HOSTNAME: `${set.metadata.name}-${ordinal}` };
    for (const e of onlyContainer(template(set).spec, "server").env ?? []) {
      if (e.value !== undefined) env[e.name] = e.value;
      else if (e.valueFrom?.fieldRef?.fieldPath === "metadata.namespace") env[e.name] = set.metadata.namespace ?? "default";
    }
    return env;
  }

  it("is one headless Service that publishes unready pods and one StatefulSet per job that it selects", () => {
    expect(service.spec).toMatchObject({ clusterIP: "None", publishNotReadyAddresses: true });
    expect(sets.map((s) => s.metadata.name)).toEqual(["tfcluster-ps", "tfcluster-worker"]);
    const selector = service.spec.selector as Record<string, string>;
    for (const set of sets) {
      expect(set.spec.serviceName).toBe(service.metadata.name);
      expect(template(set).metadata.labels).toMatchObject({ ...selector, ...(set.spec.selector as { matchLabels: object }).matchLabels });
      // TFCLUSTER_JOBS is the whole cluster: it must agree with every StatefulSet's replicas.
      expect(parseJobs(podEnv(set, 0).TFCLUSTER_JOBS!)).toEqual(Object.fromEntries(sets.map((s) => [podEnv(s, 0).TFCLUSTER_JOB, s.spec.replicas])));
      const entry = onlyContainer(template(set).spec, "server").command!;
      expect(entry).toEqual(["/app/deploy/statefulset-entry.sh"]);
      accessSync(join(ROOT, "deploy/statefulset-entry.sh"), constants.X_OK);
    }
  });

  it("the entry script builds the TF_CONFIG of the pod it runs in and execs `tfcluster server` with its own arguments", async () => {
    // --help: the server prints its usage instead of binding a name this host cannot resolve.
    const env = podEnv(sets[1]!, 1);
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
      execFile(join(ROOT, "deploy/statefulset-entry.sh"), ["--help"], { cwd: tmpdir(), env: { ...process.env, ...env } }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve({ stdout, stderr }),
      ),
    );
    expect(stdout).toContain("Usage: tfcluster server");
    const printed = /^tfcluster: TF_CONFIG=(.*)$/m.exec(stderr);
    expect(printed, stderr).not.toBeNull();
    expect(JSON.parse(printed![1]!)).toEqual({
      cluster: {
        ps: ["tfcluster-ps-0.tfcluster.default.svc.cluster.local:2222"],
        worker: ["tfcluster-worker-0.tfcluster.default.svc.cluster.local:2222", "tfcluster-worker-1.tfcluster.default.svc.cluster.local:2222"],
      },
      task: { type: "worker", index: 1 },
    });
  }, 60_000);

  it("refuses a hostname that is not an ordinal of its job's StatefulSet", () => {
    const env = podEnv(sets[1]!, 0);
    expect(() => statefulSetTfConfig(podEnvFromVariables({ ...env, HOSTNAME: "tfcluster-worker-2" }))).toThrow("pod ordinal 2 is not a task of job 'worker', which has 2");
    expect(() => statefulSetTfConfig(podEnvFromVariables({ ...env, HOSTNAME: "web-0" }))).toThrow("is not a pod of the StatefulSet 'tfcluster-worker'");
    expect(() => parseJobs("ps:1")).toThrow("expected 'job=replicas'");
  });

  it("the TF_CONFIG each pod builds from its hostname starts a grpc cluster that runs a step across ps and workers", async () => {
    const pods = sets.flatMap((set) =>
      Array.from({ length: set.spec.replicas as number }, (_, ordinal) => {
        const env = podEnv(set, ordinal);
        const pod: PodTfConfig = { pod: env.HOSTNAME!, tfConfig: statefulSetTfConfig(podEnvFromVariables(env)) };
        expect(pod.tfConfig.task).toEqual({ type: env.TFCLUSTER_JOB, index: ordinal });
        return { pod, spec: template(set).spec, container: onlyContainer(template(set).spec, "server") };
      }),
    );
    await runStepAcross(await startPods(pods), "tfcluster-ps-0");
  }, 180_000);
});
