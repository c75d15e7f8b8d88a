/**
 * tf.train.Scaffold: the pieces a MonitoredSession needs to create, initialize or restore a model
 * (init op, ready ops, local init op, saver, summary op). `finalize()` takes each missing piece
 * from its graph collection, building TF's default (and adding it there) when the collection is
 * empty, then finalizes the graph. Scaffolds in one graph thus share their defaults.
 * @example const scaffold = new tf.train.Scaffold({saver: new tf.train.Saver({maxToKeep: 10})});
 */
import type { FeedDict, Session } from "../client/session.js";
import { getDefaultGraph, GraphKeys } from "../graph/graph.js";
import type { Operation } from "../graph/graph.js";
import type { Graph } from "../graph/graph.js";
import { group } from "../graph/ops/control.js";
import type { Tensor } from "../graph/tensor.js";
import { globalVariables, globalVariablesInitializer, localVariablesInitializer, reportUninitializedVariables } from "../graph/variables.js";
import { tracer } from "../util/logger.js";
import { Saver } from "./saver.js";

/** INFO-level messages of TF (hidden by default there too): TFCLUSTER_TRACE=train shows them. */
const trace = tracer("train");

export const READY_FOR_LOCAL_INIT_OP = "ready_for_local_init_op";
export const SUMMARY_OP = "summary_op";
export const SAVERS = "savers";

export type InitFn = (scaffold: Scaffold, session: Session) => void | Promise<void>;

export interface ScaffoldOptions {
  initOp?: Operation | null;
  initFeedDict?: FeedDict | null;
  initFn?: InitFn | null;
  readyOp?: Tensor | null;
  readyForLocalInitOp?: Tensor | null;
  localInitOp?: Operation | null;
  summaryOp?: Tensor | null;
  saver?: Saver | null;
  copyFromScaffold?: Scaffold;
}

/** The one item of `key`, or null; more than one is TF's RuntimeError. */
function itemOf<T>(graph: Graph, key: string, argName: string): T | null {
  const items = graph.getCollection<T>(key);
  if (items.length > 1) {
    throw new Error(`More than one item in the collection "${key}". Please indicate which one to use by passing it to the tf.Scaffold constructor as:  tf.Scaffold(${argName}=item to use)`);
  }
  return items[0] ?? null;
}

function getOrDefault<T>(graph: Graph, key: string, argName: string, build: () => T | null): T | null {
  const found = itemOf<T>(graph, key, argName);
  if (found !== null) return found;
  const made = build();
  if (made !== null) graph.addToCollection(key, made);
  return made;
}

export class Scaffold {
  initOp: Operation | null = null;
  initFeedDict: FeedDict | null = null;
  initFn: ((session: Session) => void | Promise<void>) | null = null;
  readyOp: Tensor | null = null;
  readyForLocalInitOp: Tensor | null = null;
  localInitOp: Operation | null = null;
  summaryOp: Tensor | null = null;
  saver: Saver | null = null;
  private readonly given: ScaffoldOptions;
  private finalizedFlag = false;

  constructor(options: ScaffoldOptions = {}) {
    const from = options.copyFromScaffold;
    if (from !== undefined && !(from instanceof Scaffold)) throw new TypeError("copy_from_scaffold is not a Scaffold instance.");
    this.given = from ? { ...from.given, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } : options;
  }

  get finalized(): boolean {
    return this.finalizedFlag;
  }

  /** Fills every missing piece from its collection or TF's default, then finalizes the graph. */
  finalize(graph: Graph = getDefaultGraph()): this {
    if (this.finalizedFlag) return this;
    graph.asDefault(() => {
      const g = this.given;
      this.initOp = g.initOp ?? getOrDefault(graph, GraphKeys.INIT_OP, "init_op", () => group(globalVariablesInitializer(), { name: "init" }));
      this.readyOp = g.readyOp ?? getOrDefault(graph, GraphKeys.READY_OP, "ready_op", () => reportUninitializedVariables());
      this.readyForLocalInitOp =
        g.readyForLocalInitOp ?? getOrDefault(graph, READY_FOR_LOCAL_INIT_OP, "ready_for_local_init_op", () => reportUninitializedVariables(globalVariables()));
      this.localInitOp = g.localInitOp ?? getOrDefault(graph, GraphKeys.LOCAL_INIT_OP, "local_init_op", () => group(localVariablesInitializer(), { name: "local_init" }));
      this.summaryOp = g.summaryOp ?? itemOf<Tensor>(graph, SUMMARY_OP, "summary_op");
      this.saver = g.saver ?? getOrDefault(graph, SAVERS, "saver", () => new Saver({ sharded: true, allowEmpty: true }));
      this.initFeedDict = g.initFeedDict ?? null;
      const initFn = g.initFn;
      this.initFn = initFn ? (session) => initFn(this, session) : null;
    });
    graph.finalize();
    trace("Graph was finalized.");
    this.finalizedFlag = true;
    return this;
  }
}

