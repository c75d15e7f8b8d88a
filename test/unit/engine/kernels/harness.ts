/**
 * Runs kernels for real, outside any session: a KernelContext with a real ResourceManager, a
 * SeededRandom, the system clock and an AbortController signal. `evaluate` runs every op a set of
 * graph tensors depends on, in dataflow order, so builders and kernels are tested together.
 */
// Every kernel family of the op builders, so `evaluate` can run composite graphs.
import "../../../../src/engine/kernels/array.js";
import "../../../../src/engine/kernels/array-index.js";
import "../../../../src/engine/kernels/control.js";
import "../../../../src/engine/kernels/creation.js";
import "../../../../src/engine/kernels/math.js";
import "../../../../src/engine/kernels/math-reduce.js";
import "../../../../src/engine/kernels/nn.js";
import type { AttrValue, NodeDef } from "../../../../src/graph/graph-def.js";
import { AttrReader } from "../../../../src/graph/graph-def.js";
import { Graph } from "../../../../src/graph/graph.js";
import type { Operation } from "../../../../src/graph/graph.js";
import type { Tensor } from "../../../../src/graph/tensor.js";
import { beforeAll, describe } from "vitest";
import { initBackend } from "../../../../src/engine/compute/backend.js";
import type { BackendName } from "../../../../src/engine/compute/backend.js";
import { getKernel } from "../../../../src/engine/kernels/registry.js";
import type { KernelContext } from "../../../../src/engine/kernels/registry.js";
import { ResourceManager } from "../../../../src/engine/resources/resource-manager.js";
import type { NDArray } from "../../../../src/tensor/ndarray.js";
import { SeededRandom, systemClock } from "../../../../src/util/env.js";
import type { Random } from "../../../../src/util/env.js";

export interface RunOptions {
  /** The step's random source (seed 1 by default). */
  random?: Random;
  resources?: ResourceManager;
  signal?: AbortSignal;
}

let stepCounter = 0;

/** Runs the kernel of `node` on `inputs`. */
export async function runNode(node: NodeDef, inputs: NDArray[], options: RunOptions = {}): Promise<NDArray[]> {
  const def = getKernel(node.op);
  if (!def) throw new Error(`no kernel registered for ${node.op}`);
  const ctx: KernelContext = {
    node,
    attrs: new AttrReader(node),
    inputs,
    device: { name: "/job:localhost/replica:0/task:0/device:CPU:0", type: "CPU", job: "localhost", task: 0 },
    resources: options.resources ?? new ResourceManager("localhost"),
    step: {
      stepId: ++stepCounter,
      sessionHandle: "harness",
      signal: options.signal ?? new AbortController().signal,
      clock: systemClock,
      random: options.random ?? new SeededRandom(1),
    },
  };
  return def.compute(ctx);
}

/** Runs kernel `type` on `inputs` with `attrs`, as node `name`. */
export function runKernel(
  type: string,
  inputs: NDArray[],
  attrs: Record<string, AttrValue> = {},
  options: RunOptions & { name?: string } = {},
): Promise<NDArray[]> {
  return runNode({ name: options.name ?? type, op: type, input: [], device: "", attr: attrs }, inputs, options);
}

/** Runs `type` and returns output 0. */
export async function runKernel1(type: string, inputs: NDArray[], attrs: Record<string, AttrValue> = {}, options: RunOptions & { name?: string } = {}): Promise<NDArray> {
  const [out] = await runKernel(type, inputs, attrs, options);
  if (!out) throw new Error(`${type} produced no output`);
  return out;
}

/** One NodeDef per Operation, so stateful kernels keyed by node (seeded random ops) persist. */
const nodeDefs = new WeakMap<Operation, NodeDef>();

function nodeDefOf(op: Operation): NodeDef {
  let def = nodeDefs.get(op);
  if (!def) nodeDefs.set(op, (def = op.toNodeDef()));
  return def;
}

/**
 * The values of `fetches`, running every op they depend on (control inputs included); `feeds`
 * replaces tensors' values (placeholders) as a session's feed_dict does.
 */
export async function evaluate(fetches: Tensor[], feeds: Map<Tensor, NDArray> = new Map(), options: RunOptions = {}): Promise<NDArray[]> {
  const done = new Map<Operation, NDArray[]>();
  const run = async (op: Operation): Promise<NDArray[]> => {
    const cached = done.get(op);
    if (cached) return cached;
    for (const c of op.controlInputs) await run(c);
    const inputs: NDArray[] = [];
    for (const t of op.inputs) inputs.push(feeds.get(t) ?? (await run(t.op))[t.index]!);
    const outs = await runNode(nodeDefOf(op), inputs, options);
    done.set(op, outs);
    return outs;
  };
  const out: NDArray[] = [];
  for (const t of fetches) out.push(feeds.get(t) ?? (await run(t.op))[t.index]!);
  return out;
}

/** `evaluate` for one tensor. */
export async function evaluate1(t: Tensor, feeds: Map<Tensor, NDArray> = new Map(), options: RunOptions = {}): Promise<NDArray> {
  return (await evaluate([t], feeds, options))[0]!;
}

/** Runs an op for its side effects (a NoOp target with control inputs). */
export async function runOp(op: Operation, options: RunOptions = {}): Promise<void> {
  const t = op.outputs[0];
  if (t) await evaluate([t], new Map(), options);
  else {
    for (const c of op.controlInputs) await runOp(c, options);
    await runNode(nodeDefOf(op), [], options);
  }
}

/** Element-wise closeness for float results (float32 tolerance). */
export function expectClose(actual: NDArray, expected: number[], tol = 1e-5): void {
  const got = Array.from(actual.data as ArrayLike<number>, Number);
  if (got.length !== expected.length) throw new Error(`expected ${expected.length} values, got ${got.length}: [${got.join(", ")}]`);
  got.forEach((v, i) => {
    const e = expected[i]!;
    if (!(Math.abs(v - e) <= tol * Math.max(1, Math.abs(e))) && !(Number.isNaN(v) && Number.isNaN(e))) {
      throw new Error(`element ${i}: expected ${e}, got ${v} (all: [${got.join(", ")}])`);
    }
  });
}

/** The backends every kernel we ship must pass its tests on. */
export const TESTED_BACKENDS: readonly BackendName[] = ["wasm", "cpu"];

/** Runs a suite once per backend, with that backend selected (tfjs-core's describeWithFlags, for us). */
export function describeOnBackends(title: string, body: (backend: BackendName) => void): void {
  for (const backend of TESTED_BACKENDS) {
    describe(`${title} [${backend}]`, () => {
      beforeAll(() => initBackend(backend));
      body(backend);
    });
  }
}

/** Builds with a fresh graph as the default graph. */
export function inGraph<T>(fn: (g: Graph) => T): T {
  const g = new Graph();
  return g.asDefault(() => fn(g));
}
