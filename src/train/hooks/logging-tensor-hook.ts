/**
 * LoggingTensorHook: logs "tag = value, ..." every `everyNIter` local iterations or `everyNSecs`
 * seconds (with " (x.xxx sec)" since the previous line), and/or once more at the end.
 * @example const hook = new tf.train.LoggingTensorHook({loss, step}, {everyNIter: 10});
 */
import type { Session } from "../../client/session.js";
import { getDefaultGraph } from "../../graph/graph.js";
import type { Graph } from "../../graph/graph.js";
import { Tensor } from "../../graph/tensor.js";
import type { Clock } from "../../util/env.js";
import { log } from "../../util/logger.js";
import { formatValue } from "./hook-utils.js";
import { SecondOrStepTimer } from "./second-or-step-timer.js";
import { SessionRunArgs, SessionRunHook } from "./session-run-hook.js";
import type { ClockUser, SessionRunValues } from "./session-run-hook.js";

export type LoggedTensors = Record<string, Tensor | string> | (Tensor | string)[];

export interface LoggingTensorHookOptions {
  everyNIter?: number | null;
  everyNSecs?: number | null;
  atEnd?: boolean;
  /** Replaces the whole line: gets {tag: value}. */
  formatter?: (values: Record<string, unknown>) => string;
  clock?: Clock;
  /** Where lines go; the project logger by default. */
  log?: (line: string) => void;
}

/** "x" means "x:0" unless the op has more outputs (TF's _as_graph_element). */
function resolve(graph: Graph, t: Tensor | string): Tensor {
  if (t instanceof Tensor) {
    if (t.graph !== graph) throw new Error(`Passed ${t.name} should have graph attribute that is equal to current graph ${String(graph)}.`);
    return t;
  }
  if (t.includes(":")) return graph.getTensorByName(t);
  const op = graph.getOperationByName(t);
  if (op.outputs.length > 1) throw new Error(`Name ${t} is ambiguous, as this \`Operation\` has multiple outputs (at least 2).`);
  return graph.getTensorByName(`${t}:0`);
}

export class LoggingTensorHook extends SessionRunHook implements ClockUser {
  private readonly tagOrder: string[];
  private readonly sources: Record<string, Tensor | string>;
  private readonly timer: SecondOrStepTimer | null;
  private readonly ownClock: boolean;
  private current: Record<string, Tensor> = {};
  private iterCount = 0;
  private shouldTrigger = false;

  constructor(
    tensors: LoggedTensors,
    private readonly options: LoggingTensorHookOptions = {},
  ) {
    super();
    const iter = options.everyNIter ?? null;
    const secs = options.everyNSecs ?? null;
    const onlyAtEnd = options.atEnd === true && iter === null && secs === null;
    if (!onlyAtEnd && (iter === null) === (secs === null)) throw new Error("either at_end and/or exactly one of every_n_iter and every_n_secs must be provided.");
    if (iter !== null && iter <= 0) throw new Error(`invalid every_n_iter=${iter}.`);
    if (Array.isArray(tensors)) {
      this.tagOrder = tensors.map((t) => (t instanceof Tensor ? t.name : t));
      this.sources = Object.fromEntries(tensors.map((t, i) => [this.tagOrder[i]!, t]));
    } else {
      this.tagOrder = Object.keys(tensors).sort();
      this.sources = { ...tensors };
    }
    this.timer = onlyAtEnd ? null : new SecondOrStepTimer({ everySteps: iter, everySecs: secs, ...(options.clock ? { clock: options.clock } : {}) });
    this.ownClock = options.clock !== undefined;
  }

  useClock(clock: Clock): void {
    if (this.timer && !this.ownClock) this.timer.clock = clock;
  }

  override begin(): void {
    this.timer?.reset();
    this.iterCount = 0;
    const graph = getDefaultGraph();
    this.current = Object.fromEntries(Object.entries(this.sources).map(([tag, t]) => [tag, resolve(graph, t)]));
  }

  override beforeRun(): SessionRunArgs | null {
    this.shouldTrigger = this.timer?.shouldTriggerForStep(this.iterCount) ?? false;
    return this.shouldTrigger ? new SessionRunArgs(this.current) : null;
  }

  override afterRun(_ctx: unknown, runValues: SessionRunValues): void {
    if (this.shouldTrigger) this.logTensors(runValues.results as Record<string, unknown>);
    this.iterCount++;
  }

  override async end(session: Session): Promise<void> {
    if (this.options.atEnd) this.logTensors((await session.run(this.current)) as Record<string, unknown>);
  }

  private logTensors(values: Record<string, unknown>): void {
    const [elapsedSecs] = this.timer?.updateLastTriggeredStep(this.iterCount) ?? [null];
    const out = this.options.log ?? log.info;
    if (this.options.formatter) {
      out(this.options.formatter(values));
      return;
    }
    const line = this.tagOrder.map((tag) => `${tag} = ${formatValue(values[tag])}`).join(", ");
    out(elapsedSecs !== null ? `${line} (${elapsedSecs.toFixed(3)} sec)` : line);
  }
}
