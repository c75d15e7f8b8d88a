/** Each task's own seed, derived from the cluster's seed, the task's name and its incarnation (FNV-1a). */
export function taskSeed(seed: number, job: string, task: number, incarnation = 0): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  const name = incarnation === 0 ? `${job}/${task}` : `${job}/${task}#${incarnation}`;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h;
}
