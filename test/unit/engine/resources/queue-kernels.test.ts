/**
 * The queue kernels, called directly with a hand-made KernelContext: queue creation and sharing
 * (§3.2–3.3), private queues, and the ops that take the queue handle.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { CancelledError, InvalidArgumentError, NotFoundError, OutOfRangeError } from "../../../../src/errors/index.js";
import "../../../../src/engine/kernels/data-flow.js";
import { QUEUE_OP_TYPES } from "../../../../src/engine/kernels/data-flow.js";
import { getKernel } from "../../../../src/engine/kernels/registry.js";
import type { KernelContext } from "../../../../src/engine/kernels/registry.js";
import { QUEUE_RESOURCE_KIND, QueueBase } from "../../../../src/engine/resources/queue-base.js";
import { ResourceManager } from "../../../../src/engine/resources/resource-manager.js";
import { AttrReader } from "../../../../src/graph/graph-def.js";
import type { AttrValue, Shape } from "../../../../src/graph/graph-def.js";
import type { DType } from "../../../../src/tensor/dtypes.js";
import type { NDArray } from "../../../../src/tensor/ndarray.js";
import type { ResourceHandle } from "../../../../src/tensor/resource-handle.js";
import { SeededRandom } from "../../../../src/util/env.js";
import { expectError, f32, i32, ManualClock, tick, values, watch } from "./queue-helpers.js";

const DEVICE = "/job:ps/replica:0/task:0/device:CPU:0";
let resources: ResourceManager;
let stepId = 0;

beforeEach(() => {
  resources = new ResourceManager("ps");
});

interface RunOptions {
  session?: string;
  signal?: AbortSignal;
  random?: SeededRandom;
}

async function run(op: string, name: string, attr: Record<string, AttrValue>, inputs: NDArray[] = [], options: RunOptions = {}): Promise<NDArray[]> {
  const kernel = getKernel(op);
  if (!kernel) throw new Error(`no kernel ${op}`);
  expect(kernel.stateful).toBe(true);
  const node = { name, op, input: [], device: DEVICE, attr };
  const ctx: KernelContext = {
    node,
    attrs: new AttrReader(node),
    inputs,
    device: { name: DEVICE, type: "CPU", job: "ps", task: 0 },
    resources,
    step: {
      stepId: ++stepId,
      sessionHandle: options.session ?? "s1",
      signal: options.signal ?? new AbortController().signal,
      clock: new ManualClock(),
      random: options.random ?? new SeededRandom(1),
    },
  };
  return kernel.compute(ctx);
}

function queueAttrs(types: DType[], shapes: Shape[], capacity: number, sharedName = "", extra: Record<string, AttrValue> = {}): Record<string, AttrValue> {
  return {
    component_types: { list: { type: types } },
    shapes: { list: { shape: shapes } },
    capacity: { i: capacity },
    container: { s: "" },
    shared_name: { s: sharedName },
    ...extra,
  };
}

async function makeQueue(op: string, attrs: Record<string, AttrValue>, name = "q", options: RunOptions = {}): Promise<NDArray> {
  const [h] = await run(op, name, attrs, [], options);
  return h!;
}

function handleOf(h: NDArray): ResourceHandle {
  return (h.data as ResourceHandle[])[0]!;
}

function queueOf(h: NDArray): QueueBase {
  const { container, kind, name } = handleOf(h);
  return resources.get<QueueBase>(container, kind, name);
}

const deqAttrs = (types: DType[]): Record<string, AttrValue> => ({ component_types: { list: { type: types } }, timeout_ms: { i: -1 } });
const enqAttrs = (types: DType[]): Record<string, AttrValue> => ({ Tcomponents: { list: { type: types } }, timeout_ms: { i: -1 } });

describe("queue-creating kernels", () => {
  it("registers TF's V2 op types", () => {
    for (const op of ["FIFOQueueV2", "RandomShuffleQueueV2", "PaddingFIFOQueueV2", "PriorityQueueV2", "QueueEnqueueV2", "QueueEnqueueManyV2", "QueueDequeueV2", "QueueDequeueManyV2", "QueueDequeueUpToV2", "QueueCloseV2", "QueueSizeV2", "QueueIsClosedV2"]) {
      expect(QUEUE_OP_TYPES).toContain(op);
      expect(getKernel(op)).toBeDefined();
    }
  });

  it("outputs a resource handle naming device, container, shared name and kind", async () => {
    const h = await makeQueue("FIFOQueueV2", queueAttrs(["float32"], [], 10, "shared_q"));
    expect(h.dtype).toBe("resource");
    expect(h.shape).toEqual([]);
    expect(handleOf(h)).toEqual({ device: DEVICE, container: "ps", name: "shared_q", kind: QUEUE_RESOURCE_KIND });
    expect(queueOf(h).typeName).toBe("FIFOQueue");
  });

  it("honours the container attr", async () => {
    const h = await makeQueue("FIFOQueueV2", { ...queueAttrs(["float32"], [], 10, "q"), container: { s: "my_problem_1" } });
    expect(handleOf(h).container).toBe("my_problem_1");
    expect(resources.lookup("my_problem_1", QUEUE_RESOURCE_KIND, "q")).toBeInstanceOf(QueueBase);
    expect(resources.lookup("", QUEUE_RESOURCE_KIND, "q")).toBeUndefined();
  });

  it("shares by shared name: two creators, one queue", async () => {
    const a = await makeQueue("FIFOQueueV2", queueAttrs(["float32"], [[]], 10, "shared_queue"), "q1");
    const b = await makeQueue("FIFOQueueV2", queueAttrs(["float32"], [[]], 10, "shared_queue"), "q2", { session: "s2" });
    expect(queueOf(a)).toBe(queueOf(b));
  });

  it("rejects incompatible second creators with TF's texts", async () => {
    await makeQueue("FIFOQueueV2", queueAttrs(["float32"], [], 10, "q_a"));
    await expectError(makeQueue("FIFOQueueV2", queueAttrs(["float32"], [], 15, "q_a"), "q2"), InvalidArgumentError, "Shared queue 'q_a' has capacity 10 but requested capacity was 15");
    await expectError(
      makeQueue("FIFOQueueV2", queueAttrs(["int32"], [], 10, "q_a"), "q2"),
      InvalidArgumentError,
      "Shared queue 'q_a' has component types float but requested component types were int32",
    );
    await expectError(
      makeQueue("FIFOQueueV2", queueAttrs(["float32", "int32"], [], 10, "q_a"), "q2"),
      InvalidArgumentError,
      "Shared queue 'q_a' has component types float but requested component types were float, int32",
    );
    await expectError(
      makeQueue("FIFOQueueV2", queueAttrs(["float32"], [[1, 1, 2, 3]], 10, "q_a"), "q2"),
      InvalidArgumentError,
      "Shared queue 'q_a' has component shapes [] but requested component shapes were [[1,1,2,3]]",
    );
    await makeQueue("FIFOQueueV2", queueAttrs(["float32"], [[1, 1, 2, 3]], 10, "q_b"));
    await expectError(makeQueue("FIFOQueueV2", queueAttrs(["float32"], [[1, 1, 2, 4]], 10, "q_b"), "q2"), InvalidArgumentError, /has component shapes \[\[1,1,2,3\]\]/);
    await expectError(
      makeQueue("RandomShuffleQueueV2", queueAttrs(["float32"], [], 10, "q_a", { min_after_dequeue: { i: 0 }, seed: { i: 0 }, seed2: { i: 0 } }), "rsq"),
      InvalidArgumentError,
      "Shared queue 'q_a' has type 'FIFOQueueV2' that does not match type of Node 'rsq': RandomShuffleQueueV2",
    );
    expect(queueOf(await makeQueue("FIFOQueueV2", queueAttrs(["float32"], [], 10, "q_a"), "q3")).capacity).toBe(10);
  });

  it("treats negative capacities as one unbounded capacity", async () => {
    await makeQueue("FIFOQueueV2", queueAttrs(["float32"], [], -1, "u"));
    await makeQueue("FIFOQueueV2", queueAttrs(["float32"], [], -5, "u"), "q2");
    await expectError(makeQueue("FIFOQueueV2", queueAttrs(["float32"], [], 10, "u"), "q3"), InvalidArgumentError, "Shared queue 'u' has capacity 2147483647 but requested capacity was 10");
  });

  it("rejects shared names starting with '_' and bad configurations", async () => {
    await expectError(makeQueue("FIFOQueueV2", queueAttrs(["float32"], [], 10, "_x")), InvalidArgumentError, "shared_name cannot start with '_':_x");
    await expectError(makeQueue("FIFOQueueV2", queueAttrs([], [], 10, "e")), InvalidArgumentError, "Empty component types for queue e");
    await expectError(
      makeQueue("RandomShuffleQueueV2", queueAttrs(["float32"], [], 10, "r", { min_after_dequeue: { i: 10 }, seed: { i: 0 }, seed2: { i: 0 } })),
      InvalidArgumentError,
      "min_after_dequeue 10 must be < capacity 10",
    );
    expect(resources.entries()).toEqual([]);
  });

  it("without a shared name, a queue is private to its node in its session", async () => {
    const a1 = await makeQueue("FIFOQueueV2", queueAttrs(["float32"], [], 10), "fifo_queue");
    const a2 = await makeQueue("FIFOQueueV2", queueAttrs(["float32"], [], 10), "fifo_queue");
    const other = await makeQueue("FIFOQueueV2", queueAttrs(["float32"], [], 10), "fifo_queue_1");
    const s2 = await makeQueue("FIFOQueueV2", queueAttrs(["float32"], [], 10), "fifo_queue", { session: "s2" });
    expect(handleOf(a1).name).toBe("_0_fifo_queue");
    expect(queueOf(a2)).toBe(queueOf(a1));
    expect(queueOf(other)).not.toBe(queueOf(a1));
    expect(handleOf(s2).name).toBe("_2_fifo_queue");
    resources.releaseSession("s1");
    expect(resources.entries().map((e) => e.name)).toEqual(["_2_fifo_queue"]);
  });

  it("PriorityQueueV2 adds the int64 priority component (and its scalar shape)", async () => {
    const h = await makeQueue("PriorityQueueV2", queueAttrs(["string"], [[2]], 10, "pq"));
    expect(queueOf(h).componentTypes).toEqual(["int64", "string"]);
    expect(queueOf(h).shapes).toEqual([[], [2]]);
    await makeQueue("PriorityQueueV2", queueAttrs(["string"], [[2]], 10, "pq"), "pq2");
    await expectError(
      makeQueue("PriorityQueueV2", queueAttrs(["int32"], [[2]], 10, "pq"), "pq3"),
      InvalidArgumentError,
      "Shared queue 'pq' has component types int64, string but requested component types were int64, int32",
    );
  });

  it("PaddingFIFOQueueV2 reads unknown dims (null or -1) as varying and requires all shapes", async () => {
    const h = await makeQueue("PaddingFIFOQueueV2", queueAttrs(["float32", "int32"], [[null], [2, -1]], 10, "p"));
    expect(queueOf(h).shapes).toEqual([[-1], [2, -1]]);
    await expectError(
      makeQueue("PaddingFIFOQueueV2", queueAttrs(["float32"], [], 10, "p2")),
      InvalidArgumentError,
      "Shapes must be provided for all components, but received 1 dtypes and 0 shapes.",
    );
  });

  it("RandomShuffleQueueV2 with seeds (0, 0) draws its order from the step's random source", async () => {
    const orders: number[][] = [];
    for (const name of ["r1", "r2"]) {
      const attrs = queueAttrs(["int32"], [[]], 20, name, { min_after_dequeue: { i: 0 }, seed: { i: 0 }, seed2: { i: 0 } });
      const h = await makeQueue("RandomShuffleQueueV2", attrs, name, { random: new SeededRandom(42) });
      await queueOf(h).enqueueMany([i32(Array.from({ length: 20 }, (_, k) => k))]);
      orders.push((await queueOf(h).dequeueMany(20))[0]!.toArray() as number[]);
    }
    expect(orders[0]).toEqual(orders[1]);
  });
});

describe("kernels on a queue handle", () => {
  it("enqueue, enqueueMany, size, dequeue, dequeueMany, dequeueUpTo, close, isClosed", async () => {
    const h = await makeQueue("FIFOQueueV2", queueAttrs(["float32", "int32"], [[], []], 10, "q"));
    const types: DType[] = ["float32", "int32"];
    expect(await run("QueueEnqueueV2", "enq", enqAttrs(types), [h, f32(1), i32(10)])).toEqual([]);
    await run("QueueEnqueueManyV2", "enqm", enqAttrs(types), [h, f32([2, 3, 4, 5]), i32([20, 30, 40, 50])]);
    expect(values(await run("QueueSizeV2", "size", {}, [h]))).toEqual([5]);
    expect(values(await run("QueueDequeueV2", "deq", deqAttrs(types), [h]))).toEqual([1, 10]);
    expect(values(await run("QueueDequeueManyV2", "deqm", deqAttrs(types), [h, i32(2)]))).toEqual([[2, 3], [20, 30]]);
    expect(values(await run("QueueIsClosedV2", "closed", {}, [h]))).toEqual([false]);
    await run("QueueCloseV2", "close", { cancel_pending_enqueues: { b: false } }, [h]);
    expect(values(await run("QueueIsClosedV2", "closed", {}, [h]))).toEqual([true]);
    expect(values(await run("QueueDequeueUpToV2", "upto", deqAttrs(types), [h, i32(5)]))).toEqual([[4, 5], [40, 50]]);
    await expectError(run("QueueDequeueV2", "deq", deqAttrs(types), [h]), OutOfRangeError, "FIFOQueue 'q' is closed and has insufficient elements (requested 1, current size 0)");
    await expectError(run("QueueCloseV2", "close", { cancel_pending_enqueues: { b: false } }, [h]), CancelledError, "Queue 'q' is already closed.");
    await run("QueueCloseV2", "close", { cancel_pending_enqueues: { b: true } }, [h]);
  });

  it("the step's signal cancels a blocked kernel", async () => {
    const h = await makeQueue("FIFOQueueV2", queueAttrs(["float32"], [], 10, "q"));
    const ac = new AbortController();
    const deq = watch(run("QueueDequeueV2", "deq", deqAttrs(["float32"]), [h], { signal: ac.signal }));
    await tick();
    expect(deq.current.state).toBe("pending");
    expect(queueOf(h).describe().waiting).toHaveLength(1);
    ac.abort();
    await expectError(deq.promise, CancelledError, "Dequeue operation was cancelled");
    expect(queueOf(h).describe().waiting).toHaveLength(0);
  });

  it("fails clearly on a negative count, a type signature mismatch, or a queue that is gone", async () => {
    const h = await makeQueue("FIFOQueueV2", queueAttrs(["float32"], [[]], 10, "q"));
    await expectError(run("QueueDequeueManyV2", "d", deqAttrs(["float32"]), [h, i32(-1)]), InvalidArgumentError, "DequeueManyOp requested -1 < 0 elements");
    await expectError(run("QueueDequeueV2", "d", deqAttrs(["int32"]), [h]), InvalidArgumentError, /Signature mismatch/);
    await expectError(run("QueueEnqueueV2", "e", enqAttrs(["int32"]), [h, i32(1)]), InvalidArgumentError, "Type mismatch in tuple component 0. Expected float, got int32");
    resources.clear([]);
    await expectError(run("QueueSizeV2", "size", {}, [h]), NotFoundError, /does not exist/);
  });
});
