/**
 * TF's rendezvous key format on the wire: `src_device;src_incarnation;dst_device;tensor_name;frame:iter`
 * (rendezvous.cc CreateKey: the incarnation as 16 hex digits, frame and iteration `0:0` outside
 * loops). A TF master names client-terminated sends and receives of RunGraph by such keys, and a
 * TF worker asks RecvTensor for them; tfcluster's own rendezvous tables use the same fields
 * without the frame (executor.ts rendezvousKey). These convert between the two, so a TF master
 * can drive a tfcluster worker and a tfcluster worker can pull from a TF one.
 */

interface ParsedKey {
  sendDevice: string;
  /** Unpadded lowercase hex, as executor.ts writes it. */
  incarnationHex: string;
  recvDevice: string;
  tensorName: string;
}

function parse(key: string): ParsedKey | null {
  const parts = key.split(";");
  if (parts.length !== 4 && !(parts.length === 5 && /^\d+:\d+$/.test(parts[4]!))) return null;
  const [sendDevice, inc, recvDevice, tensorName] = parts as [string, string, string, string];
  if (!/^[0-9a-fA-F]{1,16}$/.test(inc) || !sendDevice.startsWith("/") || !recvDevice.startsWith("/")) return null;
  return { sendDevice, incarnationHex: BigInt(`0x${inc}`).toString(16), recvDevice, tensorName };
}

/** A RecvTensor key in either form as this worker's rendezvous key; anything else unchanged. */
export function localRendezvousKey(key: string): string {
  const p = parse(key);
  return p ? `${p.sendDevice};${p.incarnationHex};${p.recvDevice};${p.tensorName}` : key;
}

/** A rendezvous key of this worker in TF's wire form (what a TF worker's RecvTensor parses). */
export function wireRendezvousKey(key: string): string {
  const p = parse(key);
  return p ? `${p.sendDevice};${p.incarnationHex.padStart(16, "0")};${p.recvDevice};${p.tensorName};0:0` : key;
}

/** The tensor a RunGraph send or recv_key names: TF's masters give a rendezvous key, ours the tensor name. */
export function clientTensorName(nameOrKey: string): string {
  return parse(nameOrKey)?.tensorName ?? nameOrKey;
}
