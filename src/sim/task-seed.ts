/** Each task's own seed, derived from the cluster's seed and the task's name (FNV-1a). */
export function taskSeed(seed: number, job: string, task: number): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  for (const ch of `${job}/${task}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h;
}
