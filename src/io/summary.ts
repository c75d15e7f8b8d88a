// tf.summary: the summary ops and the FileWriter that writes them for TensorBoard.
export { scalar, histogram, text, merge, mergeAll, cleanTag } from "../graph/ops/summary.js";
export type { SummaryOptions, MergeOptions, MergeAllOptions } from "../graph/ops/summary.js";
export { FileWriter } from "./summary-file-writer.js";
export { FileWriterCache } from "./summary-file-writer-cache.js";
export type { FileWriterOptions, SummaryInput, SessionLogInput } from "./summary-file-writer.js";
export { SessionStatus } from "../transport/wire/summary-codec.js";
export type { EventProto, SummaryProto, SummaryValue, SessionLogProto, HistogramValue } from "../transport/wire/summary-codec.js";
