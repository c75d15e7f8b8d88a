/**
 * A session's callables (TF's MakeCallable / RunCallable / ReleaseCallable): a step signature —
 * feeds, fetches, targets, run options — fixed once and run by an int64 handle with values only.
 * Each run is an ordinary step of the session, so it shares the step cache of RunStep.
 */
import { InvalidArgumentError } from "../../errors/index.js";
import type * as m from "../../transport/messages.js";

export class CallableTable {
  private readonly callables = new Map<number, m.CallableOptions>();
  private nextHandle = 0;

  make(options: m.CallableOptions): number {
    const handle = this.nextHandle++;
    this.callables.set(handle, { feed: [...options.feed], fetch: [...options.fetch], target: [...options.target], runOptions: { ...options.runOptions } });
    return handle;
  }

  /** The RunStep that runs callable `handle` on `feed` (one value per declared feed). */
  stepRequest(sessionHandle: string, handle: number, feed: m.RunCallableRequest["feed"]): m.RunStepRequest {
    const c = this.get(handle);
    if (feed.length !== c.feed.length) {
      throw new InvalidArgumentError(`Invalid number of feed values: expected ${c.feed.length} but got ${feed.length}`);
    }
    return {
      sessionHandle,
      feed: c.feed.map((name, i) => ({ name, tensor: feed[i]! })),
      fetch: c.fetch,
      target: c.target,
      options: c.runOptions,
    };
  }

  /** The fetched values in the callable's fetch order. */
  fetches(handle: number, res: m.RunStepResponse): m.RunCallableResponse {
    const c = this.get(handle);
    const out: m.RunCallableResponse = { fetch: c.fetch.map((_, i) => res.tensor[i]!.tensor) };
    if (res.metadata) out.metadata = res.metadata;
    return out;
  }

  release(handle: number): void {
    this.get(handle);
    this.callables.delete(handle);
  }

  private get(handle: number): m.CallableOptions {
    const c = this.callables.get(handle);
    if (!c) throw new InvalidArgumentError(`No such callable handle: ${handle}`);
    return c;
  }
}
