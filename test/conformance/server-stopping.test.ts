/**
 * A client blocked on a server that stops is told so ("server /job:.../task:N is stopping"), not
 * that its session was closed; and sess.close() against a server that is gone resolves (it logs),
 * so `finally { await sess.close() }` never hides the real error.
 */
import { expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { captureStderr } from "../helpers/stderr.js";
import { enabledTransports } from "../helpers/transports.js";
import { waitForWaiters } from "../helpers/wait.js";

for (const transport of enabledTransports()) {
  it(`[${transport}] a step blocked on a stopping server fails UnavailableError 'is stopping'; close() then resolves`, async () => {
    const server = await tf.train.Server.create({ local: ["localhost:0"] }, { jobName: "local", taskIndex: 0, transport });
    const g = new tf.Graph();
    const deq = g.asDefault(() => new tf.FIFOQueue({ capacity: 1, dtypes: ["float32"], shapes: [[]], sharedName: "stopping_q" }).dequeue()[0]!);
    const sess = new tf.Session(server.target, { graph: g, config: { operationTimeoutInMs: 20_000 } });
    const pending = sess.run(deq).catch((e: unknown) => e);
    await waitForWaiters(server.target, "stopping_q", "dequeue");
    await server.stop();
    const err = await pending;
    expect(err).toBeInstanceOf(tf.errors.UnavailableError);
    expect((err as Error).message).toContain("server /job:local/replica:0/task:0 is stopping");
    expect((err as Error).message).not.toContain("Session::Close");
    // The server is gone: close() resolves and says what it could not do.
    const { text } = await captureStderr(() => sess.close());
    expect(text).toContain("did not close session");
  }, 60_000);
}
