/**
 * The TF_CONFIG each pod of a deployment receives (deploy/k8s/), computed in one place so that the
 * StatefulSet's entry script and the deployment test agree on it:
 * - Kubeflow's TFJob: the training operator writes TF_CONFIG itself; `tfJobTfConfigs` reproduces its
 *   rule (replica type lower-cased as the job, one address per replica
 *   `<tfjob>-<type>-<i>.<namespace>.svc:<port>`, the port of the container `tensorflow`'s port
 *   `tfjob-port`, default 2222, and `"environment": "cloud"`).
 * - A StatefulSet per job behind one headless Service: `statefulSetTfConfig` builds it from the
 *   pod's hostname (`<service>-<job>-<ordinal>`, the ordinal is the task index) and the cluster
 *   shape the manifest gives in TFCLUSTER_JOBS ("ps=1,worker=2").
 * Plain data in, plain JSON out: no Kubernetes client, no YAML parser (the image has neither).
 */

/** The standard TF_CONFIG, as tf.train.parseTfConfig reads it. */
export interface TfConfigJson {
  cluster: Record<string, string[]>;
  task: { type: string; index: number };
  environment?: string;
}

/** The parts of a TFJob manifest the operator reads to build TF_CONFIG. */
export interface TfJobManifest {
  metadata: { name: string; namespace?: string };
  spec: {
    tfReplicaSpecs: Record<
      string,
      { replicas?: number; template: { spec: { containers: { name: string; ports?: { name?: string; containerPort: number }[] }[] } } }
    >;
  };
}

/** TF_CONFIG of one pod, with the pod's name. */
export interface PodTfConfig {
  pod: string;
  tfConfig: TfConfigJson;
}

const TFJOB_CONTAINER = "tensorflow";
const TFJOB_PORT_NAME = "tfjob-port";
const TFJOB_DEFAULT_PORT = 2222;

function tfJobPort(replicaType: string, spec: TfJobManifest["spec"]["tfReplicaSpecs"][string]): number {
  const container = spec.template.spec.containers.find((c) => c.name === TFJOB_CONTAINER);
  if (!container) throw new Error(`TFJob replica ${replicaType} has no container named '${TFJOB_CONTAINER}': the operator gives TF_CONFIG only to that container`);
  return container.ports?.find((p) => p.name === TFJOB_PORT_NAME)?.containerPort ?? TFJOB_DEFAULT_PORT;
}

/** The TF_CONFIG of every pod of a TFJob, as the Kubeflow training operator (kubeflow.org/v1) builds it. */
export function tfJobTfConfigs(tfjob: TfJobManifest, clusterDomain = ""): PodTfConfig[] {
  const namespace = tfjob.metadata.namespace ?? "default";
  const cluster: Record<string, string[]> = {};
  for (const [replicaType, spec] of Object.entries(tfjob.spec.tfReplicaSpecs)) {
    const job = replicaType.toLowerCase();
    const port = tfJobPort(replicaType, spec);
    const suffix = clusterDomain ? `.${clusterDomain}` : "";
    cluster[job] = Array.from({ length: spec.replicas ?? 1 }, (_, i) => `${tfjob.metadata.name}-${job}-${i}.${namespace}.svc${suffix}:${port}`);
  }
  return Object.entries(cluster).flatMap(([job, addresses]) =>
    addresses.map((_, index) => ({ pod: `${tfjob.metadata.name}-${job}-${index}`, tfConfig: { cluster, task: { type: job, index }, environment: "cloud" } })),
  );
}

/** "ps=1,worker=2" → {ps: 1, worker: 2}, in the order given. */
export function parseJobs(text: string): Record<string, number> {
  const jobs: Record<string, number> = {};
  for (const part of text.split(",").map((p) => p.trim()).filter((p) => p !== "")) {
    const m = /^([a-z][a-z0-9_]*)=(\d+)$/.exec(part);
    if (!m) throw new Error(`TFCLUSTER_JOBS: expected 'job=replicas' such as 'ps=1,worker=2', got '${part}'`);
    jobs[m[1]!] = Number(m[2]);
  }
  if (Object.keys(jobs).length === 0) throw new Error("TFCLUSTER_JOBS is empty: give 'job=replicas' for every job, such as 'ps=1,worker=2'");
  return jobs;
}

/** What a StatefulSet pod knows about itself: its hostname and the environment its manifest sets. */
export interface StatefulSetPodEnv {
  /** The pod's hostname, `<service>-<job>-<ordinal>`. */
  hostname: string;
  /** This pod's job (TFCLUSTER_JOB). */
  job: string;
  /** Every job and its replica count (TFCLUSTER_JOBS). */
  jobs: Record<string, number>;
  /** The headless Service, also the prefix of each job's StatefulSet name (TFCLUSTER_SERVICE). */
  service: string;
  namespace: string;
  port: number;
  /** Appended after `.svc` when set (TFCLUSTER_CLUSTER_DOMAIN), e.g. "cluster.local". */
  clusterDomain?: string;
}

/** The TF_CONFIG of one pod of the StatefulSet variant: its task index is its ordinal. */
export function statefulSetTfConfig(env: StatefulSetPodEnv): TfConfigJson {
  const m = /^(.+)-(\d+)$/.exec(env.hostname);
  const expectedSet = `${env.service}-${env.job}`;
  if (!m || m[1] !== expectedSet) throw new Error(`hostname '${env.hostname}' is not a pod of the StatefulSet '${expectedSet}' (expected '${expectedSet}-<ordinal>')`);
  const index = Number(m[2]);
  const replicas = env.jobs[env.job];
  if (replicas === undefined) throw new Error(`job '${env.job}' is not in TFCLUSTER_JOBS (${Object.keys(env.jobs).join(", ")})`);
  if (index >= replicas) throw new Error(`pod ordinal ${index} is not a task of job '${env.job}', which has ${replicas} (TFCLUSTER_JOBS must match the StatefulSet's replicas)`);
  const suffix = env.clusterDomain ? `.${env.clusterDomain}` : "";
  const cluster = Object.fromEntries(
    Object.entries(env.jobs).map(([job, n]) => [job, Array.from({ length: n }, (_, i) => `${env.service}-${job}-${i}.${env.service}.${env.namespace}.svc${suffix}:${env.port}`)]),
  );
  return { cluster, task: { type: env.job, index } };
}

function required(env: Record<string, string | undefined>, name: string): string {
  const value = env[name];
  if (value === undefined || value === "") throw new Error(`${name} is not set (deploy/k8s/statefulset.yaml sets it)`);
  return value;
}

/** Reads a StatefulSet pod's environment variables (HOSTNAME, TFCLUSTER_*, POD_NAMESPACE). */
export function podEnvFromVariables(env: Record<string, string | undefined>): StatefulSetPodEnv {
  const port = Number(env.TFCLUSTER_PORT ?? "2222");
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`TFCLUSTER_PORT must be a port number, got '${env.TFCLUSTER_PORT}'`);
  return {
    hostname: required(env, "HOSTNAME"),
    job: required(env, "TFCLUSTER_JOB"),
    jobs: parseJobs(required(env, "TFCLUSTER_JOBS")),
    service: required(env, "TFCLUSTER_SERVICE"),
    namespace: env.POD_NAMESPACE || "default",
    port,
    ...(env.TFCLUSTER_CLUSTER_DOMAIN ? { clusterDomain: env.TFCLUSTER_CLUSTER_DOMAIN } : {}),
  };
}

/** The same TF_CONFIG with every address replaced through `rewrite` (e.g. to 127.0.0.1 and a free port). */
export function rewriteAddresses(config: TfConfigJson, rewrite: (address: string) => string): TfConfigJson {
  const cluster = Object.fromEntries(Object.entries(config.cluster).map(([job, addresses]) => [job, addresses.map(rewrite)]));
  return { ...config, cluster };
}
