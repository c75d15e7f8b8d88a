/**
 * One hooked run (TF's _HookedSession.run): every hook's beforeRun adds fetches, feeds and
 * options; one session.run carries them all with the caller's; every hook's afterRun gets its
 * own results. A run that fails calls no afterRun.
 */
import type { FeedDict, FeedKey, RunArgs, Session } from "../client/session.js";
import type { Fetches } from "../client/fetches.js";
import { isTensorConvertible, Tensor } from "../graph/tensor.js";
import type { RunMetadata, RunOptions } from "../transport/messages.js";
import { SessionRunArgs, SessionRunContext, SessionRunValues } from "./hooks/session-run-hook.js";
import type { SessionRunHook } from "./hooks/session-run-hook.js";

function feedName(key: FeedKey): string {
  if (typeof key === "string") return /:\d+$/.test(key) ? key : `${key}:0`;
  if (key instanceof Tensor) return key.name;
  if (isTensorConvertible(key)) return key.toTensor().name;
  return String(key);
}

function entriesOf(feed: FeedDict | null | undefined): [FeedKey, unknown][] {
  if (!feed) return [];
  return feed instanceof Map ? [...feed.entries()] : feed.map(([k, v]) => [k, v]);
}

/** Options of the hooks merged into the caller's: the larger timeout and trace level win. */
function mergeOptions(into: RunOptions, extra: RunOptions | null): void {
  if (!extra) return;
  if (extra.timeoutInMs !== undefined) into.timeoutInMs = Math.max(into.timeoutInMs ?? 0, extra.timeoutInMs);
  if (extra.traceLevel === "full") into.traceLevel = "full";
  else if (extra.traceLevel !== undefined && into.traceLevel === undefined) into.traceLevel = extra.traceLevel;
}

export interface HookedRunResult {
  results: unknown;
  stopRequested: boolean;
}

export async function hookedRun(sess: Session, hooks: readonly SessionRunHook[], fetches: Fetches, args: RunArgs = {}): Promise<HookedRunResult> {
  const context = new SessionRunContext(new SessionRunArgs(fetches, args.feedDict ?? null, args.options ?? null), sess);
  const options: RunOptions = { ...(args.options ?? {}) };
  const runMetadata: RunMetadata = args.runMetadata ?? {};
  const hookFetches: Fetches[] = [];
  const hookFeeds = new Map<string, [FeedKey, unknown]>();
  const conflicts: string[] = [];
  for (const hook of hooks) {
    const request = await hook.beforeRun(context);
    hookFetches.push(request?.fetches ?? null);
    for (const [k, v] of entriesOf(request?.feedDict)) {
      const name = feedName(k);
      if (hookFeeds.has(name)) conflicts.push(name);
      hookFeeds.set(name, [k, v]);
    }
    mergeOptions(options, request?.options ?? null);
  }
  if (conflicts.length > 0) throw new Error(`Same tensor is fed by two hooks. Conflict(s): [${conflicts.map((c) => `'${c}'`).join(", ")}]`);
  const userFeeds = entriesOf(args.feedDict);
  const userConflicts = userFeeds.map(([k]) => feedName(k)).filter((n) => hookFeeds.has(n));
  if (userConflicts.length > 0) throw new Error(`Same tensor is fed by a SessionRunHook and user. Conflict(s): [${userConflicts.map((c) => `'${c}'`).join(", ")}]`);
  const feedDict: [FeedKey, unknown][] = [...userFeeds, ...hookFeeds.values()];
  const outputs = (await sess.run([fetches, ...hookFetches], { feedDict, options, runMetadata })) as unknown[];
  for (const [i, hook] of hooks.entries()) {
    await hook.afterRun(context, new SessionRunValues(outputs[i + 1] ?? null, options, runMetadata));
  }
  return { results: outputs[0], stopRequested: context.stopRequested };
}
