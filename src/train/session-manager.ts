/**
 * tf.train.SessionManager: opens sessions whose model is ready. The chief prepares one (restores
 * the latest checkpoint, else runs the init op), other workers wait until the chief has made the
 * model ready, polling every `recoveryWaitSecs` until `maxWaitSecs` run out. All waits use the
 * injected clock, so they follow a simulator's virtual time.
 * @example const sm = new tf.train.SessionManager({readyOp}); const sess = await sm.waitForSession(target, {maxWaitSecs: 600});
 */
import { Session } from "../client/session.js";
import type { FeedDict } from "../client/session.js";
import type { ConfigProto, RunOptions } from "../transport/messages.js";
import { DeadlineExceededError, FailedPreconditionError } from "../errors/index.js";
import { getDefaultGraph } from "../graph/graph.js";
import type { Graph, Operation } from "../graph/graph.js";
import type { Tensor } from "../graph/tensor.js";
import type { NDArray } from "../tensor/ndarray.js";
import { systemClock } from "../util/env.js";
import type { Clock } from "../util/env.js";
import { log, tracer } from "../util/logger.js";
import { getCheckpointState } from "./checkpoint-state.js";
import { sleepMs } from "./hooks/hook-utils.js";
import type { Saver } from "./saver.js";

const trace = tracer("train");

export interface SessionManagerOptions {
  localInitOp?: Operation | null;
  readyOp?: Tensor | null;
  readyForLocalInitOp?: Tensor | null;
  graph?: Graph;
  /** Between polls for a ready model or a checkpoint (TF: 30 s). */
  recoveryWaitSecs?: number;
  localInitRunOptions?: RunOptions;
  clock?: Clock;
}

export interface RestoreOptions {
  saver?: Saver | null;
  checkpointDir?: string | null;
  checkpointFilenameWithPath?: string | null;
  waitForCheckpoint?: boolean;
  maxWaitSecs?: number;
  config?: ConfigProto;
}

export interface PrepareSessionOptions extends RestoreOptions {
  initOp?: Operation | null;
  initFeedDict?: FeedDict | null;
  initFn?: ((session: Session) => void | Promise<void>) | null;
}

type Readiness = [boolean, string | null];

/** TF's _maybe_name. */
function nameOf(obj: { name?: string } | ((...args: never[]) => unknown) | null | undefined): string {
  if (obj === null || obj === undefined) return "None";
  if (typeof obj === "function") return `<no name for ${obj.name || "function"}>`;
  return obj.name ?? `<no name for ${String(obj)}>`;
}

async function safeClose(sess: Session): Promise<void> {
  await sess.close().catch(() => {});
}

export class SessionManager {
  readonly graph: Graph;
  readonly recoveryWaitSecs: number;
  private readonly clock: Clock;

  constructor(private readonly options: SessionManagerOptions = {}) {
    if (options.readyForLocalInitOp && !options.localInitOp) {
      throw new Error(`If you pass a ready_for_local_init_op you must also pass a local_init_op , ready_for_local_init_op [${options.readyForLocalInitOp.name}]`);
    }
    this.graph = options.graph ?? getDefaultGraph();
    this.recoveryWaitSecs = options.recoveryWaitSecs ?? 30;
    this.clock = options.clock ?? systemClock;
  }

  private newSession(master: string, config?: ConfigProto): Session {
    return new Session(master, { graph: this.graph, ...(config ? { config } : {}) });
  }

  /** Opens a session and restores `checkpointFilenameWithPath` or the latest checkpoint of `checkpointDir`. */
  private async restoreCheckpoint(master: string, o: RestoreOptions): Promise<[Session, boolean]> {
    if (o.checkpointDir && o.checkpointFilenameWithPath) throw new Error("Can not provide both checkpoint_dir and checkpoint_filename_with_path.");
    const sess = this.newSession(master, o.config);
    try {
      if (!o.saver || !(o.checkpointDir || o.checkpointFilenameWithPath)) return [sess, false];
      if (o.checkpointFilenameWithPath) {
        await o.saver.restore(sess, o.checkpointFilenameWithPath);
        return [sess, true];
      }
      const maxWaitSecs = o.maxWaitSecs ?? 7200;
      let waitedSecs = 0;
      let state = await getCheckpointState(o.checkpointDir!);
      while (!state?.modelCheckpointPath) {
        if (!o.waitForCheckpoint || waitedSecs >= maxWaitSecs) return [sess, false];
        trace("Waiting for checkpoint to be available.");
        await sleepMs(this.clock, this.recoveryWaitSecs * 1000);
        waitedSecs += this.recoveryWaitSecs;
        state = await getCheckpointState(o.checkpointDir!);
      }
      await o.saver.restore(sess, state.modelCheckpointPath);
      // So that max_to_keep survives restarts.
      await o.saver.recoverLastCheckpoints(state.allModelCheckpointPaths);
      return [sess, true];
    } catch (err) {
      await safeClose(sess);
      throw err;
    }
  }

  /**
   * The chief's session: restored from the checkpoint, or initialized by `initOp` / `initFn`;
   * then the local init op; then the model must be ready (TF's RuntimeErrors otherwise).
   */
  async prepareSession(master: string, o: PrepareSessionOptions = {}): Promise<Session> {
    const [sess, restored] = await this.restoreCheckpoint(master, o);
    try {
      if (!restored) {
        if (!o.initOp && !o.initFn && !this.options.localInitOp) throw new Error("Model is not initialized and no init_op or init_fn or local_init_op was given");
        if (o.initOp) await sess.run(o.initOp, o.initFeedDict ? { feedDict: o.initFeedDict } : {});
        if (o.initFn) await o.initFn(sess);
      }
      const [localOk, localMsg] = await this.tryRunLocalInitOp(sess);
      if (!localOk) throw new Error(`Init operations did not make model ready for local_init.  Init op: ${nameOf(o.initOp)}, init fn: ${nameOf(o.initFn)}, error: ${localMsg}`);
      const [ok, msg] = await this.modelReady(sess);
      if (!ok) {
        throw new Error(
          `Init operations did not make model ready.  Init op: ${nameOf(o.initOp)}, init fn: ${nameOf(o.initFn)}, local_init_op: ${nameOf(this.options.localInitOp)}, error: ${msg}`,
        );
      }
      return sess;
    } catch (err) {
      await safeClose(sess);
      throw err;
    }
  }

  /** Restores without initializing; [session, whether the model is ready]. Always tries the local init op. */
  async recoverSession(master: string, o: RestoreOptions = {}): Promise<[Session, boolean]> {
    const [sess, restored] = await this.restoreCheckpoint(master, o);
    const [localOk, localMsg] = await this.tryRunLocalInitOp(sess);
    if (!restored) return [sess, false];
    const path = o.checkpointFilenameWithPath ?? o.checkpointDir;
    if (!localOk) {
      trace(`Restoring model from ${path} did not make model ready for local init: ${localMsg}`);
      return [sess, false];
    }
    const [ok, msg] = await this.modelReady(sess);
    if (!ok) {
      trace(`Restoring model from ${path} did not make model ready: ${msg}`);
      return [sess, false];
    }
    trace(`Restored model from ${path}`);
    return [sess, true];
  }

  /**
   * A worker's session: polls (a new session each time) until the chief has made the model ready,
   * for at most `maxWaitSecs` (no limit by default): then DeadlineExceededError.
   */
  async waitForSession(master: string, o: { config?: ConfigProto; maxWaitSecs?: number | null } = {}): Promise<Session> {
    const maxWaitSecs = o.maxWaitSecs ?? Infinity;
    const deadlineMs = this.clock.nowMs() + maxWaitSecs * 1000;
    for (;;) {
      const sess = this.newSession(master, o.config);
      let notReady: string | null = null;
      let notReadyLocal: string | null = null;
      try {
        const [localOk, localMsg] = await this.tryRunLocalInitOp(sess);
        notReadyLocal = localMsg;
        if (localOk) {
          const [ok, msg] = await this.modelReady(sess);
          if (ok) return sess;
          notReady = msg;
        }
      } catch (err) {
        await safeClose(sess);
        throw err;
      }
      await safeClose(sess);
      if (deadlineMs - this.clock.nowMs() - this.recoveryWaitSecs * 1000 < 0) throw new DeadlineExceededError(`Session was not ready after waiting ${maxWaitSecs} secs.`);
      trace(`Waiting for model to be ready.  Ready_for_local_init_op:  ${notReadyLocal}, ready: ${notReady}`);
      await sleepMs(this.clock, this.recoveryWaitSecs * 1000);
    }
  }

  private modelReady(sess: Session): Promise<Readiness> {
    return this.ready(this.options.readyOp, sess, "Model not ready");
  }

  private async tryRunLocalInitOp(sess: Session): Promise<Readiness> {
    const op = this.options.localInitOp;
    if (!op) return [true, null];
    const [ok, msg] = await this.ready(this.options.readyForLocalInitOp, sess, "Model not ready for local init");
    if (!ok) return [false, msg];
    trace("Running local_init_op.");
    await sess.run(op, this.options.localInitRunOptions ? { options: this.options.localInitRunOptions } : {});
    trace("Done running local_init_op.");
    return [true, null];
  }

  /** TF's _ready: an empty report (or none) is ready; else the uninitialized names. */
  private async ready(op: Tensor | null | undefined, sess: Session, msg: string): Promise<Readiness> {
    if (!op) return [true, null];
    try {
      const value = (await sess.run(op)) as NDArray | null;
      if (value === null || value.dtype === "int32" || value.size === 0) return [true, null];
      const names = (value.toArray() as string[]).join(", ");
      return [false, `Variables not initialized: ${names}`];
    } catch (err) {
      if (err instanceof FailedPreconditionError && err.message.includes("uninitialized")) return [false, err.message];
      if (err instanceof FailedPreconditionError) log.warn(`${msg} : error [${err.message}]`);
      throw err;
    }
  }
}
