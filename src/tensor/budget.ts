/**
 * How large a tensor a peer (or an attr, or an input value) may make a task allocate. Every
 * decode of a tensor from the wire and every kernel that sizes its output from a value checks
 * element count x element size here *before* allocating, so a few bytes describing a huge shape
 * fail with ResourceExhaustedError instead of exhausting memory (an out-of-memory crash in V8
 * cannot be caught).
 *
 * Decoding is synchronous, so the limits of the call being decoded are held in a scope
 * (`withTensorBudget`) rather than threaded through every codec: the budget also totals what one
 * message decodes, so a message of many small splats cannot add up to a huge allocation.
 */
import { ResourceExhaustedError } from "../errors/index.js";
import type { DType } from "./dtypes.js";
import { bytesPerElement } from "./dtypes.js";

const MiB = 1024 * 1024;

/** The default largest tensor a peer may make a task allocate (the default gRPC message size). */
export const DEFAULT_MAX_TENSOR_BYTES = 256 * MiB;

/** What one decode may allocate in all, as a multiple of the per-tensor limit. */
export const CALL_BUDGET_FACTOR = 4;

/** Bytes a JS array slot costs (string tensors hold one Uint8Array reference per element). */
const SLOT_BYTES = 8;

export interface TensorBudget {
  /** The largest single tensor, in bytes. */
  readonly maxTensorBytes: number;
  /** What the whole message may still allocate. */
  remaining: number;
}

let current: TensorBudget | null = null;

/** A fresh budget for one message: `maxTensorBytes` per tensor, CALL_BUDGET_FACTOR times that in all. */
export function tensorBudget(maxTensorBytes = DEFAULT_MAX_TENSOR_BYTES): TensorBudget {
  return { maxTensorBytes, remaining: maxTensorBytes * CALL_BUDGET_FACTOR };
}

/** Runs `fn` (a synchronous decode) with `budget` as the limit of every tensor it decodes. */
export function withTensorBudget<T>(budget: TensorBudget | number, fn: () => T): T {
  const prev = current;
  current = typeof budget === "number" ? tensorBudget(budget) : budget;
  try {
    return fn();
  } finally {
    current = prev;
  }
}

/** The budget of the decode in progress (a default one outside any scope). */
function active(): TensorBudget {
  return current ?? tensorBudget();
}

/**
 * Element count of `shape` as a float (exact to 2^53; beyond, it is far above any limit anyway).
 * A negative or non-finite dimension gives NaN, which no check passes.
 */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isFinite(d) || d < 0) return NaN;
    n *= d;
  }
  return n;
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}

/**
 * Throws ResourceExhaustedError unless a `dtype` tensor of `shape` fits `maxBytes` (the task's
 * maxTensorBytes). `what` names who asked ("Fill", "RunStep feed 'x:0'"). Strings count one slot
 * per element plus `extraBytes` (their contents). Returns the byte size.
 */
export function checkTensorBytes(what: string, dtype: DType, shape: readonly number[], maxBytes: number, extraBytes = 0): number {
  const n = elementCount(shape);
  const per = bytesPerElement(dtype) || SLOT_BYTES;
  const bytes = n * per + extraBytes;
  if (!(bytes <= maxBytes)) {
    const size = Number.isNaN(bytes) ? "not a valid size" : `${bytes} bytes`;
    throw new ResourceExhaustedError(
      `${what}: a ${dtype} tensor of shape ${shapeText(shape)} is ${size}, more than this task's limit of ${maxBytes} bytes per tensor (maxTensorBytes)`,
    );
  }
  return bytes;
}

/** checkTensorBytes against the decode in progress; also charges the message's total. */
export function chargeDecodedTensor(what: string, dtype: DType, shape: readonly number[], extraBytes = 0): void {
  const budget = active();
  const bytes = checkTensorBytes(what, dtype, shape, budget.maxTensorBytes, extraBytes);
  if (bytes > budget.remaining) {
    throw new ResourceExhaustedError(
      `${what}: the tensors of one message add up to more than ${budget.maxTensorBytes * CALL_BUDGET_FACTOR} bytes (${CALL_BUDGET_FACTOR} x maxTensorBytes)`,
    );
  }
  budget.remaining -= bytes;
}
