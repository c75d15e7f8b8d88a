/**
 * The envelope of a frame in a compact binary form: the message as tagged values (the protocol's
 * messages are JSON-like: objects, arrays, strings, numbers, booleans, bigints, typed arrays),
 * each NDArray replaced by a reference to a tensor descriptor. Layout:
 *   u32 offset of the descriptors | body value | descriptors (an array value)
 * The reader decodes the descriptors first, so each reference becomes its (still empty) NDArray
 * in one pass; the tensor bytes follow the envelope in the frame and are copied in afterwards.
 *
 * Why not v8.serialize: it builds a C++ serializer per message and the deserializer aliases typed
 * arrays into the bytes it reads; this encoder writes into one reused buffer and costs a few
 * hundred nanoseconds for a typical request. Anything else (Map, Date, class instances) is
 * embedded with v8.serialize, so nothing is refused that v8 would accept.
 */
import v8 from "node:v8";
import { DataLossError, InvalidArgumentError, OpError } from "../../errors/index.js";
import { NDArray } from "../../tensor/ndarray.js";

const T = { UNDEFINED: 0, NULL: 1, FALSE: 2, TRUE: 3, INT32: 4, FLOAT64: 5, STRING: 6, ARRAY: 7, OBJECT: 8, BIGINT64: 9, BIGINT_TEXT: 10, VIEW: 11, TENSOR: 12, V8: 13 } as const;
/** Messages are TF protos as plain objects, a few levels deep. Deeper is a bug, not data. */
const MAX_DEPTH = 64;
/** The encoder's buffer is kept for reuse up to this size. */
const KEEP_BYTES = 1 << 20;

type ViewCtor = new (buffer: ArrayBuffer, byteOffset: number, length: number) => ArrayBufferView;
const VIEW_KINDS: { ctor: ViewCtor; is: (v: ArrayBufferView) => boolean }[] = [
  { ctor: Uint8Array as unknown as ViewCtor, is: (v) => v instanceof Uint8Array && !Buffer.isBuffer(v) },
  { ctor: Buffer as unknown as ViewCtor, is: (v) => Buffer.isBuffer(v) },
  ...[Int8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array, DataView].map((c) => ({
    ctor: c as unknown as ViewCtor,
    is: (v: ArrayBufferView) => v instanceof c,
  })),
];

const utf8 = new TextEncoder();

export class EnvelopeEncoder {
  private buf = new Uint8Array(4096);
  private view = new DataView(this.buf.buffer);
  private at = 0;

  /** Encodes `body` and the descriptors made of the tensors met on the way (by `describe`). */
  encode<D>(body: unknown, describe: (tensors: NDArray[]) => D[]): { bytes: Uint8Array; tensors: NDArray[] } {
    if (this.buf.byteLength > KEEP_BYTES) {
      this.buf = new Uint8Array(4096);
      this.view = new DataView(this.buf.buffer);
    }
    const tensors: NDArray[] = [];
    this.at = 4;
    this.value(body, 0, tensors);
    this.view.setUint32(0, this.at, true);
    this.value(describe(tensors), 0, []);
    return { bytes: this.buf.subarray(0, this.at), tensors };
  }

  private ensure(n: number): void {
    if (this.at + n <= this.buf.byteLength) return;
    const grown = new Uint8Array(Math.max(this.buf.byteLength * 2, this.at + n));
    grown.set(this.buf.subarray(0, this.at));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }

  private tag(t: number): void {
    this.ensure(1);
    this.buf[this.at++] = t;
  }

  private u32(n: number): void {
    this.ensure(4);
    this.view.setUint32(this.at, n, true);
    this.at += 4;
  }

  private string(s: string): void {
    this.ensure(4 + s.length * 3);
    const start = this.at + 4;
    let n = 0;
    // Short ASCII (keys, names) is the common case; TextEncoder for the rest.
    for (; n < s.length && n < 64; n++) {
      const c = s.charCodeAt(n);
      if (c >= 0x80) break;
      this.buf[start + n] = c;
    }
    if (n < s.length) n = utf8.encodeInto(s, this.buf.subarray(start)).written;
    this.view.setUint32(this.at, n, true);
    this.at = start + n;
  }

  private value(v: unknown, depth: number, tensors: NDArray[]): void {
    switch (typeof v) {
      case "undefined":
        return this.tag(T.UNDEFINED);
      case "boolean":
        return this.tag(v ? T.TRUE : T.FALSE);
      case "number":
        if ((v | 0) === v && !Object.is(v, -0)) {
          this.tag(T.INT32);
          this.ensure(4);
          this.view.setInt32(this.at, v, true);
          this.at += 4;
        } else {
          this.tag(T.FLOAT64);
          this.ensure(8);
          this.view.setFloat64(this.at, v, true);
          this.at += 8;
        }
        return;
      case "string":
        this.tag(T.STRING);
        return this.string(v);
      case "bigint":
        if (BigInt.asIntN(64, v) === v) {
          this.tag(T.BIGINT64);
          this.ensure(8);
          this.view.setBigInt64(this.at, v, true);
          this.at += 8;
        } else {
          this.tag(T.BIGINT_TEXT);
          this.string(v.toString());
        }
        return;
      case "object":
        return this.object(v, depth, tensors);
      default:
        throw new InvalidArgumentError(`thread transport: cannot send a ${typeof v} in a message`);
    }
  }

  private object(v: object | null, depth: number, tensors: NDArray[]): void {
    if (v === null) return this.tag(T.NULL);
    if (depth > MAX_DEPTH) throw new InvalidArgumentError(`thread transport: message nested deeper than ${MAX_DEPTH} levels`);
    if (v instanceof NDArray) {
      this.tag(T.TENSOR);
      this.u32(tensors.length);
      tensors.push(v);
      return;
    }
    if (Array.isArray(v)) {
      this.tag(T.ARRAY);
      this.u32(v.length);
      for (let i = 0; i < v.length; i++) this.value(v[i], depth + 1, tensors);
      return;
    }
    if (ArrayBuffer.isView(v)) {
      this.tag(T.VIEW);
      this.ensure(5 + v.byteLength);
      this.buf[this.at++] = VIEW_KINDS.findIndex((k) => k.is(v));
      this.u32(v.byteLength);
      this.buf.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), this.at);
      this.at += v.byteLength;
      return;
    }
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      const bytes = v8.serialize(v);
      this.tag(T.V8);
      this.u32(bytes.byteLength);
      this.ensure(bytes.byteLength);
      this.buf.set(bytes, this.at);
      this.at += bytes.byteLength;
      return;
    }
    const keys = Object.keys(v);
    this.tag(T.OBJECT);
    this.u32(keys.length);
    for (const key of keys) {
      this.string(key);
      this.value((v as Record<string, unknown>)[key], depth + 1, tensors);
    }
  }
}

/**
 * Decodes an envelope from `bytes` (a view into the ring, or a staging buffer): everything it
 * returns is copied out. `makeTensor` turns each descriptor into the NDArray put at its reference.
 */
export function decodeEnvelope<D>(bytes: Uint8Array, makeTensor: (desc: D) => NDArray): { body: unknown; descs: D[] } {
  try {
    const reader = new EnvelopeReader(bytes);
    reader.at = reader.view.getUint32(0, true);
    const descs = reader.value() as D[];
    if (!Array.isArray(descs)) throw malformed("no tensor table");
    reader.tensors = descs.map(makeTensor);
    reader.at = 4;
    return { body: reader.value(), descs };
  } catch (err) {
    // A corrupt frame is data loss on the channel, never a JS TypeError/RangeError.
    if (err instanceof OpError) throw err;
    throw malformed(err instanceof Error ? err.message : String(err));
  }
}

function malformed(why: string): OpError {
  return new DataLossError(`thread transport: malformed envelope (${why})`);
}

class EnvelopeReader {
  readonly view: DataView;
  at = 0;
  tensors: NDArray[] = [];

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private u32(): number {
    const n = this.view.getUint32(this.at, true);
    this.at += 4;
    return n;
  }

  /** A count or length read from the envelope: at most what is left of it (each item takes a byte or more). */
  private count(): number {
    const n = this.u32();
    if (n > this.bytes.byteLength - this.at) throw malformed(`length ${n} at ${this.at - 4} runs past the end (${this.bytes.byteLength} bytes)`);
    return n;
  }

  private string(): string {
    const n = this.count();
    const start = this.at;
    this.at += n;
    if (n <= 64) {
      let s = "";
      for (let i = 0; i < n; i++) {
        const c = this.bytes[start + i]!;
        if (c >= 0x80) return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, n).toString("utf8");
        s += String.fromCharCode(c);
      }
      return s;
    }
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, n).toString("utf8");
  }

  value(): unknown {
    const t = this.bytes[this.at++];
    switch (t) {
      case T.UNDEFINED:
        return undefined;
      case T.NULL:
        return null;
      case T.FALSE:
        return false;
      case T.TRUE:
        return true;
      case T.INT32:
        return (this.at += 4), this.view.getInt32(this.at - 4, true);
      case T.FLOAT64:
        return (this.at += 8), this.view.getFloat64(this.at - 8, true);
      case T.STRING:
        return this.string();
      case T.BIGINT64:
        return (this.at += 8), this.view.getBigInt64(this.at - 8, true);
      case T.BIGINT_TEXT:
        return BigInt(this.string());
      case T.ARRAY: {
        const n = this.count();
        const out = new Array<unknown>(n);
        for (let i = 0; i < n; i++) out[i] = this.value();
        return out;
      }
      case T.OBJECT: {
        const n = this.count();
        const out: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) out[this.string()] = this.value();
        return out;
      }
      case T.VIEW:
        return this.typedArray();
      case T.TENSOR: {
        const tensor = this.tensors[this.u32()];
        if (!tensor) throw malformed("bad tensor reference");
        return tensor;
      }
      case T.V8: {
        const n = this.count();
        this.at += n;
        // v8 aliases typed arrays into its input: give it its own copy.
        return v8.deserialize(this.bytes.slice(this.at - n, this.at));
      }
      default:
        throw malformed(`tag ${String(t)} at ${this.at - 1}`);
    }
  }

  private typedArray(): ArrayBufferView {
    const kind = VIEW_KINDS[this.bytes[this.at++]!];
    const n = this.count();
    if (!kind) throw malformed("unknown typed array kind");
    const copy = this.bytes.slice(this.at, this.at + n);
    this.at += n;
    if (kind.ctor === (Buffer as unknown as ViewCtor)) return Buffer.from(copy.buffer, 0, n);
    const per = (kind.ctor as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
    if (n % per !== 0) throw malformed(`${n} bytes for an array of ${per}-byte elements`);
    return new kind.ctor(copy.buffer, 0, n / per);
  }
}
