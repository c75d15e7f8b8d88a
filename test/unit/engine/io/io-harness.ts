/**
 * A tiny in-test session for the I/O kernels: runs an op and everything it depends on with the
 * real kernels, on one ResourceManager that persists across runs (as a task's does), so queues
 * and readers keep their state between `run` calls. Temp directories are made and removed here.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import "../../../../src/engine/kernels/all.js";
import { getKernel } from "../../../../src/engine/kernels/registry.js";
import type { KernelContext } from "../../../../src/engine/kernels/registry.js";
import { ResourceManager } from "../../../../src/engine/resources/resource-manager.js";
import { AttrReader } from "../../../../src/graph/graph-def.js";
import type { NodeDef } from "../../../../src/graph/graph-def.js";
import { Operation } from "../../../../src/graph/graph.js";
import type { Tensor } from "../../../../src/graph/tensor.js";
import type { NDArray } from "../../../../src/tensor/ndarray.js";
import { SeededRandom, systemClock } from "../../../../src/util/env.js";

export const DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0";

export interface RunOptions {
  feeds?: Map<Tensor, NDArray>;
  signal?: AbortSignal;
  /** The device each op runs on (DEVICE by default). */
  deviceFor?: (op: Operation) => string;
}

export class MiniSession {
  private stepId = 0;
  private readonly nodeDefs = new WeakMap<Operation, NodeDef>();

  constructor(
    readonly resources = new ResourceManager("localhost"),
    readonly sessionHandle = "s1",
  ) {}

  private nodeDef(op: Operation): NodeDef {
    let def = this.nodeDefs.get(op);
    if (!def) this.nodeDefs.set(op, (def = op.toNodeDef()));
    return def;
  }

  /** The outputs of `target` (an op's outputs; a tensor's op outputs). */
  async run(target: Tensor | Operation, options: RunOptions = {}): Promise<NDArray[]> {
    const done = new Map<Operation, Promise<NDArray[]>>();
    const stepId = ++this.stepId;
    const signal = options.signal ?? new AbortController().signal;
    const exec = (op: Operation): Promise<NDArray[]> => {
      let p = done.get(op);
      if (p) return p;
      p = (async () => {
        for (const c of op.controlInputs) await exec(c);
        const inputs: NDArray[] = [];
        for (const t of op.inputs) inputs.push(options.feeds?.get(t) ?? (await exec(t.op))[t.index]!);
        const node = this.nodeDef(op);
        const kernel = getKernel(node.op);
        if (!kernel) throw new Error(`no kernel for ${node.op}`);
        const device = options.deviceFor?.(op) ?? DEVICE;
        const ctx: KernelContext = {
          node,
          attrs: new AttrReader(node),
          inputs,
          device: { name: device, type: "CPU", job: "localhost", task: 0 },
          resources: this.resources,
          step: { stepId, sessionHandle: this.sessionHandle, signal, clock: systemClock, random: new SeededRandom(stepId) },
        };
        return kernel.compute(ctx);
      })();
      done.set(op, p);
      return p;
    };
    return exec(target instanceof Operation ? target : target.op);
  }

  /** The value of one tensor. */
  async value(t: Tensor, options: RunOptions = {}): Promise<NDArray> {
    return (await this.run(t, options))[t.index]!;
  }
}

/** Runs kernel `type` once on `inputs`, as node `name` on DEVICE. */
export async function runKernel(type: string, inputs: NDArray[], resources = new ResourceManager("localhost"), name = type): Promise<NDArray[]> {
  const kernel = getKernel(type);
  if (!kernel) throw new Error(`no kernel for ${type}`);
  const node: NodeDef = { name, op: type, input: [], device: DEVICE, attr: {} };
  return kernel.compute({
    node,
    attrs: new AttrReader(node),
    inputs,
    device: { name: DEVICE, type: "CPU", job: "localhost", task: 0 },
    resources,
    step: { stepId: 1, sessionHandle: "direct", signal: new AbortController().signal, clock: systemClock, random: new SeededRandom(1) },
  });
}

/** A fresh temp directory; `cleanup` removes it. */
export function tempDir(prefix = "tfcluster-io-"): { dir: string; path: (name: string) => string; write: (name: string, data: string | Uint8Array) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    path: (name) => join(dir, name),
    write: (name, data) => {
      const p = join(dir, name);
      writeFileSync(p, data);
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const utf8 = new TextDecoder();

/** A string NDArray's elements as JS strings. */
export function texts(a: NDArray): string[] {
  return (a.data as Uint8Array[]).map((b) => utf8.decode(b));
}

/** Rejects with the error a promise rejects with, or fails if it resolves. */
export async function errorOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a rejection");
}
