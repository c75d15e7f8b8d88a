/**
 * Dataflow executor for one registered partition. Kernels may be synchronous or return a
 * Promise (blocking queue and reader ops): a waiting kernel never blocks the task, other steps
 * keep running. The first failure aborts the step's signal so blocked kernels are cancelled.
 */
import { InvalidArgumentError, NotFoundError, withNode } from "../../errors/index.js";
import type { OpError } from "../../errors/index.js";
import { AttrReader, parseInput } from "../../graph/graph-def.js";
import type { GraphDef, NodeDef } from "../../graph/graph-def.js";
import { NDArray } from "../../tensor/ndarray.js";
import type { NodeExecStats } from "../../transport/messages.js";
import { getKernel } from "../kernels/registry.js";
import type { DeviceContext, KernelContext, KernelDef, StepContext, TaskPolicy } from "../kernels/registry.js";
import type { ResourceManager } from "../resources/resource-manager.js";
import { deref } from "../resources/variable-ref.js";
import { reasonOf } from "./rendezvous.js";
import type { StepRendezvous } from "./rendezvous.js";

interface ExecNode {
  def: NodeDef;
  attrs: AttrReader;
  kernel: KernelDef | null;
  device: DeviceContext;
  /** (producer node index, output index) per data input. */
  inputs: { node: number; output: number }[];
  pendingInit: number;
  /** Consumers to notify when this node is done (data and control edges alike). */
  out: number[];
}

export interface StepHooks {
  step: StepContext;
  resources: ResourceManager;
  /** Feed values for client-terminated _Recv nodes, by tensor name. */
  feeds: Map<string, NDArray>;
  rendezvous: StepRendezvous;
  /** Pulls a tensor sent by another task (RecvTensor on the sender). */
  remoteRecv(sendDevice: string, key: string, signal: AbortSignal): Promise<NDArray>;
  isLocalDevice(device: string): boolean;
  recordTimeline: boolean;
  /** The task's file roots and tensor budget. */
  policy?: TaskPolicy;
}

/**
 * A kernel's failure as the OpError the step fails with. A JS TypeError/RangeError out of a
 * kernel means its inputs or attrs were not what it can take (a graph from a peer may hold
 * anything): InvalidArgumentError naming the node, as TF's kernels check with OP_REQUIRES.
 */
function kernelError(err: unknown, def: NodeDef): OpError {
  if (err instanceof TypeError || err instanceof RangeError) {
    return new InvalidArgumentError(`${def.op} '${def.name}' cannot run on its inputs or attrs: ${err.message}`, { nodeName: def.name });
  }
  return withNode(err, def.name);
}

export interface StepResult {
  fetches: Map<string, NDArray>;
  nodeStats: Map<string, NodeExecStats[]>;
}

/** Marker value sent on control-only cross-task edges. */
const CONTROL_TOKEN = new NDArray("bool", [], new Uint8Array([1]));

/**
 * TF's rendezvous key: "send_device;send_incarnation;recv_device;tensor_name". The sender's
 * incarnation (as the session found it) lets a restarted sender refuse a key of its old life.
 */
export function rendezvousKey(sendDevice: string, sendIncarnation: number, recvDevice: string, tensorName: string): string {
  return `${sendDevice};${BigInt.asUintN(64, BigInt(sendIncarnation)).toString(16)};${recvDevice};${tensorName}`;
}

/** The sender incarnation field of a rendezvous key, as written by rendezvousKey. */
export function keyIncarnation(key: string): string {
  return key.split(";")[1] ?? "";
}

export class PartitionExecutable {
  private readonly nodes: ExecNode[] = [];

  constructor(graphDef: GraphDef, resolveDevice: (name: string) => DeviceContext) {
    const index = new Map<string, number>();
    graphDef.node.forEach((n, i) => index.set(n.name, i));
    for (const def of graphDef.node) {
      const special = def.op === "_Send" || def.op === "_Recv";
      const kernel = special ? null : getKernel(def.op);
      if (!special && !kernel) {
        throw new NotFoundError(`No OpKernel was registered to support Op '${def.op}' used by node ${def.name}`, { nodeName: def.name });
      }
      this.nodes.push({ def, attrs: new AttrReader(def), kernel: kernel ?? null, device: resolveDevice(def.device), inputs: [], pendingInit: 0, out: [] });
    }
    this.nodes.forEach((n, i) => {
      for (const raw of n.def.input) {
        const inp = parseInput(raw);
        const src = index.get(inp.node);
        if (src === undefined) throw new InvalidArgumentError(`Node '${n.def.name}': input '${raw}' is not in the partition`, { nodeName: n.def.name });
        if (!inp.control) n.inputs.push({ node: src, output: inp.index });
        n.pendingInit++;
        this.nodes[src]!.out.push(i);
      }
    });
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  run(hooks: StepHooks): Promise<StepResult> {
    return new StepRun(this.nodes, hooks).start();
  }
}

class StepRun {
  private readonly pending: number[];
  private readonly outputs: (NDArray[] | undefined)[];
  private remaining: number;
  private failed = false;
  private readonly fetches = new Map<string, NDArray>();
  private readonly stats = new Map<string, NodeExecStats[]>();
  private resolve!: (r: StepResult) => void;
  private reject!: (e: OpError) => void;

  constructor(
    private readonly nodes: ExecNode[],
    private readonly hooks: StepHooks,
  ) {
    this.pending = nodes.map((n) => n.pendingInit);
    this.outputs = new Array(nodes.length);
    this.remaining = nodes.length;
  }

  start(): Promise<StepResult> {
    const p = new Promise<StepResult>((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
    const signal = this.hooks.step.signal;
    if (signal.aborted) {
      this.fail(reasonOf(signal));
      return p;
    }
    signal.addEventListener("abort", () => this.fail(reasonOf(signal)), { once: true });
    if (this.remaining === 0) this.finish();
    const ready: number[] = [];
    this.pending.forEach((c, i) => c === 0 && ready.push(i));
    this.drain(ready);
    return p;
  }

  /** Runs ready nodes iteratively (no recursion), so long chains do not grow the stack. */
  private drain(ready: number[]): void {
    while (ready.length > 0 && !this.failed) {
      const i = ready.pop()!;
      const node = this.nodes[i]!;
      const startMicros = this.hooks.recordTimeline ? this.hooks.step.clock.nowMicros() : 0;
      let result: NDArray[] | Promise<NDArray[]>;
      try {
        result = this.execute(node);
      } catch (err) {
        this.fail(kernelError(err, node.def));
        return;
      }
      if (result instanceof Promise) {
        result.then(
          (outs) => {
            if (this.failed) return;
            const more: number[] = [];
            this.complete(i, outs, startMicros, more);
            this.drain(more);
          },
          (err: unknown) => this.fail(kernelError(err, node.def)),
        );
      } else {
        this.complete(i, result, startMicros, ready);
      }
    }
  }

  private complete(i: number, outs: NDArray[], startMicros: number, ready: number[]): void {
    const node = this.nodes[i]!;
    this.outputs[i] = outs;
    if (this.hooks.recordTimeline) this.record(node, startMicros);
    for (const c of node.out) if (--this.pending[c]! === 0) ready.push(c);
    if (--this.remaining === 0) this.finish();
  }

  private record(node: ExecNode, startMicros: number): void {
    const end = this.hooks.step.clock.nowMicros();
    const rel = Math.max(0, end - startMicros);
    let list = this.stats.get(node.device.name);
    if (!list) this.stats.set(node.device.name, (list = []));
    list.push({
      nodeName: node.def.name,
      allStartMicros: startMicros,
      opStartRelMicros: 0,
      opEndRelMicros: rel,
      allEndRelMicros: rel,
      timelineLabel: `${node.def.name} = ${node.def.op}(${node.def.input.filter((s) => !s.startsWith("^")).join(", ")})`,
    });
  }

  private inputsOf(node: ExecNode): NDArray[] {
    const refInputs = node.kernel?.refInputs ?? [];
    return node.inputs.map(({ node: src, output }, i) => {
      const v = this.outputs[src]?.[output];
      if (v === undefined) {
        throw new InvalidArgumentError(`Node '${node.def.name}' expected output ${output} of '${this.nodes[src]!.def.name}', which produced ${this.outputs[src]?.length ?? 0} outputs`);
      }
      // A ref edge into an input that takes a value reads the variable now (TF's executor does the same).
      return refInputs.includes(i) ? v : deref(v, this.hooks.resources, node.def.name);
    });
  }

  private execute(node: ExecNode): NDArray[] | Promise<NDArray[]> {
    const inputs = this.inputsOf(node);
    if (node.def.op === "_Send") return this.send(node, inputs);
    if (node.def.op === "_Recv") return this.recv(node);
    const ctx: KernelContext = {
      node: node.def,
      attrs: node.attrs,
      inputs,
      device: node.device,
      resources: this.hooks.resources,
      step: this.hooks.step,
      ...(this.hooks.policy ? { policy: this.hooks.policy } : {}),
    };
    return node.kernel!.compute(ctx);
  }

  private send(node: ExecNode, inputs: NDArray[]): NDArray[] {
    const name = node.attrs.s("tensor_name");
    const value = inputs[0] ?? CONTROL_TOKEN;
    if (node.attrs.b("client_terminated", false)) {
      this.fetches.set(name, value);
    } else {
      this.hooks.rendezvous.send(rendezvousKey(node.attrs.s("send_device"), node.attrs.i("send_device_incarnation", 0), node.attrs.s("recv_device"), name), value);
    }
    return [];
  }

  private recv(node: ExecNode): NDArray[] | Promise<NDArray[]> {
    const name = node.attrs.s("tensor_name");
    if (node.attrs.b("client_terminated", false)) {
      const v = this.hooks.feeds.get(name);
      if (v === undefined) throw new InvalidArgumentError(`No value was fed for '${name}'`);
      return [v];
    }
    const sendDevice = node.attrs.s("send_device");
    const key = rendezvousKey(sendDevice, node.attrs.i("send_device_incarnation", 0), node.attrs.s("recv_device"), name);
    const signal = this.hooks.step.signal;
    const p = this.hooks.isLocalDevice(sendDevice)
      ? this.hooks.rendezvous.recv(key, signal)
      : this.hooks.remoteRecv(sendDevice, key, signal);
    return p.then((v) => [v]);
  }

  private fail(err: OpError): void {
    if (this.failed || this.remaining === 0) return;
    this.failed = true;
    this.reject(err);
  }

  private finish(): void {
    if (this.failed) return;
    this.resolve({ fetches: this.fetches, nodeStats: this.stats });
  }
}
