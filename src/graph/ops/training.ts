/**
 * Builders of the training ops (kernels in engine/kernels/training.ts and save-restore.ts):
 * the optimizers' ResourceApply* updates, placed with their variable (the master runs an op that
 * takes a resource handle on the resource's device), and SaveV2 / RestoreV2 / ShardedFilename.
 */
import type { DType } from "../../tensor/dtypes.js";
import { ndarray } from "../../tensor/ndarray.js";
import { constantOp, makeOp, makeTensorOp } from "../convert.js";
import type { NameOption, TensorLike } from "../convert.js";
import type { Operation } from "../graph.js";
import type { Tensor } from "../tensor.js";
import type { Variable } from "../variables.js";
import { toTensor } from "./builder-utils.js";

export interface ApplyOptions extends NameOption {
  /** TF's use_locking; every update here is atomic on its task, so this is recorded only. */
  useLocking?: boolean;
}

export interface NesterovApplyOptions extends ApplyOptions {
  useNesterov?: boolean;
}

/** Hyper-parameters and gradients as tensors of the variable's dtype. */
function operand(v: Variable, x: TensorLike, name: string): Tensor {
  const t = toTensor(x, v.dtype, name);
  if (t.dtype !== v.dtype) throw new TypeError(`${name} has dtype ${t.dtype}, but variable ${v.name} is ${v.dtype}`);
  return t;
}

function apply(type: string, vars: Variable[], operands: Tensor[], attrs: Record<string, { b: boolean }>, options: ApplyOptions): Operation {
  const primary = vars[0]!;
  return makeOp(
    type,
    [...vars.map((v) => v.handle), ...operands],
    { T: { type: primary.dtype }, use_locking: { b: options.useLocking ?? false }, ...attrs },
    [],
    { name: options.name ?? type, colocateWith: primary.op },
  );
}

/**
 * var -= alpha · delta (ResourceApplyGradientDescent).
 * @example tf.train.resourceApplyGradientDescent(w, 0.1, dw)
 */
export function resourceApplyGradientDescent(v: Variable, alpha: TensorLike, delta: TensorLike, options: ApplyOptions = {}): Operation {
  return apply("ResourceApplyGradientDescent", [v], [operand(v, alpha, "alpha"), operand(v, delta, "delta")], {}, options);
}

/**
 * accum = accum · momentum + grad; var -= lr · accum (Nesterov: var -= lr · (grad + momentum · accum))
 * (ResourceApplyMomentum).
 */
export function resourceApplyMomentum(v: Variable, accum: Variable, lr: TensorLike, grad: TensorLike, momentum: TensorLike, options: NesterovApplyOptions = {}): Operation {
  const operands = [operand(v, lr, "lr"), operand(v, grad, "grad"), operand(v, momentum, "momentum")];
  return apply("ResourceApplyMomentum", [v, accum], operands, { use_nesterov: { b: options.useNesterov ?? false } }, options);
}

export interface AdamOperands {
  beta1Power: TensorLike;
  beta2Power: TensorLike;
  lr: TensorLike;
  beta1: TensorLike;
  beta2: TensorLike;
  epsilon: TensorLike;
  grad: TensorLike;
}

/**
 * One Adam step (ResourceApplyAdam): lr_t = lr · √(1 − β₂ᵗ) / (1 − β₁ᵗ); m += (g − m)(1 − β₁);
 * v += (g² − v)(1 − β₂); var -= lr_t · m / (√v + ε).
 */
export function resourceApplyAdam(v: Variable, m: Variable, s: Variable, x: AdamOperands, options: NesterovApplyOptions = {}): Operation {
  const names = ["beta1Power", "beta2Power", "lr", "beta1", "beta2", "epsilon", "grad"] as const;
  const operands = names.map((n) => operand(v, x[n], n));
  return apply("ResourceApplyAdam", [v, m, s], operands, { use_nesterov: { b: options.useNesterov ?? false } }, options);
}

export interface AdagradApplyOptions extends ApplyOptions {
  /** When false the accumulator is left as it is (TF's update_slots). Default true. */
  updateSlots?: boolean;
}

/**
 * accum += grad²; var -= lr · grad / √accum (ResourceApplyAdagrad).
 * @example tf.train.resourceApplyAdagrad(w, accum, 0.1, dw)
 */
export function resourceApplyAdagrad(v: Variable, accum: Variable, lr: TensorLike, grad: TensorLike, options: AdagradApplyOptions = {}): Operation {
  return apply("ResourceApplyAdagrad", [v, accum], [operand(v, lr, "lr"), operand(v, grad, "grad")], { update_slots: { b: options.updateSlots ?? true } }, options);
}

export interface RMSPropOperands {
  lr: TensorLike;
  rho: TensorLike;
  momentum: TensorLike;
  epsilon: TensorLike;
  grad: TensorLike;
}

/**
 * ms += (grad² − ms)(1 − ρ); mom = momentum · mom + lr · grad / √(ms + ε); var -= mom
 * (ResourceApplyRMSProp).
 */
export function resourceApplyRMSProp(v: Variable, ms: Variable, mom: Variable, x: RMSPropOperands, options: ApplyOptions = {}): Operation {
  const operands = (["lr", "rho", "momentum", "epsilon", "grad"] as const).map((n) => operand(v, x[n], n));
  return apply("ResourceApplyRMSProp", [v, ms, mom], operands, {}, options);
}

/**
 * RMSProp normalised by the centred second moment: mg += (grad − mg)(1 − ρ), and the denominator
 * √(ms − mg² + ε) (ResourceApplyCenteredRMSProp).
 */
export function resourceApplyCenteredRMSProp(v: Variable, mg: Variable, ms: Variable, mom: Variable, x: RMSPropOperands, options: ApplyOptions = {}): Operation {
  const operands = (["lr", "rho", "momentum", "epsilon", "grad"] as const).map((n) => operand(v, x[n], n));
  return apply("ResourceApplyCenteredRMSProp", [v, mg, ms, mom], operands, {}, options);
}

function strings(values: string[], name: string): Tensor {
  return constantOp(ndarray(values, { dtype: "string", shape: [values.length] }), name);
}

/**
 * Writes `tensors` under `names` to the safetensors file `prefix` (SaveV2; whole tensors only).
 * @example tf.train.saveV2(path, ["w"], [w.value()])
 */
export function saveV2(prefix: TensorLike, names: string[], tensors: Tensor[], options: NameOption & { colocateWith?: Operation } = {}): Operation {
  if (names.length !== tensors.length) throw new RangeError(`saveV2: ${names.length} names for ${tensors.length} tensors`);
  const inputs = [toTensor(prefix, "string", "prefix"), strings(names, "tensor_names"), strings(names.map(() => ""), "shape_and_slices"), ...tensors];
  return makeOp("SaveV2", inputs, { dtypes: { list: { type: tensors.map((t) => t.dtype) } } }, [], {
    name: options.name ?? "SaveV2",
    ...(options.colocateWith ? { colocateWith: options.colocateWith } : {}),
  });
}

/**
 * Reads the tensors `names` of the given dtypes from checkpoint `prefix` (RestoreV2).
 * @example const [w] = tf.train.restoreV2(path, ["w"], ["float32"]);
 */
export function restoreV2(prefix: TensorLike, names: string[], dtypes: DType[], options: NameOption & { colocateWith?: Operation } = {}): Tensor[] {
  if (names.length !== dtypes.length) throw new RangeError(`restoreV2: ${names.length} names for ${dtypes.length} dtypes`);
  const inputs = [toTensor(prefix, "string", "prefix"), strings(names, "tensor_names"), strings(names.map(() => ""), "shape_and_slices")];
  return makeOp("RestoreV2", inputs, { dtypes: { list: { type: dtypes } } }, dtypes.map((dtype) => ({ dtype, shape: null })), {
    name: options.name ?? "RestoreV2",
    ...(options.colocateWith ? { colocateWith: options.colocateWith } : {}),
  }).outputs;
}

/** "basename-00001-of-00004" (ShardedFilename). */
export function shardedFilename(basename: TensorLike, shard: number, numShards: number, options: NameOption = {}): Tensor {
  const inputs = [toTensor(basename, "string", "basename"), toTensor(shard, "int32", "shard"), toTensor(numShards, "int32", "num_shards")];
  return makeTensorOp("ShardedFilename", inputs, {}, "string", [], { name: options.name ?? "ShardedFilename" });
}

/**
 * Merges the single-shard checkpoints `prefixes` into one checkpoint at `destination`
 * (MergeV2Checkpoints; with deleteOldDirs, the parts' directories are removed).
 * @example tf.train.mergeV2Checkpoints(parts, prefix)
 */
export function mergeV2Checkpoints(prefixes: TensorLike, destination: TensorLike, options: NameOption & { deleteOldDirs?: boolean } = {}): Operation {
  return makeOp("MergeV2Checkpoints", [toTensor(prefixes, "string", "checkpoint_prefixes"), toTensor(destination, "string", "destination_prefix")], { delete_old_dirs: { b: options.deleteOldDirs ?? true } }, [], {
    name: options.name ?? "MergeV2Checkpoints",
  });
}
