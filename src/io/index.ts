// tf.io: TFRecord files from the client, and the graph's file and parsing ops under their tf.io names.
export { TFRecordWriter } from "./tfrecord-writer.js";
export type { TFRecordOptions } from "./tfrecord-writer.js";
export { tfRecordIterator } from "./tfrecord-iterator.js";
export { decodeCsv, matchingFiles, readFile } from "../graph/ops/io.js";
export type { TFRecordCompression } from "../graph/ops/io.js";

/** TF's TFRecordCompressionType, as the option strings. */
export const TFRecordCompressionType = { NONE: "", ZLIB: "ZLIB", GZIP: "GZIP" } as const;
export { serializeExample } from "./serialize-example.js";
export type { ExampleSpec, FeatureSpec } from "./serialize-example.js";
export { FixedLenFeature, FixedLenSequenceFeature, VarLenFeature } from "../graph/ops/parse-features.js";
export type { Feature } from "../graph/ops/parse-features.js";
export { parseExample, parseSingleExample, SparseTensor } from "../graph/ops/parsing-example.js";
export type { ParsedFeatures, ParseExampleOptions } from "../graph/ops/parsing-example.js";
