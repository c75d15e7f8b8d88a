/**
 * The queue classes as graph builders: op types and attrs, names, static shapes, colocation and
 * TF's build-time errors (tf-queues-cluster.md §3.2, §3.4, §3.5).
 */
import { describe, expect, it } from "vitest";
import { Graph } from "../../../../src/graph/graph.js";
import { FIFOQueue, PaddingFIFOQueue, PriorityQueue, RandomShuffleQueue } from "../../../../src/graph/ops/data-flow.js";
import { constant, placeholder } from "../../../../src/graph/ops/creation.js";
import { container, device } from "../../../../src/graph/scopes.js";
import type { Tensor } from "../../../../src/graph/tensor.js";

const inGraph = <T>(fn: (g: Graph) => T): T => {
  const g = new Graph();
  return g.asDefault(() => fn(g));
};

const node = (g: Graph, name: string) => g.toGraphDef().node.find((n) => n.name === name)!;

describe("queue constructors", () => {
  it("FIFOQueue(10, float32, name Q) is a FIFOQueueV2 node with TF's attrs (testConstructor)", () => {
    inGraph((g) => {
      const q = new FIFOQueue({ capacity: 10, dtypes: "float32", name: "Q" });
      expect(node(g, "Q")).toEqual({
        name: "Q",
        op: "FIFOQueueV2",
        input: [],
        device: "",
        attr: {
          component_types: { list: { type: ["float32"] } },
          shapes: { list: { shape: [] } },
          capacity: { i: 10 },
          container: { s: "" },
          shared_name: { s: "" },
        },
      });
      expect(q.queueRef.dtype).toBe("resource");
      expect(q.queueRef.shape).toEqual([]);
      expect([q.name, q.dtypes, q.shapes, q.names]).toEqual(["Q", ["float32"], [null], null]);
    });
  });

  it("takes the container from tf.container and the shared name from sharedName", () => {
    inGraph((g) => {
      container("my_problem_1", () => new FIFOQueue({ capacity: 5, dtypes: ["int32"], sharedName: "shared" }));
      expect(node(g, "fifo_queue").attr.container).toEqual({ s: "my_problem_1" });
      expect(node(g, "fifo_queue").attr.shared_name).toEqual({ s: "shared" });
    });
  });

  it("reads shapes as TF's _as_shape_list does", () => {
    inGraph((g) => {
      expect(new FIFOQueue({ capacity: 10, dtypes: "float32", shapes: [] }).shapes).toEqual([[]]);
      expect(new FIFOQueue({ capacity: 10, dtypes: "float32", shapes: [3, 2] }).shapes).toEqual([[3, 2]]);
      expect(new FIFOQueue({ capacity: 10, dtypes: ["float32", "int32"], shapes: [[], [2]], name: "two" }).shapes).toEqual([[], [2]]);
      expect(node(g, "two").attr.shapes).toEqual({ list: { shape: [[], [2]] } });
      expect(() => new FIFOQueue({ capacity: 10, dtypes: ["float32", "int32"], shapes: [] })).toThrow(new RangeError("Queue shapes must have the same length as dtypes"));
      expect(() => new FIFOQueue({ capacity: 10, dtypes: "float32", shapes: [null, 2] })).toThrow(/All shapes must be fully defined/);
      expect(() => new FIFOQueue({ capacity: 10, dtypes: "float32", shapes: "3" as never })).toThrow(TypeError);
    });
  });

  it("checks dtypes and names", () => {
    inGraph(() => {
      expect(() => new FIFOQueue({ capacity: 10, dtypes: [] })).toThrow(new RangeError("Attr 'component_types' of 'FIFOQueueV2' Op passed list of length 0 less than minimum 1."));
      expect(() => new FIFOQueue({ capacity: 10, dtypes: ["float33" as never] })).toThrow(TypeError);
      expect(new FIFOQueue({ capacity: 10, dtypes: "float32", names: "x" }).names).toEqual(["x"]);
      expect(() => new FIFOQueue({ capacity: 10, dtypes: ["float32", "int32"], names: ["x"] })).toThrow(
        new RangeError("List of names must have the same length as the list of dtypes"),
      );
    });
  });

  it("RandomShuffleQueue carries min_after_dequeue and TF's seeds", () => {
    inGraph((g) => {
      new RandomShuffleQueue({ capacity: 10, minAfterDequeue: 2, dtypes: "float32" });
      expect(node(g, "random_shuffle_queue").op).toBe("RandomShuffleQueueV2");
      expect(node(g, "random_shuffle_queue").attr).toMatchObject({ min_after_dequeue: { i: 2 }, seed: { i: 0 }, seed2: { i: 0 } });
      new RandomShuffleQueue({ capacity: 10, minAfterDequeue: 2, dtypes: "float32", seed: 5, name: "s" });
      expect(node(g, "s").attr).toMatchObject({ seed: { i: 87654321 }, seed2: { i: 5 } });
    });
  });

  it("a graph seed plus a shared name gives the seeds of an explicit seed=887634792 (rsq testSharedQueueSameSession)", () => {
    inGraph((g) => {
      g.seed = 87654321;
      new RandomShuffleQueue({ capacity: 10, minAfterDequeue: 0, dtypes: "float32", sharedName: "shared_queue", name: "a" });
      new RandomShuffleQueue({ capacity: 10, minAfterDequeue: 0, dtypes: "float32", seed: 887634792, name: "b" });
      expect(node(g, "a").attr.seed2).toEqual(node(g, "b").attr.seed2);
      expect(node(g, "a").attr.seed).toEqual({ i: 87654321 });
    });
  });

  it("PaddingFIFOQueue requires a list of shapes and keeps unknown dims", () => {
    inGraph((g) => {
      const q = new PaddingFIFOQueue({ capacity: 10, dtypes: ["string", "int32"], shapes: [[null], [1, null]] });
      expect(node(g, "padding_fifo_queue").op).toBe("PaddingFIFOQueueV2");
      expect(node(g, "padding_fifo_queue").attr.shapes).toEqual({ list: { shape: [[null], [1, null]] } });
      expect(q.dequeueMany(5).map((t) => t.shape)).toEqual([[5, null], [5, 1, null]]);
      expect(new PaddingFIFOQueue({ capacity: 1, dtypes: "float32", shapes: [[]] }).shapes).toEqual([[]]);
      const partial = new RangeError("When providing partial shapes, a list of shapes must be provided.");
      expect(() => new PaddingFIFOQueue({ capacity: 1, dtypes: "float32", shapes: [] })).toThrow(partial);
      expect(() => new PaddingFIFOQueue({ capacity: 1, dtypes: "float32" })).toThrow(partial);
      expect(() => new PaddingFIFOQueue({ capacity: 1, dtypes: "float32", shapes: [3] })).toThrow(partial);
      expect(() => new PaddingFIFOQueue({ capacity: 1, dtypes: ["float32", "int32"], shapes: [[3]] })).toThrow(
        new RangeError("Shapes must be provided for all components, but received 2 dtypes and 1 shapes."),
      );
    });
  });

  it("PriorityQueue puts an int64 priority first; its attrs do not", () => {
    inGraph((g) => {
      const q = new PriorityQueue({ capacity: 10, dtypes: ["string"], shapes: [[2]] });
      expect(q.dtypes).toEqual(["int64", "string"]);
      expect(q.shapes).toEqual([[], [2]]);
      expect(node(g, "priority_queue").attr).toMatchObject({ component_types: { list: { type: ["string"] } }, shapes: { list: { shape: [[2]] } } });
      q.enqueue([3, ["a", "b"]]);
      expect(() => q.enqueue(["high", ["a", "b"]])).toThrow(TypeError);
      const [priority, value] = q.dequeueMany(4);
      expect([priority!.dtype, priority!.shape, value!.shape]).toEqual(["int64", [4], [4, 2]]);
    });
  });
});

describe("enqueue and enqueueMany", () => {
  it("builds QueueEnqueueV2 under TF's names, colocated with the queue", () => {
    inGraph((g) => {
      const q = device("/job:ps/task:0", () => new FIFOQueue({ capacity: 10, dtypes: ["int32", "float32"], shapes: [[], []] }));
      const enq = device("/job:worker/task:7", () => q.enqueue([5, 10]));
      expect(enq.type).toBe("QueueEnqueueV2");
      expect(enq.name).toBe("fifo_queue_enqueue");
      expect(enq.device).toBe(q.queueRef.device);
      expect(enq.device).toMatch(/job:ps/);
      expect(node(g, "fifo_queue_enqueue")).toMatchObject({
        input: ["fifo_queue", "fifo_queue_enqueue/component_0", "fifo_queue_enqueue/component_1"],
        attr: { Tcomponents: { list: { type: ["int32", "float32"] } }, timeout_ms: { i: -1 } },
      });
      expect(node(g, "fifo_queue_enqueue/component_1").attr.dtype).toEqual({ type: "float32" });
      expect(q.enqueueMany([[1, 2], [1, 2]]).name).toBe("fifo_queue_EnqueueMany");
      expect(q.enqueue([1, 2], { name: "mine" }).name).toBe("mine");
    });
  });

  it("checks static shapes (ValueError in TF)", () => {
    inGraph(() => {
      const q = new FIFOQueue({ capacity: 10, dtypes: "float32", shapes: [3, 2] });
      expect(() => q.enqueue([[[1, 2, 3], [4, 5, 6]]])).toThrow(new RangeError("Shapes (2, 3) and (3, 2) are incompatible"));
      const q2 = new FIFOQueue({ capacity: 10, dtypes: ["int32", "int32"], shapes: [[], [2]] });
      expect(() => q2.enqueue([[1, 2], [2, 2]])).toThrow(RangeError);
      q2.enqueue([1, [2, 2]]);
    });
  });

  it("checks enqueueMany's batch dims and ranks", () => {
    inGraph(() => {
      const q = new FIFOQueue({ capacity: 10, dtypes: ["int32", "int32", "int32"], shapes: [[], [], []] });
      expect(() => q.enqueueMany([7, [1], [1]])).toThrow(/must have rank at least 1/);
      expect(() => q.enqueueMany([[1, 2, 3], [1, 2], [1, 2, 3]])).toThrow(new RangeError("Dimensions 3 and 2 are not compatible"));
      expect(() => q.enqueueMany([[1, 2, 3], placeholder("int32"), [1, 2]])).toThrow(/not compatible/);
      expect(() => q.enqueueMany([[[1]], [1], [1]])).toThrow(/incompatible/);
      q.enqueueMany([[1, 2], placeholder("int32"), [3, 4]]);
      const empty = new FIFOQueue({ capacity: 10, dtypes: ["int32", "float32"] });
      const op = empty.enqueueMany([[], []]);
      expect(op.inputs.slice(1).map((t: Tensor) => [t.dtype, t.shape])).toEqual([["int32", [0]], ["float32", [0]]]);
    });
  });

  it("checks component counts and dtypes at once", () => {
    inGraph(() => {
      const q = new FIFOQueue({ capacity: 10, dtypes: ["int32", "float32"] });
      expect(() => q.enqueue([1])).toThrow(RangeError);
      expect(() => q.enqueue([1, 2, 3])).toThrow(RangeError);
      expect(() => q.enqueue([placeholder("float32"), 2])).toThrow(TypeError);
      expect(() => q.enqueue([1, "x"])).toThrow(TypeError);
    });
  });

  it("takes a bare value for a one-component queue", () => {
    inGraph(() => {
      const q = new FIFOQueue({ capacity: 10, dtypes: "float32", shapes: [] });
      expect(q.enqueue(5).inputs[1]!.shape).toEqual([]);
      expect(q.enqueue([5]).inputs[1]!.shape).toEqual([]);
      expect(q.enqueueMany([1, 2, 3]).inputs[1]!.shape).toEqual([3]);
      expect(q.enqueueMany([[1, 2, 3]]).inputs[1]!.shape).toEqual([3]);
      expect(q.enqueue(constant(1)).inputs[1]!.op.type).toBe("Const");
    });
  });

  it("uses dicts exactly when the queue has names", () => {
    inGraph(() => {
      const plain = new FIFOQueue({ capacity: 10, dtypes: ["int32", "float32"] });
      expect(() => plain.enqueue({ a: 1, b: 2 } as never)).toThrow(new TypeError("Queue must have names to enqueue a dictionary"));
      const named = new FIFOQueue({ capacity: 10, dtypes: ["int32", "float32"], names: ["i", "f"] });
      expect(() => named.enqueue([1, 2] as never)).toThrow(new TypeError("You must enqueue a dictionary in a Queue with names"));
      expect(() => named.enqueue({ i: 1, x: 2 } as never)).toThrow(
        new RangeError("Keys in dictionary to enqueue do not match names of Queue.  Dictionary: (i, x), Queue: (f, i)"),
      );
      const op = named.enqueue({ f: 2, i: 1 });
      expect(op.inputs.slice(1).map((t) => t.dtype)).toEqual(["int32", "float32"]);
      const out = named.dequeue();
      expect([out.i.dtype, out.f.dtype]).toEqual(["int32", "float32"]);
    });
  });
});

describe("dequeue ops", () => {
  it("dequeue, dequeueMany and dequeueUpTo give TF's static shapes", () => {
    inGraph((g) => {
      const q = new FIFOQueue({ capacity: 10, dtypes: ["int32", "float32"], shapes: [[], [2]] });
      const one = q.dequeue();
      expect(one.map((t) => [t.op.type, t.dtype, t.shape])).toEqual([["QueueDequeueV2", "int32", []], ["QueueDequeueV2", "float32", [2]]]);
      expect(one[0]!.op.name).toBe("fifo_queue_Dequeue");
      const many = q.dequeueMany(4);
      expect(many.map((t) => t.shape)).toEqual([[4], [4, 2]]);
      expect(node(g, "fifo_queue_DequeueMany")).toMatchObject({
        op: "QueueDequeueManyV2",
        input: ["fifo_queue", "fifo_queue_DequeueMany/n"],
        attr: { component_types: { list: { type: ["int32", "float32"] } }, timeout_ms: { i: -1 } },
      });
      expect(q.dequeueMany(placeholder("int32", [])).map((t) => t.shape)).toEqual([[null], [null, 2]]);
      const upTo = q.dequeueUpTo(3);
      expect(upTo[0]!.op.type).toBe("QueueDequeueUpToV2");
      expect(upTo.map((t) => t.shape)).toEqual([[null], [null, 2]]);
    });
  });

  it("a queue without shapes gives unknown shapes", () => {
    inGraph(() => {
      const q = new FIFOQueue({ capacity: 10, dtypes: "float32" });
      expect(q.dequeue()[0]!.shape).toBeNull();
      expect(q.dequeueMany(2)[0]!.shape).toBeNull();
    });
  });

  it("close, size and isClosed", () => {
    inGraph((g) => {
      const q = device("/job:ps/task:0", () => new FIFOQueue({ capacity: 10, dtypes: "float32", name: "q" }));
      const close = q.close();
      expect([close.type, close.name, close.attrs.cancel_pending_enqueues]).toEqual(["QueueCloseV2", "q_Close", { b: false }]);
      expect(q.close({ cancelPendingEnqueues: true }).attrs.cancel_pending_enqueues).toEqual({ b: true });
      const size = q.size();
      expect([size.op.type, size.dtype, size.shape, size.op.name]).toEqual(["QueueSizeV2", "int32", [], "q_Size"]);
      const closed = q.isClosed();
      expect([closed.op.type, closed.dtype, closed.shape]).toEqual(["QueueIsClosedV2", "bool", []]);
      for (const op of [close, size.op, closed.op]) expect(op.device).toBe(q.queueRef.device);
      expect(node(g, "q_Size").input).toEqual(["q"]);
    });
  });
});
