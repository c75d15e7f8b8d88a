/**
 * TF's node suffix on error messages: TF's executor ends a failing op's status message with
 * "\n\t [[{{node NAME}}]]" (errors::AttachDef), and TF's Python client parses that tag to fill the
 * error's `op` and `node_def`. Statuses a tfcluster server sends carry it, so a TF client finds the
 * node; tfcluster's own client strips it again and reads the node name from metadata (or from the
 * tag, when a TF peer sent the error), so its users see the message as it was raised.
 */
const SUFFIX = /\n\t \[\[\{\{node ([^}]+)\}\}\]\]$/;

/** `message` with TF's node tag for `nodeName` appended (once). */
export function withNodeSuffix(message: string, nodeName: string | undefined): string {
  if (!nodeName || SUFFIX.test(message)) return message;
  return `${message}\n\t [[{{node ${nodeName}}}]]`;
}

/** The message without a trailing node tag, and the node the tag named. */
export function splitNodeSuffix(message: string): { message: string; nodeName?: string } {
  const m = SUFFIX.exec(message);
  if (!m) return { message };
  return { message: message.slice(0, m.index), nodeName: m[1]! };
}
