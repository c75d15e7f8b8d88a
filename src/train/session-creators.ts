/**
 * The session creators a MonitoredSession uses: the chief's prepares the model (restore the
 * latest checkpoint, else initialize); a worker's waits until the chief has made it ready.
 * @example new tf.train.MonitoredSession({sessionCreator: new tf.train.WorkerSessionCreator({master: server.target})})
 */
import type { Session } from "../client/session.js";
import { getDefaultGraph } from "../graph/graph.js";
import type { Graph } from "../graph/graph.js";
import type { ConfigProto } from "../transport/messages.js";
import { systemClock } from "../util/env.js";
import type { Clock } from "../util/env.js";
import type { ClockUser } from "./hooks/session-run-hook.js";
import { Scaffold } from "./scaffold.js";
import { SessionManager } from "./session-manager.js";

export interface SessionCreator {
  createSession(): Promise<Session>;
}

export interface SessionCreatorOptions {
  scaffold?: Scaffold;
  /** The target ('' for a private in-process session). */
  master?: string;
  config?: ConfigProto;
  /** The graph (the default graph when the creator is built). */
  graph?: Graph;
  /** Between polls for a ready model or a checkpoint (TF's SessionManager default: 30 s). */
  recoveryWaitSecs?: number;
  clock?: Clock;
}

abstract class BaseCreator implements SessionCreator, ClockUser {
  readonly scaffold: Scaffold;
  readonly master: string;
  readonly graph: Graph;
  protected clock: Clock;
  private readonly ownClock: boolean;
  private manager: SessionManager | null = null;

  constructor(protected readonly options: SessionCreatorOptions) {
    this.scaffold = options.scaffold ?? new Scaffold();
    this.master = options.master ?? "";
    this.graph = options.graph ?? getDefaultGraph();
    this.clock = options.clock ?? systemClock;
    this.ownClock = options.clock !== undefined;
  }

  useClock(clock: Clock): void {
    if (!this.ownClock && this.manager === null) this.clock = clock;
  }

  /** One manager per creator, built from the finalized scaffold (as TF caches it). */
  protected sessionManager(): SessionManager {
    this.manager ??= new SessionManager({
      localInitOp: this.scaffold.localInitOp,
      readyOp: this.scaffold.readyOp,
      readyForLocalInitOp: this.scaffold.readyForLocalInitOp,
      graph: this.graph,
      clock: this.clock,
      ...(this.options.recoveryWaitSecs !== undefined ? { recoveryWaitSecs: this.options.recoveryWaitSecs } : {}),
    });
    return this.manager;
  }

  abstract createSession(): Promise<Session>;
}

export interface ChiefSessionCreatorOptions extends SessionCreatorOptions {
  checkpointDir?: string | null;
  checkpointFilenameWithPath?: string | null;
}

export class ChiefSessionCreator extends BaseCreator {
  constructor(private readonly chiefOptions: ChiefSessionCreatorOptions = {}) {
    super(chiefOptions);
  }

  async createSession(): Promise<Session> {
    this.scaffold.finalize(this.graph);
    const s = this.scaffold;
    return this.sessionManager().prepareSession(this.master, {
      saver: s.saver,
      checkpointDir: this.chiefOptions.checkpointDir ?? null,
      checkpointFilenameWithPath: this.chiefOptions.checkpointFilenameWithPath ?? null,
      initOp: s.initOp,
      initFeedDict: s.initFeedDict,
      initFn: s.initFn,
      ...(this.options.config ? { config: this.options.config } : {}),
    });
  }
}

export interface WorkerSessionCreatorOptions extends SessionCreatorOptions {
  /** How long to wait for the chief to make the model ready (30 min). */
  maxWaitSecs?: number;
}

export class WorkerSessionCreator extends BaseCreator {
  constructor(private readonly workerOptions: WorkerSessionCreatorOptions = {}) {
    super(workerOptions);
  }

  async createSession(): Promise<Session> {
    this.scaffold.finalize(this.graph);
    return this.sessionManager().waitForSession(this.master, {
      maxWaitSecs: this.workerOptions.maxWaitSecs ?? 30 * 60,
      ...(this.options.config ? { config: this.options.config } : {}),
    });
  }
}
