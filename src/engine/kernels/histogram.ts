/**
 * TensorFlow's summary histogram (core/lib/histogram/histogram.cc, tf-training.md §7.2): the
 * default bucket limits grow by 10% from 1e-12 to 1e20, mirrored for negatives around 0, with
 * ±DBL_MAX at the ends; a value goes to the bucket of the first limit above it. The proto form
 * collapses each run of empty buckets into one entry carrying the run's last limit.
 */
import type { HistogramValue } from "../../transport/wire/summary-codec.js";

const DBL_MAX = Number.MAX_VALUE;

function defaultLimits(): Float64Array {
  const positive: number[] = [];
  // The same double arithmetic as TF's loop, so the limits are bit-identical.
  for (let v = 1.0e-12; v < 1.0e20; v *= 1.1) positive.push(v);
  positive.push(DBL_MAX);
  const n = positive.length;
  const limits = new Float64Array(2 * n + 1);
  for (let i = 0; i < n; i++) {
    limits[n - 1 - i] = -positive[i]!;
    limits[n + 1 + i] = positive[i]!;
  }
  limits[n] = 0.0;
  return limits;
}

/** The 1551 default bucket limits, ascending. */
export const DEFAULT_BUCKET_LIMITS: Float64Array = defaultLimits();

/** The index of the first limit strictly greater than v (std::upper_bound). */
function upperBound(limits: Float64Array, v: number): number {
  let lo = 0;
  let hi = limits.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (limits[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class Histogram {
  private readonly buckets: Float64Array;
  private min = DBL_MAX;
  private max = -DBL_MAX;
  private num = 0;
  private sum = 0;
  private sumSquares = 0;

  constructor(private readonly limits: Float64Array = DEFAULT_BUCKET_LIMITS) {
    this.buckets = new Float64Array(limits.length);
  }

  add(value: number): void {
    // DBL_MAX itself would land past the last bucket; TF indexes out of range there, we keep it in.
    const b = Math.min(upperBound(this.limits, value), this.buckets.length - 1);
    this.buckets[b]! += 1;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.num++;
    this.sum += value;
    this.sumSquares += value * value;
  }

  /** EncodeToProto(preserve_zero_buckets=false), as HistogramSummary writes it. */
  toProto(): HistogramValue {
    const bucketLimit: number[] = [];
    const bucket: number[] = [];
    const n = this.buckets.length;
    for (let i = 0; i < n; ) {
      let end = this.limits[i]!;
      let count = this.buckets[i]!;
      i++;
      if (count <= 0) {
        while (i < n && this.buckets[i]! <= 0) {
          end = this.limits[i]!;
          count = this.buckets[i]!;
          i++;
        }
      }
      bucketLimit.push(end);
      bucket.push(count);
    }
    if (bucket.length === 0) {
      bucketLimit.push(DBL_MAX);
      bucket.push(0);
    }
    return { min: this.min, max: this.max, num: this.num, sum: this.sum, sumSquares: this.sumSquares, bucketLimit, bucket };
  }
}
