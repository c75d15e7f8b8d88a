/**
 * The serialized state of IdentityReader and WholeFileReader: TF's ReaderBaseState proto
 * (work_started = 1, work_finished = 2, num_records_produced = 3: int64; current_work = 4: bytes),
 * encoded and strictly decoded here, plus the texts TF's restore errors print.
 */
import { appendAll } from "../../util/arrays.js";

export interface ReaderBaseState {
  workStarted: bigint;
  workFinished: bigint;
  numRecordsProduced: bigint;
  currentWork: Uint8Array;
}

function pushVarint(out: number[], value: bigint): void {
  let v = BigInt.asUintN(64, value);
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? byte | 0x80 : byte);
  } while (v > 0n);
}

/** Proto3 encoding: zero values are left out, as protobuf does. */
export function encodeReaderState(state: ReaderBaseState): Uint8Array {
  const out: number[] = [];
  const ints: [number, bigint][] = [
    [1, state.workStarted],
    [2, state.workFinished],
    [3, state.numRecordsProduced],
  ];
  for (const [field, value] of ints) {
    if (value === 0n) continue;
    out.push(field << 3);
    pushVarint(out, value);
  }
  if (state.currentWork.length > 0) {
    out.push((4 << 3) | 2);
    pushVarint(out, BigInt(state.currentWork.length));
    appendAll(out, state.currentWork);
  }
  return Uint8Array.from(out);
}

class ProtoCursor {
  at = 0;
  constructor(private readonly bytes: Uint8Array) {}
  get done(): boolean {
    return this.at >= this.bytes.length;
  }
  varint(): bigint | null {
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.at >= this.bytes.length) return null;
      const b = this.bytes[this.at++]!;
      value |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, value);
    }
    return null;
  }
  take(n: number): Uint8Array | null {
    if (n < 0 || this.at + n > this.bytes.length) return null;
    const out = this.bytes.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }
}

/** Skips an unknown field's value; false when the bytes cannot be a valid message. */
function skipField(cursor: ProtoCursor, wireType: number): boolean {
  switch (wireType) {
    case 0:
      return cursor.varint() !== null;
    case 1:
      return cursor.take(8) !== null;
    case 2: {
      const n = cursor.varint();
      return n !== null && n <= BigInt(Number.MAX_SAFE_INTEGER) && cursor.take(Number(n)) !== null;
    }
    case 5:
      return cursor.take(4) !== null;
    default:
      return false; // groups (3, 4) and the reserved wire types 6, 7
  }
}

/** Parses a ReaderBaseState; null where protobuf's parser fails. */
export function decodeReaderState(bytes: Uint8Array): ReaderBaseState | null {
  const state: ReaderBaseState = { workStarted: 0n, workFinished: 0n, numRecordsProduced: 0n, currentWork: new Uint8Array(0) };
  const cursor = new ProtoCursor(bytes);
  while (!cursor.done) {
    const tag = cursor.varint();
    if (tag === null) return null;
    const field = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    if (field === 0) return null;
    if (field >= 1 && field <= 3 && wireType === 0) {
      const v = cursor.varint();
      if (v === null) return null;
      const signed = BigInt.asIntN(64, v);
      if (field === 1) state.workStarted = signed;
      else if (field === 2) state.workFinished = signed;
      else state.numRecordsProduced = signed;
    } else if (field === 4 && wireType === 2) {
      const n = cursor.varint();
      const data = n === null || n > BigInt(Number.MAX_SAFE_INTEGER) ? null : cursor.take(Number(n));
      if (data === null) return null;
      state.currentWork = data;
    } else if (!skipField(cursor, wireType)) {
      return null;
    }
  }
  return state;
}

/** absl::CEscape: \n \r \t \" \' \\ escaped, other non-printable bytes as three octal digits. */
export function cEscape(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) {
    if (b === 0x0a) out += "\\n";
    else if (b === 0x0d) out += "\\r";
    else if (b === 0x09) out += "\\t";
    else if (b === 0x22) out += '\\"';
    else if (b === 0x27) out += "\\'";
    else if (b === 0x5c) out += "\\\\";
    else if (b < 0x20 || b >= 0x7f) out += `\\${b.toString(8).padStart(3, "0")}`;
    else out += String.fromCharCode(b);
  }
  return out;
}

/** ProtoShortDebugString of a ReaderBaseState (zero fields left out). */
export function describeReaderState(state: ReaderBaseState): string {
  const parts: string[] = [];
  if (state.workStarted !== 0n) parts.push(`work_started: ${state.workStarted}`);
  if (state.workFinished !== 0n) parts.push(`work_finished: ${state.workFinished}`);
  if (state.numRecordsProduced !== 0n) parts.push(`num_records_produced: ${state.numRecordsProduced}`);
  if (state.currentWork.length > 0) parts.push(`current_work: "${cEscape(state.currentWork)}"`);
  return parts.join(" ");
}
