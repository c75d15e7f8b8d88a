/**
 * Queue kernels (TF's queue_op.cc and the queue kinds' op kernels): the four queue-creating ops,
 * which create or look up the queue in the task's resource manager and output its handle, and
 * the ops that take that handle as input 0. Blocking ops return Promises that the step's signal
 * cancels. `timeout_ms` is accepted and ignored, as in TF ("not supported yet").
 */
import { InternalError, InvalidArgumentError } from "../../errors/index.js";
import type { Shape } from "../../graph/graph-def.js";
import type { DType } from "../../tensor/dtypes.js";
import { NDArray } from "../../tensor/ndarray.js";
import type { ResourceHandle } from "../../tensor/resource-handle.js";
import { FIFOQueue } from "../resources/fifo-queue.js";
import { PaddingFIFOQueue } from "../resources/padding-fifo-queue.js";
import { PriorityQueue } from "../resources/priority-queue.js";
import { QUEUE_RESOURCE_KIND, QueueBase } from "../resources/queue-base.js";
import type { AttemptOptions, QueueConfig, QueueRequest } from "../resources/queue-base.js";
import type { PartialShape } from "../resources/queue-elements.js";
import { RandomShuffleQueue } from "../resources/random-shuffle-queue.js";
import { registerKernel } from "./registry.js";
import type { KernelContext } from "./registry.js";

// ---- private queue names ----

/**
 * A queue op without shared_name gets a queue private to its node in this session: one name per
 * (session, device, node), so repeated runs of the node in the session see the same queue and
 * other sessions (or nodes) never do. The worker frees them when the session ends.
 */
function privateQueueName(ctx: KernelContext): string {
  return ctx.resources.privateName(ctx.step.sessionHandle, ctx.device.name, ctx.node.name);
}

// ---- queue-creating ops ----

function attrShapes(ctx: KernelContext): PartialShape[] {
  const shapes: Shape[] = ctx.attrs.list("shapes").shape ?? [];
  return shapes.map((s) => {
    if (s === null) throw new InvalidArgumentError(`${ctx.node.op} '${ctx.node.name}': all queue shapes must have a defined rank`);
    return s.map((d) => (d === null || d < 0 ? -1 : d));
  });
}

interface QueueKind {
  /** PriorityQueue's attrs leave out the int64 priority component; the kernel adds it (and its shape). */
  withPriority: boolean;
  make(ctx: KernelContext, config: QueueConfig, request: QueueRequest): QueueBase;
}

function queueRequest(ctx: KernelContext, kind: QueueKind): QueueRequest {
  let componentTypes: DType[] = ctx.attrs.list("component_types").type ?? [];
  let shapes = attrShapes(ctx);
  if (kind.withPriority) {
    componentTypes = ["int64", ...componentTypes];
    if (shapes.length > 0) shapes = [[], ...shapes];
  }
  return {
    nodeName: ctx.node.name,
    opType: ctx.node.op,
    componentTypes,
    shapes,
    capacity: ctx.attrs.i("capacity", -1),
    minAfterDequeue: ctx.attrs.i("min_after_dequeue", 0),
    seed: ctx.attrs.i("seed", 0),
    seed2: ctx.attrs.i("seed2", 0),
  };
}

function queueHandleKernel(kind: QueueKind): (ctx: KernelContext) => NDArray[] {
  return (ctx) => {
    const sharedName = ctx.attrs.s("shared_name", "");
    if (sharedName.startsWith("_")) throw new InvalidArgumentError(`shared_name cannot start with '_':${sharedName}`);
    const name = sharedName || privateQueueName(ctx);
    const container = ctx.resources.resolveContainer(ctx.attrs.s("container", ""));
    const request = queueRequest(ctx, kind);
    const existing = ctx.resources.lookup(container, QUEUE_RESOURCE_KIND, name);
    if (existing !== undefined) {
      if (!(existing instanceof QueueBase)) throw new InternalError(`Resource ${container}/${name}/${QUEUE_RESOURCE_KIND} is not a queue`);
      existing.checkCompatible(request);
    } else {
      const config: QueueConfig = {
        name,
        componentTypes: request.componentTypes,
        shapes: request.shapes,
        capacity: request.capacity,
        clock: ctx.step.clock,
      };
      ctx.resources.create(container, QUEUE_RESOURCE_KIND, name, kind.make(ctx, config, request));
    }
    const handle: ResourceHandle = { device: ctx.device.name, container, name, kind: QUEUE_RESOURCE_KIND };
    return [new NDArray("resource", [], [handle])];
  };
}

const queueKinds: Record<string, QueueKind> = {
  FIFOQueueV2: { withPriority: false, make: (_ctx, config) => new FIFOQueue(config) },
  PaddingFIFOQueueV2: { withPriority: false, make: (_ctx, config) => new PaddingFIFOQueue(config) },
  PriorityQueueV2: { withPriority: true, make: (_ctx, config) => new PriorityQueue(config) },
  RandomShuffleQueueV2: {
    withPriority: false,
    make: (ctx, config, request) =>
      new RandomShuffleQueue({
        ...config,
        minAfterDequeue: request.minAfterDequeue ?? 0,
        seed: request.seed ?? 0,
        seed2: request.seed2 ?? 0,
        // Seeds (0, 0) mean "pick fresh seeds": drawn from the step's source, so a seeded run replays.
        ...(request.seed === 0 && request.seed2 === 0 ? { random: ctx.step.random.fork() } : {}),
      }),
  },
};

for (const [type, kind] of Object.entries(queueKinds)) registerKernel(type, queueHandleKernel(kind), { stateful: true });

// ---- ops on a queue handle ----

/** The queue named by input 0 (the master placed this op on the queue's device). */
function queueOf(ctx: KernelContext): QueueBase {
  const h = ctx.inputs[0];
  if (!h || h.dtype !== "resource" || h.size !== 1) {
    throw new InvalidArgumentError(`${ctx.node.op} expects a queue handle as input 0`);
  }
  const handle = (h.data as ResourceHandle[])[0]!;
  const q = ctx.resources.get(handle.container, handle.kind, handle.name);
  if (!(q instanceof QueueBase)) throw new InvalidArgumentError(`Resource ${handle.container}/${handle.name} is not a queue`);
  return q;
}

function attemptOptions(ctx: KernelContext): AttemptOptions {
  return { signal: ctx.step.signal, stepId: ctx.step.stepId };
}

/** The int32 scalar `n` of dequeue_many / dequeue_up_to. */
function countInput(ctx: KernelContext): number {
  const n = ctx.inputs[1];
  if (!n || n.size !== 1) throw new InvalidArgumentError(`${ctx.node.op} expects a scalar element count as input 1`);
  return Number((n.data as Int32Array)[0]);
}

/** The dequeue ops' `component_types` attr must name the queue's types (TF's MatchSignature). */
function checkOutputTypes(ctx: KernelContext, q: QueueBase): void {
  const declared = ctx.attrs.list("component_types").type;
  if (!declared) return;
  if (declared.length !== q.componentTypes.length || declared.some((t, i) => t !== q.componentTypes[i])) {
    throw new InvalidArgumentError(
      `Signature mismatch, have: resource->${q.componentTypes.join(",")} expected: resource->${declared.join(",")}`,
    );
  }
}

const handleOps: Record<string, (ctx: KernelContext) => NDArray[] | Promise<NDArray[]>> = {
  QueueEnqueueV2: async (ctx) => {
    await queueOf(ctx).enqueue(ctx.inputs.slice(1), attemptOptions(ctx));
    return [];
  },
  QueueEnqueueManyV2: async (ctx) => {
    await queueOf(ctx).enqueueMany(ctx.inputs.slice(1), attemptOptions(ctx));
    return [];
  },
  QueueDequeueV2: (ctx) => {
    const q = queueOf(ctx);
    checkOutputTypes(ctx, q);
    return q.dequeue(attemptOptions(ctx));
  },
  QueueDequeueManyV2: (ctx) => {
    const q = queueOf(ctx);
    checkOutputTypes(ctx, q);
    return q.dequeueMany(countInput(ctx), attemptOptions(ctx));
  },
  QueueDequeueUpToV2: (ctx) => {
    const q = queueOf(ctx);
    checkOutputTypes(ctx, q);
    return q.dequeueUpTo(countInput(ctx), attemptOptions(ctx));
  },
  QueueCloseV2: async (ctx) => {
    await queueOf(ctx).close({ ...attemptOptions(ctx), cancelPendingEnqueues: ctx.attrs.b("cancel_pending_enqueues", false) });
    return [];
  },
  QueueSizeV2: (ctx) => [new NDArray("int32", [], Int32Array.of(queueOf(ctx).size()))],
  QueueIsClosedV2: (ctx) => [new NDArray("bool", [], Uint8Array.of(queueOf(ctx).isClosed() ? 1 : 0))],
};

for (const [type, compute] of Object.entries(handleOps)) registerKernel(type, compute, { stateful: true });

/** The op types this file registers. */
export const QUEUE_OP_TYPES: readonly string[] = [...Object.keys(queueKinds), ...Object.keys(handleOps)];
