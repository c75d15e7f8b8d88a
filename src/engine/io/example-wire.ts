/**
 * A reader of serialized tf.train.Example bytes in the manner of TF's fast parser
 * (core/util/example_proto_fast_parsing.cc; tf-training.md §10.1): the Example is split into
 * (key, Feature) byte ranges without copying, and a Feature's list is read straight into the
 * output tensor's memory (a packed FloatList is one byte copy, int64 varints are written as two
 * 32-bit words), so parsing allocates nothing per element. Concatenated Examples parse as one,
 * unknown top-level fields are skipped, and malformed bytes are reported as `null` / -1.
 */

/** One map entry of Features: the key's and the Feature message's byte ranges in the buffer. */
export interface FeatureRef {
  keyStart: number;
  keyEnd: number;
  start: number;
  end: number;
}

/** What a Feature holds: its list kind, `null` for an empty Feature, "unsupported" for another tag. */
export type FeatureKind = "string" | "float32" | "int64" | null | "unsupported";

/** A cursor over buf[pos, limit). Methods return false (or -1) when the bytes are malformed. */
class Cursor {
  constructor(
    readonly buf: Uint8Array,
    public pos: number,
    public limit: number,
  ) {}

  atEnd(): boolean {
    return this.pos >= this.limit;
  }

  /** A varint truncated to 32 bits (protobuf's ReadVarint32), or -1. */
  varint32(): number {
    let result = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.limit) return -1;
      const b = this.buf[this.pos++]!;
      if (i < 5) result |= (b & 0x7f) << (7 * i);
      if (b < 0x80) return result >>> 0;
    }
    return -1;
  }

  /** Reads a varint64 into out32[at] (low word) and out32[at+1] (high word); false when malformed. */
  varint64(out32: Uint32Array | null, at: number): boolean {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.limit) return false;
      const b = this.buf[this.pos++]! & 0xff;
      const bits = b & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= bits << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (7 * i - 32);
      if (b < 0x80) {
        if (out32) {
          out32[at] = lo >>> 0;
          out32[at + 1] = hi >>> 0;
        }
        return true;
      }
    }
    return false;
  }

  /** protobuf's PushLimit: the new limit never reaches past the current one. Returns the old limit. */
  pushLimit(length: number): number {
    const old = this.limit;
    this.limit = Math.min(old, this.pos + length);
    return old;
  }

  expectByte(b: number): boolean {
    if (this.pos < this.limit && this.buf[this.pos] === b) {
      this.pos++;
      return true;
    }
    return false;
  }

  /** SkipExtraneousTag: skips one field of any wire type but groups. */
  skipField(): boolean {
    const tag = this.varint32();
    if (tag < 0) return false;
    switch (tag & 7) {
      case 0:
        return this.varint32() >= 0;
      case 1:
        return this.skipFixed(8);
      case 2: {
        const n = this.varint32();
        if (n < 0) return false;
        // TF ignores Skip's result: a length past the end just ends the stream.
        this.pos = Math.min(this.limit, this.pos + n);
        return true;
      }
      case 5:
        return this.skipFixed(4);
      default:
        return false;
    }
  }

  private skipFixed(n: number): boolean {
    if (this.pos + n > this.limit) return false;
    this.pos += n;
    return true;
  }

  /** A length-delimited field's [start, end), or null. */
  delimited(): [number, number] | null {
    const n = this.varint32();
    if (n < 0 || this.pos + n > this.limit) return null;
    const start = this.pos;
    this.pos += n;
    return [start, this.pos];
  }
}

function parseEntry(c: Cursor, out: FeatureRef[]): boolean {
  const length = c.varint32();
  if (length < 0) return false;
  const outer = c.pushLimit(length);
  if (!c.expectByte(0x0a)) return false;
  const key = c.delimited();
  if (!key || !c.expectByte(0x12)) return false;
  const value = c.delimited();
  if (!value || !c.atEnd()) return false;
  c.limit = outer;
  out.push({ keyStart: key[0], keyEnd: key[1], start: value[0], end: value[1] });
  return true;
}

function parseFeatures(c: Cursor, out: FeatureRef[]): boolean {
  const length = c.varint32();
  if (length < 0) return false;
  const outer = c.pushLimit(length);
  while (!c.atEnd()) {
    if (!c.expectByte(0x0a) || !parseEntry(c, out)) return false;
  }
  c.limit = outer;
  return true;
}

/** The Example's features in wire order (duplicates kept), or null when the bytes are malformed. */
export function parseExampleEntries(buf: Uint8Array): FeatureRef[] | null {
  const c = new Cursor(buf, 0, buf.length);
  const out: FeatureRef[] = [];
  while (!c.atEnd()) {
    if (c.expectByte(0x0a)) {
      if (!parseFeatures(c, out)) return null;
    } else if (!c.skipField()) return null;
  }
  return out;
}

/** Whether the entry's key equals `key` (byte for byte). */
export function keyEquals(buf: Uint8Array, ref: FeatureRef, key: Uint8Array): boolean {
  if (ref.keyEnd - ref.keyStart !== key.length) return false;
  for (let i = 0; i < key.length; i++) if (buf[ref.keyStart + i] !== key[i]) return false;
  return true;
}

/** ParseDataType: the Feature's oneof tag. */
export function featureKind(buf: Uint8Array, ref: FeatureRef): FeatureKind {
  if (ref.end <= ref.start) return null;
  switch (buf[ref.start]) {
    case 0x0a:
      return "string";
    case 0x12:
      return "float32";
    case 0x1a:
      return "int64";
    default:
      return "unsupported";
  }
}

/** A cursor over the list message inside a Feature (after its oneof tag), or null. */
function listCursor(buf: Uint8Array, ref: FeatureRef): Cursor | null {
  const c = new Cursor(buf, ref.start + 1, ref.end);
  const length = c.varint32();
  if (length < 0) return null;
  c.pushLimit(length);
  return c;
}

/**
 * Reads a FloatList into out[offset, offset + capacity) and returns its real length (values
 * past the capacity are counted, not written), or -1 when malformed. Packed and unpacked parse.
 */
export function readFloatList(buf: Uint8Array, ref: FeatureRef, out: Float32Array | null, offset: number, capacity: number): number {
  const c = listCursor(buf, ref);
  if (!c) return -1;
  if (c.atEnd()) return 0;
  const tag = buf[c.pos];
  if (tag === 0x0a) {
    c.pos++;
    const packed = c.delimited();
    if (!packed) return -1;
    const n = Math.floor((packed[1] - packed[0]) / 4);
    const k = Math.min(n, capacity);
    if (out && k > 0) new Uint8Array(out.buffer, out.byteOffset + offset * 4, k * 4).set(buf.subarray(packed[0], packed[0] + k * 4));
    return n;
  }
  if (tag !== 0x0d) return -1;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let n = 0;
  while (!c.atEnd()) {
    if (!c.expectByte(0x0d) || c.pos + 4 > c.limit) return -1;
    if (out && n < capacity) out[offset + n] = view.getFloat32(c.pos, true);
    c.pos += 4;
    n++;
  }
  return n;
}

/** Reads an Int64List (plain varints, exact to 64 bits) the way readFloatList reads floats. */
export function readInt64List(buf: Uint8Array, ref: FeatureRef, out: BigInt64Array | null, offset: number, capacity: number): number {
  const c = listCursor(buf, ref);
  if (!c) return -1;
  if (c.atEnd()) return 0;
  const words = out ? new Uint32Array(out.buffer, out.byteOffset, out.length * 2) : null;
  const tag = buf[c.pos];
  let n = 0;
  if (tag === 0x0a) {
    c.pos++;
    const length = c.varint32();
    if (length < 0) return -1;
    c.pushLimit(length);
    while (!c.atEnd()) {
      if (!c.varint64(n < capacity ? words : null, 2 * (offset + n))) return -1;
      n++;
    }
    return n;
  }
  if (tag !== 0x08) return -1;
  while (!c.atEnd()) {
    if (!c.expectByte(0x08) || !c.varint64(n < capacity ? words : null, 2 * (offset + n))) return -1;
    n++;
  }
  return n;
}

/** Reads a BytesList, copying each value, the way readFloatList reads floats. */
export function readBytesList(buf: Uint8Array, ref: FeatureRef, out: Uint8Array[] | null, offset: number, capacity: number): number {
  const c = listCursor(buf, ref);
  if (!c) return -1;
  let n = 0;
  while (!c.atEnd()) {
    if (!c.expectByte(0x0a)) return -1;
    const v = c.delimited();
    if (!v) return -1;
    if (out && n < capacity) out[offset + n] = buf.slice(v[0], v[1]);
    n++;
  }
  return n;
}
