/**
 * Forwards a child task's stderr line by line, each line prefixed with its task, so the warnings
 * of a simulated cluster's tasks (`tfcluster sim --transport grpc`) reach the operator and say
 * which task wrote them. A partial line waits for its end (bounded, then flushed as is).
 */
const MAX_PENDING_CHARS = 64 * 1024;

export function lineForwarder(prefix: string, write: (text: string) => void): (chunk: Buffer | string) => void {
  let pending = "";
  return (chunk) => {
    pending += chunk.toString();
    let nl = pending.indexOf("\n");
    while (nl >= 0) {
      write(`${prefix}${pending.slice(0, nl + 1)}`);
      pending = pending.slice(nl + 1);
      nl = pending.indexOf("\n");
    }
    if (pending.length > MAX_PENDING_CHARS) {
      write(`${prefix}${pending}\n`);
      pending = "";
    }
  };
}
