/**
 * The queue resource's public types: configuration, per-operation options, shared-queue
 * requests and the status report of `describe()`.
 */
import type { DType } from "../../tensor/dtypes.js";
import type { Clock } from "../../util/env.js";
import type { AttemptKind } from "./queue-attempt.js";
import type { PartialShape } from "./queue-elements.js";

/** Every queue kind shares one resource kind, as TF's QueueInterface does, so kinds collide by name. */
export const QUEUE_RESOURCE_KIND = "Queue";
/** TF's kUnbounded: what a negative capacity means. */
export const QUEUE_UNBOUNDED = 2147483647;

export interface QueueConfig {
  /** The resource name, used in every error message: the shared name or a private one. */
  name: string;
  componentTypes: readonly DType[];
  /** One shape per component, or empty/absent for a queue without shapes. -1 marks a varying dim (PaddingFIFOQueue). */
  shapes?: readonly PartialShape[];
  /** Negative means unbounded. */
  capacity: number;
  /** Times the waits reported by `describe()`. */
  clock: Clock;
}

/** Per-operation options: the step's signal cancels a blocked attempt. */
export interface AttemptOptions {
  signal?: AbortSignal;
  stepId?: number;
}

export interface CloseOptions extends AttemptOptions {
  cancelPendingEnqueues?: boolean;
}

/** What a second creator of a shared queue asks for (the attrs of its queue op). */
export interface QueueRequest {
  nodeName: string;
  opType: string;
  componentTypes: readonly DType[];
  shapes: readonly PartialShape[];
  capacity: number;
  minAfterDequeue?: number;
  seed?: number;
  seed2?: number;
}

export interface QueueWaiter {
  kind: AttemptKind;
  /** Elements the attempt still has to push or take (0 for a close). */
  elements: number;
  /** How long the attempt has been waiting, in ms of the queue's clock. */
  sinceMs: number;
  stepId: number | null;
}

/** A type alias (not an interface) so it is a `Record<string, unknown>` for Resource.describe. */
export type QueueDescription = {
  name: string;
  type: string;
  size: number;
  /** -1 when unbounded. */
  capacity: number;
  closed: boolean;
  componentTypes: DType[];
  waiting: QueueWaiter[];
};
