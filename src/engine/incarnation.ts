/**
 * Task incarnations (TF's DeviceAttributes.incarnation): every start of a task draws a fresh
 * 64-bit number, so that anything naming the old process — a session handle, a rendezvous key, a
 * worker session of a master that restarted — is told apart from the new one. Drawn from the
 * task's Random (seeded on inproc) mixed with its clock, so a restart with the same seed still
 * differs, and a virtual-time replay draws the same numbers.
 */
import type { Env } from "../util/env.js";

/** A fresh non-zero 64-bit incarnation for a task starting now. */
export function drawIncarnation(env: Env): bigint {
  const high = BigInt(env.random.int(2 ** 32));
  const low = BigInt(env.random.int(2 ** 32));
  const micros = BigInt(Math.floor(env.clock.nowMicros())) & 0xffffffffffffffffn;
  const mixed = ((high << 32n) | low) ^ (micros * 0x9e3779b97f4a7c15n);
  const inc = BigInt.asUintN(64, mixed);
  return inc === 0n ? 1n : inc;
}

/** The incarnation as 16 hex digits, as it appears in rendezvous keys and session handles. */
export function incarnationHex(incarnation: bigint): string {
  return BigInt.asUintN(64, incarnation).toString(16).padStart(16, "0");
}

/**
 * The value of a _Send/_Recv node's `send_device_incarnation` attr (TF's int64 attr; graph attrs
 * hold JS numbers here, so this is the incarnation as the nearest double: two incarnations that
 * differ in their top 53 bits never map to the same attr).
 */
export function incarnationAttr(incarnation: bigint): number {
  return Number(BigInt.asIntN(64, incarnation));
}
