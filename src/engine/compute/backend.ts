/**
 * The TensorFlow.js compute backend that kernels run on: wasm by default, cpu selectable,
 * "tensorflow" (tfjs-node) when the user has installed it. One per thread/process.
 */
import "./tfjs-prod.js";
import * as tfc from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { FailedPreconditionError, UnimplementedError } from "../../errors/index.js";
import type { DType } from "../../tensor/dtypes.js";
import { NDArray } from "../../tensor/ndarray.js";
import type { NDData } from "../../tensor/ndarray.js";

export type BackendName = "wasm" | "cpu" | "tensorflow";
export { tfc };

let pending: { name: BackendName; ready: Promise<BackendName> } | null = null;
let current: BackendName | null = null;

async function loadNodeBackend(): Promise<void> {
  const candidates = ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"];
  for (const name of candidates) {
    try {
      await import(/* @vite-ignore */ name);
      return;
    } catch {
      // not installed: try the next one
    }
  }
  throw new FailedPreconditionError(
    'Backend "tensorflow" needs @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu, and neither is installed. ' +
      "Install one (it downloads libtensorflow at install time) or use the wasm or cpu backend.",
  );
}

/** Selects and initialises the backend once per thread; later calls with another name switch it. */
export async function initBackend(name: BackendName = defaultBackendName()): Promise<BackendName> {
  if (current === name) return name;
  if (pending?.name === name) return pending.ready;
  const ready = (async () => {
    if (name === "tensorflow") await loadNodeBackend();
    const ok = await tfc.setBackend(name);
    if (!ok) throw new FailedPreconditionError(`TensorFlow.js backend "${name}" failed to initialise`);
    await tfc.ready();
    current = name;
    return name;
  })();
  pending = { name, ready };
  try {
    return await ready;
  } finally {
    if (pending?.ready === ready) pending = null;
  }
}

export function defaultBackendName(): BackendName {
  const v = process.env.TFCLUSTER_BACKEND;
  return v === "cpu" || v === "tensorflow" || v === "wasm" ? v : "wasm";
}

export function currentBackend(): BackendName | null {
  return current;
}

type TfDType = "float32" | "int32" | "bool" | "string" | "complex64";

/** The TensorFlow.js dtype a tfcluster dtype computes in (tfjs has no float64/int64/uint8). */
export function computeDType(d: DType): TfDType {
  switch (d) {
    case "float32":
    case "float64":
      return "float32";
    case "int32":
    case "int64":
    case "uint8":
      return "int32";
    case "bool":
      return "bool";
    default:
      return "string";
  }
}

/** NDArray → tfjs tensor (numeric/bool/string). Caller disposes (use within tfc.tidy). */
export function toTf(a: NDArray): tfc.Tensor {
  const shape = a.shape;
  switch (a.dtype) {
    case "float32":
      return tfc.tensor(a.data as Float32Array, shape, "float32");
    case "float64":
      return tfc.tensor(Float32Array.from(a.data as Float64Array), shape, "float32");
    case "int32":
      return tfc.tensor(a.data as Int32Array, shape, "int32");
    case "int64":
      return tfc.tensor(Int32Array.from(a.data as BigInt64Array, (v) => Number(v)), shape, "int32");
    case "uint8":
      return tfc.tensor(Int32Array.from(a.data as Uint8Array), shape, "int32");
    case "bool":
      return tfc.tensor(a.data as Uint8Array, shape, "bool");
    case "string":
      return tfc.tensor(a.data as Uint8Array[], shape, "string");
    default:
      throw new TypeError(`Cannot compute on a ${a.dtype} tensor`);
  }
}

/** tfjs tensor → NDArray of `dtype` (converting back from the compute dtype). */
export function fromTf(t: tfc.Tensor, dtype: DType): NDArray {
  const shape = [...t.shape];
  const raw = t.dataSync() as unknown;
  let data: NDData;
  switch (dtype) {
    case "float32":
      data = raw instanceof Float32Array ? raw : Float32Array.from(raw as ArrayLike<number>);
      break;
    case "float64":
      data = Float64Array.from(raw as ArrayLike<number>);
      break;
    case "int32":
      data = raw instanceof Int32Array ? raw : Int32Array.from(raw as ArrayLike<number>);
      break;
    case "int64":
      data = BigInt64Array.from(raw as ArrayLike<number>, (v) => BigInt(Math.trunc(v)));
      break;
    case "uint8":
      data = Uint8Array.from(raw as ArrayLike<number>);
      break;
    case "bool":
      data = raw instanceof Uint8Array ? raw : Uint8Array.from(raw as ArrayLike<number>);
      break;
    case "string":
      data = t.dtype === "string" ? (raw as Uint8Array[]) : (raw as Uint8Array[]);
      break;
    default:
      throw new TypeError(`Cannot convert to ${dtype}`);
  }
  return new NDArray(dtype, shape, data);
}

/**
 * A 64-bit input reached TensorFlow.js, which would compute it in 32 bits. The kernel registry
 * turns it into an UnimplementedError naming the op; it is never computed inexactly.
 */
export class Inexact64Error extends UnimplementedError {
  constructor(readonly dtype: DType) {
    super(`${dtype} cannot be computed exactly on TensorFlow.js`);
  }
}

/** Runs a tfjs computation on NDArrays, returning NDArrays; intermediate tensors are freed. */
export function compute(inputs: NDArray[], outDTypes: DType[], fn: (...xs: tfc.Tensor[]) => tfc.Tensor | tfc.Tensor[]): NDArray[] {
  for (const x of inputs) if (x.dtype === "int64" || x.dtype === "float64") throw new Inexact64Error(x.dtype);
  const outs = tfc.tidy(() => {
    const out = fn(...inputs.map(toTf));
    return Array.isArray(out) ? out : [out];
  });
  try {
    return outs.map((t, i) => fromTf(t, outDTypes[i] ?? inputs[0]?.dtype ?? "float32"));
  } finally {
    for (const t of outs) t.dispose();
  }
}
