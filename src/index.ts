/**
 * tfcluster: TensorFlow 1.x's distributed runtime in TypeScript.
 * @example import * as tf from "tfcluster";
 */
export * as errors from "./errors/index.js";
export { NDArray, ndarray } from "./tensor/ndarray.js";
export type { DType } from "./tensor/dtypes.js";

export { Graph, Operation, GraphKeys, getDefaultGraph, resetDefaultGraph } from "./graph/graph.js";
export type { DeviceFunction } from "./graph/graph.js";
export { Tensor } from "./graph/tensor.js";
export type { TensorLike } from "./graph/convert.js";
export { DeviceSpec } from "./graph/device-spec.js";
export { device, nameScope, container, controlDependencies, colocateWith } from "./graph/scopes.js";
export {
  Variable,
  assign,
  assignAdd,
  assignSub,
  globalVariables,
  localVariables,
  trainableVariables,
  globalVariablesInitializer,
  localVariablesInitializer,
  variablesInitializer,
  reportUninitializedVariables,
  addToCollection,
  getCollection,
} from "./graph/variables.js";
export {
  variableScope,
  getVariable,
  zerosInitializer,
  onesInitializer,
  constantInitializer,
  glorotUniformInitializer,
} from "./graph/variable-scope.js";

export {
  constant,
  placeholder,
  placeholderWithDefault,
  zeros,
  ones,
  zerosLike,
  onesLike,
  fill,
  range,
  randomNormal,
  randomUniform,
  truncatedNormal,
} from "./graph/ops/creation.js";
export {
  add,
  sub,
  mul,
  div,
  neg,
  abs,
  square,
  sqrt,
  exp,
  log,
  log1p,
  pow,
  maximum,
  minimum,
  sigmoid,
  tanh,
  relu,
  equal,
  notEqual,
  less,
  lessEqual,
  greater,
  greaterEqual,
  logicalAnd,
  logicalOr,
  logicalNot,
  cast,
  floor,
} from "./graph/ops/math.js";
export { matMul, softmax, logSoftmax, reduceSum, reduceMean, reduceMax, reduceMin, argMax } from "./graph/ops/math-reduce.js";
export {
  reshape,
  stack,
  unstack,
  concat,
  expandDims,
  squeeze,
  transpose,
  shape,
  size,
  rank,
  identity,
  stopGradient,
} from "./graph/ops/array.js";
export { split, slice, gather, oneHot, tile, pad, where } from "./graph/ops/array-index.js";
export { noOp, group, tuple, assert } from "./graph/ops/control.js";
export type { AssertOptions } from "./graph/ops/control.js";
export * as nn from "./graph/ops/nn.js";
export { clipByGlobalNorm, globalNorm } from "./graph/ops/clip-ops.js";
export type { ClipByGlobalNormOptions } from "./graph/ops/clip-ops.js";

export { Session } from "./client/session.js";
export type { SessionOptions, RunArgs, FeedDict, DeviceInfo } from "./client/session.js";
export { timeline } from "./client/timeline.js";
export { clusterStatus } from "./client/cluster-status.js";
export type { ClusterStatus } from "./client/cluster-status.js";
export type { ResourceStatus, TaskStatus } from "./transport/messages.js";
export type { ConfigProto, RunOptions, RunMetadata } from "./transport/messages.js";

export * as train from "./train/index.js";
export * as sim from "./sim/index.js";

export { QueueBase, FIFOQueue, RandomShuffleQueue, PaddingFIFOQueue, PriorityQueue } from "./graph/ops/data-flow.js";
export { countUpTo, randomShuffle } from "./graph/ops/count-up-to.js";
export { ConditionalAccumulator } from "./graph/ops/accumulator.js";
export type { ConditionalAccumulatorOptions, ApplyGradOptions, ReductionType } from "./graph/ops/accumulator.js";
export { gradients } from "./graph/gradients.js";
export type { GradientsOptions } from "./graph/gradients.js";
export {
  ReaderBase,
  TextLineReader,
  FixedLengthRecordReader,
  TFRecordReader,
  WholeFileReader,
  IdentityReader,
  decodeCsv,
  readFile,
  matchingFiles,
} from "./graph/ops/io.js";
export type { ReaderOptions, FixedLengthRecordReaderOptions, DecodeCsvOptions, TFRecordCompression } from "./graph/ops/io.js";
export * as io from "./io/index.js";
export { parseExample, parseSingleExample, SparseTensor } from "./graph/ops/parsing-example.js";
export type { ParsedFeatures, ParseExampleOptions } from "./graph/ops/parsing-example.js";
export * as summary from "./io/summary.js";
