/**
 * tf.train.SingularMonitoredSession: a chief MonitoredSession that never recovers (a preemption
 * error reaches the caller) and gives access to its raw session.
 * @example const sess = await tf.train.SingularMonitoredSession.create({checkpointDir: "/train", hooks});
 */
import type { Session } from "../client/session.js";
import type { Graph } from "../graph/graph.js";
import type { ConfigProto } from "../transport/messages.js";
import type { Clock } from "../util/env.js";
import type { SessionRunHook } from "./hooks/session-run-hook.js";
import { MonitoredSession } from "./monitored-session.js";
import type { Scaffold } from "./scaffold.js";
import { ChiefSessionCreator } from "./session-creators.js";

export interface SingularMonitoredSessionOptions {
  hooks?: SessionRunHook[];
  scaffold?: Scaffold;
  master?: string;
  config?: ConfigProto;
  checkpointDir?: string | null;
  stopGracePeriodSecs?: number;
  checkpointFilenameWithPath?: string | null;
  clock?: Clock;
  graph?: Graph;
}

export class SingularMonitoredSession extends MonitoredSession {
  constructor(options: SingularMonitoredSessionOptions = {}) {
    super({
      sessionCreator: new ChiefSessionCreator({
        ...(options.scaffold ? { scaffold: options.scaffold } : {}),
        master: options.master ?? "",
        ...(options.config ? { config: options.config } : {}),
        checkpointDir: options.checkpointDir ?? null,
        checkpointFilenameWithPath: options.checkpointFilenameWithPath ?? null,
        ...(options.graph ? { graph: options.graph } : {}),
      }),
      hooks: options.hooks ?? [],
      stopGracePeriodSecs: options.stopGracePeriodSecs ?? 120,
      shouldRecover: false,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.graph ? { graph: options.graph } : {}),
    });
  }

  static override async create(options: SingularMonitoredSessionOptions = {}): Promise<SingularMonitoredSession> {
    const s = new SingularMonitoredSession(options);
    await s.ready();
    return s;
  }

  /** The underlying tf.Session (null once closed). */
  rawSession(): Session | null {
    return this.currentSession();
  }
}
