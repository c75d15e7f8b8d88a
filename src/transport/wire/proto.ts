/**
 * The small layer between protobufjs and our codecs: encode/decode by type name with parse
 * errors turned into DataLossError, and 64-bit integers read back from protobufjs's `Long`s
 * (it decodes every int64 to one; B17) as number or bigint.
 */
import { DataLossError, OpError } from "../../errors/index.js";
import { messageType } from "./schema.js";

/** A 64-bit integer as protobufjs may hand it over: a number, or a Long {low, high, unsigned}. */
export type Int64Wire = number | string | { low: number; high: number; unsigned: boolean };

/** A message type's codec: our TypeScript object ↔ protobuf bytes. */
export interface MessageCodec<M> {
  /** Full protobuf name, e.g. "tensorflow.RunGraphRequest". */
  readonly typeName: string;
  encode(message: M): Uint8Array;
  decode(bytes: Uint8Array): M;
}

/** Builds a codec from the two mappings between our object and protobufjs's plain object `W`. */
export function codec<M, W extends object>(
  typeName: string,
  toWire: (message: M) => W,
  fromWire: (wire: W) => M,
): MessageCodec<M> {
  const type = messageType(typeName);
  return {
    typeName,
    encode: (message) => type.encode(toWire(message)).finish(),
    decode(bytes) {
      let wire: W;
      try {
        wire = type.decode(bytes) as unknown as W;
      } catch (err) {
        throw new DataLossError(`Could not parse ${typeName} (${bytes.byteLength} bytes): ${String((err as Error).message ?? err)}`);
      }
      try {
        return fromWire(wire);
      } catch (err) {
        if (err instanceof OpError) throw err;
        throw new DataLossError(`Could not read ${typeName}: ${String((err as Error).message ?? err)}`);
      }
    },
  };
}

/** The value as a bigint (two's complement for signed fields). */
export function toBigInt(v: Int64Wire | bigint | null | undefined): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === "bigint") return v;
  if (typeof v === "number") return BigInt(Math.trunc(v));
  if (typeof v === "string") return BigInt(v);
  const bits = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return v.unsigned ? bits : BigInt.asIntN(64, bits);
}

/** The value as a JS number (exact up to 2^53, as TF step ids and versions are here). */
export function toNumber(v: Int64Wire | bigint | null | undefined): number {
  if (typeof v === "number") return v;
  if (v !== null && typeof v === "object" && v.high === 0 && v.low >= 0) return v.low;
  return Number(toBigInt(v));
}

/** Whether a decoded message carries field `key` (protobufjs sets own properties only for fields read). */
export function has<W extends object>(wire: W, key: keyof W): boolean {
  const v = wire[key];
  return Object.prototype.hasOwnProperty.call(wire, key) && v !== null && v !== undefined;
}

/** A plain Uint8Array view of protobufjs bytes (a Buffer in Node), without copying. */
export function plainBytes(b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

export function utf8Bytes(s: string): Uint8Array {
  return utf8.encode(s);
}

export function utf8String(b: Uint8Array): string {
  return utf8Decoder.decode(b);
}

/** Adds `key: value` to `obj` only when value is defined (our optional fields ↔ proto presence). */
export function setIf<T extends object, K extends keyof T>(obj: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) obj[key] = value;
}
