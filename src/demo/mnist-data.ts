/**
 * The main job's data: the 10 000 labelled MNIST digits of the `mnist` package, split 8 000 / 2 000
 * with a fixed seed and written once as sharded TFRecord files of `tf.train.Example`s
 * ({image: 784 floats in [0, 1], label: one int64}) into a cache folder that later runs reuse.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "../index.js";
import { SeededRandom } from "../util/env.js";

export const PIXELS = 784;
export const CLASSES = 10;
const TRAIN_EXAMPLES = 8_000;
const SPLIT_SEED = 20_261_204;
/** Bumped when the cache layout changes, so an old cache is never misread. */
const CACHE_VERSION = 1;

export interface MnistFiles {
  dir: string;
  trainShards: string[];
  testFile: string;
}

export interface Digits {
  /** count x 784 pixels, row-major. */
  images: Float32Array;
  labels: Int32Array;
  count: number;
}

export function defaultCacheDir(): string {
  return join(tmpdir(), `tfcluster-mnist-v${CACHE_VERSION}`);
}

/** All 10 000 digits of the package, in its order (by class). */
function loadPackageDigits(): Digits {
  const require = createRequire(import.meta.url);
  const perClass = Array.from({ length: CLASSES }, (_, d) => (require(`mnist/src/digits/${d}.json`) as { data: number[] }).data);
  const count = perClass.reduce((n, data) => n + data.length / PIXELS, 0);
  const images = new Float32Array(count * PIXELS);
  const labels = new Int32Array(count);
  let at = 0;
  perClass.forEach((data, digit) => {
    const n = data.length / PIXELS;
    for (let i = 0; i < data.length; i++) images[at * PIXELS + i] = data[i]!;
    labels.fill(digit, at, at + n);
    at += n;
  });
  return { images, labels, count };
}

/** A permutation of 0..n-1 drawn from `seed` (Fisher-Yates). */
function permutation(n: number, seed: number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const random = new SeededRandom(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

function exampleOf(digits: Digits, i: number): Uint8Array {
  return tf.io.serializeExample({
    feature: {
      image: { floatList: digits.images.subarray(i * PIXELS, (i + 1) * PIXELS) },
      label: { int64List: [BigInt(digits.labels[i]!)] },
    },
  });
}

async function writeShard(path: string, digits: Digits, indices: Int32Array): Promise<void> {
  const writer = await tf.io.TFRecordWriter.open(path);
  try {
    for (const i of indices) await writer.write(exampleOf(digits, i));
  } finally {
    await writer.close();
  }
}

/**
 * The cached TFRecord files, written on first use: `shards` training shards and one test file.
 * Written into a temporary folder and renamed, so an interrupted run never leaves half a cache.
 */
export async function prepareMnist(cacheDir = defaultCacheDir(), shards = 4): Promise<MnistFiles> {
  const dir = join(cacheDir, `shards-${shards}`);
  const files: MnistFiles = {
    dir,
    trainShards: Array.from({ length: shards }, (_, s) => join(dir, `train-${String(s).padStart(5, "0")}-of-${String(shards).padStart(5, "0")}.tfrecord`)),
    testFile: join(dir, "test.tfrecord"),
  };
  if (existsSync(join(dir, "done"))) return files;
  const digits = loadPackageDigits();
  const order = permutation(digits.count, SPLIT_SEED);
  const train = order.subarray(0, TRAIN_EXAMPLES);
  const test = order.subarray(TRAIN_EXAMPLES);
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const per = Math.ceil(train.length / shards);
  for (let s = 0; s < shards; s++) {
    await writeShard(join(staging, files.trainShards[s]!.slice(dir.length + 1)), digits, train.subarray(s * per, (s + 1) * per));
  }
  await writeShard(join(staging, "test.tfrecord"), digits, test);
  writeFileSync(join(staging, "done"), JSON.stringify({ train: train.length, test: test.length, seed: SPLIT_SEED }));
  mkdirSync(cacheDir, { recursive: true });
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return files;
}

/** Reads a TFRecord file of the job's Examples back into arrays (for the held-out evaluation). */
export async function readDigits(path: string): Promise<Digits> {
  const g = new tf.Graph();
  const records: Uint8Array[] = [];
  for await (const r of tf.io.tfRecordIterator(path)) records.push(r);
  const parsed = g.asDefault(() => {
    const serialized = tf.placeholder("string", [null]);
    const features = tf.parseExample(serialized, {
      image: new tf.io.FixedLenFeature([PIXELS], "float32"),
      label: new tf.io.FixedLenFeature([], "int64"),
    });
    return { serialized, image: features.image as tf.Tensor, label: tf.cast(features.label as tf.Tensor, "int32") };
  });
  const sess = new tf.Session(undefined, { graph: g });
  try {
    const batch = new tf.NDArray("string", [records.length], records);
    const [image, label] = (await sess.run([parsed.image, parsed.label], { feedDict: [[parsed.serialized, batch]] })) as tf.NDArray[];
    return { images: image!.data as Float32Array, labels: label!.data as Int32Array, count: records.length };
  } finally {
    await sess.close();
  }
}
