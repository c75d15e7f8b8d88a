/** A port already in use fails alike on every transport: TF's UnknownError "Could not start ... server". */
import { expect, it } from "vitest";
import * as tf from "../../../src/index.js";
import { getTransport } from "../../../src/transport/registry.js";
import type { ServedServices } from "../../../src/transport/services.js";
import { ALL_TRANSPORTS } from "../../helpers/transports.js";

for (const name of ALL_TRANSPORTS) {
  it(`${name}: serving a bound address again is UnknownError 'Could not start ${name} server'`, async () => {
    const transport = await getTransport(name);
    // The services are never called: the second bind fails before anything is served.
    const services = { master: {}, worker: {} } as unknown as ServedServices;
    const first = await transport.serve("localhost:0", services);
    try {
      const err = await transport.serve(first.address, services).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(tf.errors.UnknownError);
      expect((err as Error).message).toMatch(new RegExp(`^Could not start ${name === "grpc" ? "gRPC" : name} server at .*${first.address.split(":")[1]}`));
    } finally {
      await first.stop();
    }
  });
}
