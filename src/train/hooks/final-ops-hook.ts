/**
 * FinalOpsHook: runs `finalOps` when the session ends and keeps their values.
 * @example const hook = new tf.train.FinalOpsHook({accuracy}); ...; hook.finalOpsValues
 */
import type { FeedDict, Session } from "../../client/session.js";
import type { Fetches } from "../../client/fetches.js";
import { OutOfRangeError } from "../../errors/index.js";
import { log } from "../../util/logger.js";
import { SessionRunHook } from "./session-run-hook.js";

export class FinalOpsHook extends SessionRunHook {
  /** The final ops' values, shaped as `finalOps` (null until the session ended). */
  finalOpsValues: unknown = null;

  constructor(
    private readonly finalOps: Fetches,
    private readonly options: { finalOpsFeedDict?: FeedDict } = {},
  ) {
    super();
  }

  override async end(session: Session): Promise<void> {
    if (this.finalOps === null || this.finalOps === undefined) return;
    try {
      this.finalOpsValues = await session.run(this.finalOps, this.options.finalOpsFeedDict ? { feedDict: this.options.finalOpsFeedDict } : {});
    } catch (err) {
      if (err instanceof OutOfRangeError) {
        log.warn(
          "An OutOfRangeError was raised while running the final ops of FinalOpsHook. This typically means that they read from an input " +
            "pipeline that was already exhausted: build the final ops so that they do not depend on the training input.",
        );
      }
      throw err;
    }
  }
}
