/**
 * Chunked messages: how a request or response with large tensors crosses a streaming call.
 *
 * Frame 0 is a `tfcluster.TensorStreamHead`: the message encoded as usual, except that each large
 * fixed-size tensor is replaced by an empty placeholder and listed (slot, dtype, shape, bytes).
 * The following frames are raw slices of those tensors' bytes, in slot order. The sender slices
 * views of the tensors' own memory (no copy of ours); the receiver copies each frame straight into
 * the final typed array (the one assembly). No frame is larger than `chunkBytes` + the head.
 */
import { DataLossError, InvalidArgumentError, ResourceExhaustedError } from "../../errors/index.js";
import type { DType } from "../../tensor/dtypes.js";
import { bytesPerElement } from "../../tensor/dtypes.js";
import { NDArray, allocData, sizeOf } from "../../tensor/ndarray.js";
import { chargeDecodedTensor, elementCount, tensorBudget, withTensorBudget } from "../../tensor/budget.js";
import { contentBytes, dtypeFromWire, dtypeToWire } from "../wire/tensor-codec.js";
import { messageType, toNumber, type Int64Wire, type MessageCodec } from "../wire/index.js";
import type { GrpcConfig } from "./config.js";

/** Where a message keeps its tensors, so they can be taken out and put back. */
export interface TensorSlots<M> {
  get(message: M): { name: string; tensor: NDArray }[];
  set(message: M, tensors: NDArray[]): M;
}

interface OutOfBandWire {
  slot?: number;
  dtype?: number;
  dim?: Int64Wire[];
  byte_length?: Int64Wire;
}
interface HeadWire {
  message?: Uint8Array;
  tensor?: OutOfBandWire[];
}

const headType = messageType("tfcluster.TensorStreamHead");

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

function tooLarge(what: string, name: string, bytes: number, cap: number): ResourceExhaustedError {
  return new ResourceExhaustedError(`${what}: tensor '${name}' is ${bytes} bytes, more than the ${cap}-byte limit per tensor (maxTensorBytes)`);
}

/** The frames of one message: the head, then views of out-of-band tensor bytes. */
export function encodeFrames<M>(message: M, codec: MessageCodec<M>, slots: TensorSlots<M>, cfg: GrpcConfig, what: string): Buffer[] {
  const named = slots.get(message);
  const outOfBand: OutOfBandWire[] = [];
  const bodies: Uint8Array[] = [];
  const inHead = named.map(({ name, tensor }, slot) => {
    const bpe = bytesPerElement(tensor.dtype);
    const bytes = tensor.size * bpe;
    if (bytes > cfg.maxTensorBytes) throw tooLarge(what, name, bytes, cfg.maxTensorBytes);
    if (bpe === 0 || bytes < cfg.outOfBandMinBytes) return tensor;
    outOfBand.push({ slot, dtype: dtypeToWire(tensor.dtype), dim: tensor.shape, byte_length: bytes });
    bodies.push(contentBytes(tensor.data));
    return new NDArray(tensor.dtype, [0], allocData(tensor.dtype, 0));
  });
  const body = codec.encode(outOfBand.length ? slots.set(message, inHead) : message);
  const head = headType.encode({ message: body, tensor: outOfBand } satisfies HeadWire).finish();
  if (head.byteLength > cfg.maxMessageBytes) {
    throw new ResourceExhaustedError(`${what}: message of ${head.byteLength} bytes is larger than maxMessageBytes (${cfg.maxMessageBytes}) even with its large tensors streamed`);
  }
  const frames = [asBuffer(head)];
  for (const b of bodies) {
    for (let off = 0; off < b.byteLength; off += cfg.chunkBytes) {
      frames.push(asBuffer(b.subarray(off, Math.min(b.byteLength, off + cfg.chunkBytes))));
    }
  }
  return frames;
}

/** Whether `message` has a tensor big enough to travel out of band (so: the streaming path). */
export function hasOutOfBand<M>(message: M, slots: TensorSlots<M>, cfg: GrpcConfig): boolean {
  return slots.get(message).some(({ tensor }) => {
    const bpe = bytesPerElement(tensor.dtype);
    return bpe > 0 && tensor.size * bpe >= cfg.outOfBandMinBytes;
  });
}

/** Below this, a zeroed allocation is as cheap and keeps nothing of malloc's past around. */
const UNINITIALIZED_MIN_BYTES = 64 << 10;

/**
 * Typed data for `n` elements that the caller fills completely. Large ones are not zeroed first:
 * fresh zeroed pages fault on the first write, while malloc's recycled memory is already mapped
 * (16 MiB: 2.2 ms into fresh pages vs 1.3 ms into recycled ones). Offset 0 of their own buffer,
 * so every typed view is aligned.
 */
function allocFilled(dtype: DType, n: number): NDArray["data"] {
  const bytes = n * bytesPerElement(dtype);
  if (bytes < UNINITIALIZED_MIN_BYTES) return allocData(dtype, n);
  const buffer = Buffer.allocUnsafeSlow(bytes).buffer;
  switch (dtype) {
    case "float32":
      return new Float32Array(buffer, 0, n);
    case "float64":
      return new Float64Array(buffer, 0, n);
    case "int32":
      return new Int32Array(buffer, 0, n);
    case "int64":
      return new BigInt64Array(buffer, 0, n);
    default:
      return new Uint8Array(buffer, 0, n);
  }
}

/**
 * One announced tensor. Its final array is allocated only once half of its bytes have arrived
 * (until then the received frames are kept as they came), so an announcement alone never makes
 * this task allocate: what it holds is at most twice what the peer really sent.
 */
interface Pending {
  slot: number;
  name: string;
  dtype: DType;
  shape: number[];
  byteLength: number;
  filled: number;
  /** Frames received before the allocation. */
  early: Uint8Array[];
  tensor?: NDArray;
  bytes?: Uint8Array;
}

/** The most tensors one streamed message may announce. */
export const MAX_STREAM_TENSORS = 4096;

/** Decodes `bytes` with `codec`, every tensor bounded by `cfg.maxTensorBytes` (and the message's total). */
export function decodeBounded<M>(codec: MessageCodec<M>, bytes: Uint8Array, cfg: GrpcConfig): M {
  return withTensorBudget(tensorBudget(cfg.maxTensorBytes), () => codec.decode(bytes));
}

/** Rebuilds one message from its frames; `complete` once every out-of-band byte has arrived. */
export class FrameAssembler<M> {
  private message: M | undefined;
  private pending: Pending[] = [];
  private current = 0;

  constructor(
    private readonly codec: MessageCodec<M>,
    private readonly slots: TensorSlots<M>,
    private readonly cfg: GrpcConfig,
    private readonly what: string,
  ) {}

  get complete(): boolean {
    return this.message !== undefined && this.current === this.pending.length;
  }

  push(frame: Uint8Array): void {
    if (this.message === undefined) return this.pushHead(frame);
    if (this.complete) throw new DataLossError(`${this.what}: ${frame.byteLength} bytes after the end of the message`);
    let off = 0;
    while (off < frame.byteLength && this.current < this.pending.length) {
      const p = this.pending[this.current]!;
      const n = Math.min(frame.byteLength - off, p.byteLength - p.filled);
      this.fill(p, frame.subarray(off, off + n));
      off += n;
      if (p.filled === p.byteLength) this.current++;
    }
    if (off < frame.byteLength) throw new DataLossError(`${this.what}: ${frame.byteLength - off} bytes more than the tensors announced`);
  }

  result(): M {
    if (!this.complete || this.message === undefined) {
      const got = this.pending.reduce((a, p) => a + p.filled, 0);
      const want = this.pending.reduce((a, p) => a + p.byteLength, 0);
      throw new DataLossError(`${this.what}: stream ended early (${this.message === undefined ? "no message" : `${got} of ${want} tensor bytes`})`);
    }
    if (this.pending.length === 0) return this.message;
    const tensors = this.slots.get(this.message).map((s) => s.tensor);
    for (const p of this.pending) tensors[p.slot] = p.tensor ?? this.materialize(p).tensor!;
    return this.slots.set(this.message, tensors);
  }

  private fill(p: Pending, chunk: Uint8Array): void {
    if (!p.bytes) {
      p.early.push(chunk);
      p.filled += chunk.byteLength;
      if (p.filled * 2 >= p.byteLength) this.materialize(p);
      return;
    }
    p.bytes.set(chunk, p.filled);
    p.filled += chunk.byteLength;
  }

  /** Allocates `p`'s array and copies in what arrived so far. */
  private materialize(p: Pending): Pending {
    const data = allocFilled(p.dtype, sizeOf(p.shape));
    p.tensor = new NDArray(p.dtype, p.shape, data);
    p.bytes = contentBytes(data);
    let at = 0;
    for (const c of p.early) {
      p.bytes.set(c, at);
      at += c.byteLength;
    }
    p.early = [];
    return p;
  }

  private pushHead(frame: Uint8Array): void {
    let head: HeadWire;
    try {
      head = headType.decode(frame) as unknown as HeadWire;
    } catch (err) {
      throw new DataLossError(`${this.what}: unreadable stream head (${String((err as Error).message)})`);
    }
    const announced = head.tensor ?? [];
    if (announced.length > MAX_STREAM_TENSORS) {
      throw new ResourceExhaustedError(`${this.what}: ${announced.length} streamed tensors announced, more than the ${MAX_STREAM_TENSORS} one message may carry`);
    }
    const budget = tensorBudget(this.cfg.maxTensorBytes);
    const message = withTensorBudget(budget, () => this.codec.decode(head.message ?? new Uint8Array(0)));
    const named = this.slots.get(message);
    const seen = new Set<number>();
    for (const t of announced) {
      const slot = t.slot ?? 0;
      const name = named[slot]?.name;
      if (name === undefined || seen.has(slot)) throw new DataLossError(`${this.what}: out-of-band tensor for slot ${slot} of ${named.length}`);
      seen.add(slot);
      this.pending.push(withTensorBudget(budget, () => this.announce(slot, name, t)));
    }
    this.message = message;
  }

  private announce(slot: number, name: string, t: OutOfBandWire): Pending {
    const dtype = dtypeFromWire(t.dtype);
    const shape = (t.dim ?? []).map(toNumber);
    const bpe = bytesPerElement(dtype);
    const byteLength = toNumber(t.byte_length);
    if (bpe === 0 || byteLength === 0 || !(elementCount(shape) * bpe === byteLength)) {
      throw new InvalidArgumentError(`${this.what}: tensor '${name}' announced as ${dtype}[${shape.join(",")}] with ${byteLength} bytes`);
    }
    if (byteLength > this.cfg.maxTensorBytes) throw tooLarge(this.what, name, byteLength, this.cfg.maxTensorBytes);
    chargeDecodedTensor(`${this.what}: tensor '${name}'`, dtype, shape);
    return { slot, name, dtype, shape, byteLength, filled: 0, early: [] };
  }
}
