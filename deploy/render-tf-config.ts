/**
 * Prints the TF_CONFIG of this StatefulSet pod, built from its hostname and the TFCLUSTER_*
 * variables of deploy/k8s/statefulset.yaml (see tf-config.ts). Used by statefulset-entry.sh.
 * Run: HOSTNAME=tfcluster-worker-1 TFCLUSTER_JOB=worker TFCLUSTER_JOBS=ps=1,worker=2 TFCLUSTER_SERVICE=tfcluster node --import tsx deploy/render-tf-config.ts
 */
import { podEnvFromVariables, statefulSetTfConfig } from "./tf-config.js";

try {
  process.stdout.write(`${JSON.stringify(statefulSetTfConfig(podEnvFromVariables(process.env)))}\n`);
} catch (err) {
  process.stderr.write(`render-tf-config: ${(err as Error).message}\n`);
  process.exit(1);
}
