/**
 * Kernel registry keyed by TF op type strings ("MatMul", "QueueDequeueManyV2").
 * A kernel is a function of its context; it returns its outputs, or a Promise of them when it
 * may block (queues, readers). Blocking kernels must honour `ctx.step.signal`.
 */
import type { AttrReader, NodeDef } from "../../graph/graph-def.js";
import type { NDArray } from "../../tensor/ndarray.js";
import type { Clock, IoGate, Random } from "../../util/env.js";
import type { ResourceManager } from "../resources/resource-manager.js";
import { UnimplementedError } from "../../errors/index.js";
import { Inexact64Error } from "../compute/backend.js";
import type { FileAccess } from "../io/file-access.js";

/** What the task lets its kernels do: which files they may touch, how large a tensor they may make. */
export interface TaskPolicy {
  files: FileAccess;
  /** The largest tensor a value or attr may make a kernel allocate, in bytes. */
  maxTensorBytes: number;
}

export interface DeviceContext {
  /** Full name, e.g. /job:worker/replica:0/task:0/device:CPU:0 */
  name: string;
  type: string;
  job: string;
  task: number;
}

export interface StepContext {
  stepId: number;
  sessionHandle: string;
  /** Aborted when the step is cancelled (session close, deadline, a failing op elsewhere). */
  signal: AbortSignal;
  clock: Clock;
  random: Random;
  /** Orders host file I/O in a simulation (readers); absent: the OS decides. */
  io?: IoGate;
}

export interface KernelContext {
  node: NodeDef;
  attrs: AttrReader;
  inputs: NDArray[];
  device: DeviceContext;
  /** The resource manager this session sees on this task. */
  resources: ResourceManager;
  step: StepContext;
  /** The task's policy; absent (a kernel test's context): unrestricted, the default budget. */
  policy?: TaskPolicy;
}

export type Kernel = (ctx: KernelContext) => NDArray[] | Promise<NDArray[]>;

export interface KernelDef {
  type: string;
  compute: Kernel;
  /** Has side effects or state: never pruned away by constant folding, never deduplicated. */
  stateful: boolean;
  /** Device types this kernel runs on; "GPU" kernels only exist where TF has them. */
  deviceTypes: string[];
  /** Inputs typed `Ref(T)` (TF 1.x ref variables): they get the ref itself, every other input its value. */
  refInputs: readonly number[];
}

const kernels = new Map<string, KernelDef>();

/** What a 64-bit input that would be computed in 32 bits becomes: TF's Unimplemented, naming the op. */
function unimplemented64(type: string, ctx: KernelContext, err: unknown): unknown {
  if (!(err instanceof Inexact64Error)) return err;
  const narrow = err.dtype === "int64" ? "int32" : "float32";
  return new UnimplementedError(
    `${type} is not implemented for ${err.dtype} here (it would be computed in ${narrow} and lose values); cast the input to ${narrow} if that precision is enough`,
    { nodeName: ctx.node.name },
  );
}

function refusingInexact64(type: string, kernel: Kernel): Kernel {
  return (ctx) => {
    try {
      const out = kernel(ctx);
      return out instanceof Promise ? out.catch((err: unknown) => Promise.reject(unimplemented64(type, ctx, err))) : out;
    } catch (err) {
      throw unimplemented64(type, ctx, err);
    }
  };
}

export function registerKernel(
  type: string,
  compute: Kernel,
  options: { stateful?: boolean; deviceTypes?: string[]; refInputs?: readonly number[] } = {},
): void {
  kernels.set(type, {
    type,
    compute: refusingInexact64(type, compute),
    stateful: options.stateful ?? false,
    deviceTypes: options.deviceTypes ?? ["CPU", "GPU"],
    refInputs: options.refInputs ?? [],
  });
}

export function getKernel(type: string): KernelDef | undefined {
  return kernels.get(type);
}

export function registeredKernelTypes(): string[] {
  return [...kernels.keys()];
}
