/**
 * CRC-32C (Castagnoli) and TensorFlow's CRC mask (core/lib/hash/crc32c.h). TFRecord files store
 * masked CRCs because computing the CRC of a string that contains embedded CRCs is problematic.
 * The CRC itself comes from the `crc-32` package's CRC-32C module, not from code of ours.
 */
import crc32cModule from "crc-32/crc32c.js";

/** TF's kMaskDelta. */
export const CRC_MASK_DELTA = 0xa282ead8;

/** CRC-32C of `data` as an unsigned 32-bit number. */
export function crc32c(data: Uint8Array): number {
  return crc32cModule.buf(data, 0) >>> 0;
}

/** TF's Mask: rotate right by 15 bits, then add the delta (uint32 arithmetic). */
export function maskCrc(crc: number): number {
  const rotated = ((crc >>> 15) | (crc << 17)) >>> 0;
  return (rotated + CRC_MASK_DELTA) >>> 0;
}

/** TF's Unmask, the inverse of `maskCrc`. */
export function unmaskCrc(masked: number): number {
  const rotated = (masked - CRC_MASK_DELTA) >>> 0;
  return ((rotated >>> 17) | (rotated << 15)) >>> 0;
}

/** `maskCrc(crc32c(data))`: what a TFRecord stores after the length and after the data. */
export function maskedCrc32c(data: Uint8Array): number {
  return maskCrc(crc32c(data));
}
