/**
 * FeedFnHook: feeds what `feedFn()` returns into every run.
 * @example const hook = new tf.train.FeedFnHook(() => [[x, nextBatch()]]);
 */
import type { FeedDict } from "../../client/session.js";
import { SessionRunArgs, SessionRunHook } from "./session-run-hook.js";

export class FeedFnHook extends SessionRunHook {
  constructor(private readonly feedFn: () => FeedDict) {
    super();
  }

  override beforeRun(): SessionRunArgs {
    return new SessionRunArgs(null, this.feedFn());
  }
}
