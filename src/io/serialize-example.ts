/**
 * tf.train.Example → protobuf bytes (example.proto, feature.proto; tf-training.md §10.1):
 * `Example{features{feature{key, value: Feature{bytes_list | float_list | int64_list}}}}`, with
 * packed float and int64 lists as TF writes them. int64 values stay exact (bigint or safe ints).
 */

/** A list given bare or as TF's `{value: [...]}` message. */
type ListOf<T> = T | { value: T };

export type FeatureSpec =
  | { floatList: ListOf<ArrayLike<number>> }
  | { int64List: ListOf<ArrayLike<number | bigint>> }
  | { bytesList: ListOf<ArrayLike<string | Uint8Array>> };

export interface ExampleSpec {
  /** Feature name → one list. (`features: {feature: ...}` is accepted too, as TF nests it.) */
  feature?: Record<string, FeatureSpec>;
  features?: { feature: Record<string, FeatureSpec> };
}

const utf8 = new TextEncoder();

/** A growable byte buffer with the protobuf primitives this message needs. */
class Writer {
  private buf = new Uint8Array(256);
  length = 0;

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.length++] = b;
  }

  varint(n: number): void {
    this.ensure(10);
    while (n > 0x7f) {
      this.buf[this.length++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.length++] = n;
  }

  /** A 64-bit two's complement varint (a negative value takes 10 bytes). */
  varint64(v: bigint): void {
    let u = BigInt.asUintN(64, v);
    this.ensure(10);
    while (u > 0x7fn) {
      this.buf[this.length++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.length++] = Number(u);
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** Field `tag` (a one-byte key) holding `body` as a length-delimited message. */
  delimited(tag: number, body: Uint8Array): void {
    this.byte(tag);
    this.varint(body.length);
    this.bytes(body);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

function listValues<T>(l: ListOf<T>): T {
  return typeof l === "object" && l !== null && "value" in l && !ArrayBuffer.isView(l) ? (l as { value: T }).value : (l as T);
}

function floatListBytes(values: ArrayLike<number>): Uint8Array {
  const packed = Float32Array.from(values);
  const w = new Writer();
  if (packed.length > 0) w.delimited(0x0a, new Uint8Array(packed.buffer));
  return w.finish();
}

function int64ListBytes(values: ArrayLike<number | bigint>): Uint8Array {
  const inner = new Writer();
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) inner.varint(v);
    else if (typeof v === "number" && !Number.isInteger(v)) throw new TypeError(`int64List values must be integers, got ${v}`);
    else inner.varint64(BigInt(v));
  }
  const w = new Writer();
  if (values.length > 0) w.delimited(0x0a, inner.finish());
  return w.finish();
}

function bytesListBytes(values: ArrayLike<string | Uint8Array>): Uint8Array {
  const w = new Writer();
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    w.delimited(0x0a, typeof v === "string" ? utf8.encode(v) : v);
  }
  return w.finish();
}

/** One Feature message: its oneof field (1 bytes, 2 float, 3 int64) holding the list. */
function featureBytes(name: string, f: FeatureSpec): Uint8Array {
  const w = new Writer();
  if ("floatList" in f) w.delimited(0x12, floatListBytes(listValues(f.floatList)));
  else if ("int64List" in f) w.delimited(0x1a, int64ListBytes(listValues(f.int64List)));
  else if ("bytesList" in f) w.delimited(0x0a, bytesListBytes(listValues(f.bytesList)));
  else throw new TypeError(`Feature '${name}' needs one of floatList, int64List or bytesList`);
  return w.finish();
}

/**
 * The protobuf bytes of a tf.train.Example, ready for a TFRecordWriter and parseSingleExample.
 * @example
 * const rec = tf.io.serializeExample({feature: {age: {int64List: [29n]}, xy: {floatList: [1.5, -2]}}});
 */
export function serializeExample(example: ExampleSpec): Uint8Array {
  const features = example.feature ?? example.features?.feature ?? {};
  const map = new Writer();
  for (const [name, f] of Object.entries(features)) {
    const entry = new Writer();
    entry.delimited(0x0a, utf8.encode(name));
    entry.delimited(0x12, featureBytes(name, f));
    map.delimited(0x0a, entry.finish());
  }
  const out = new Writer();
  out.delimited(0x0a, map.finish());
  return out.finish();
}
