import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, UnauthenticatedError, UnavailableError } from "../../../../src/errors/index.js";
import { captureStderr } from "../../../helpers/stderr.js";
import { NDArray } from "../../../../src/tensor/index.js";
import { createGrpcTransport, type GrpcTransport } from "../../../../src/transport/grpc/index.js";
import type { ServeOptions, ServerHandle } from "../../../../src/transport/services.js";
import { requireTestCerts, type TestCerts } from "../../../fixtures/tls/generate.js";
import { FakeServices } from "./fake-services.js";

const servers: ServerHandle[] = [];
const clients: GrpcTransport[] = [];

async function start(options: ServeOptions): Promise<{ services: FakeServices; address: string }> {
  const services = new FakeServices();
  const handle = await createGrpcTransport().serve("127.0.0.1:0", services, options);
  servers.push(handle);
  return { services, address: handle.address };
}

/** A fresh transport per client, so no channel is shared between security settings under test. */
function client(): GrpcTransport {
  const t = createGrpcTransport({ reconnectBackoffMs: { initial: 50, max: 200 } });
  clients.push(t);
  return t;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.stop({ graceMs: 100 })));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop({ graceMs: 0 })));
});

const runGraph = {
  sessionHandle: "s", graphHandle: "g", stepId: 1, execOpts: { recordTimeline: false },
  send: [{ name: "x", tensor: new NDArray("float32", [1], Float32Array.of(1)) }], recvKey: ["x"],
};

describe("grpc transport: shared token", () => {
  it("a call with the right token is accepted, unary and streamed", async () => {
    const { address } = await start({ token: "s3cret" });
    const t = client();
    await expect(t.connectWorker(address, { token: "s3cret" }).getStatus({})).resolves.toBeDefined();
    await expect(t.connectWorker(address, { token: "s3cret" }).runGraph(runGraph)).resolves.toMatchObject({ recv: [{ name: "x" }] });
  });

  it("a call without the token, or with a wrong one, is UnauthenticatedError and never reaches the service", async () => {
    const { services, address } = await start({ token: "s3cret" });
    const t = client();
    const missing = await t.connectMaster(address).listDevices({}).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(UnauthenticatedError);
    expect((missing as Error).message).toMatch(/missing cluster token.*tfcluster-token/);
    const wrong = await t.connectWorker(address, { token: "s3cre7" }).runGraph(runGraph).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(UnauthenticatedError);
    expect((wrong as Error).message).toMatch(/wrong cluster token/);
    const longer = await t.connectWorker(address, { token: "s3cret-and-more" }).getStatus({}).catch((e: unknown) => e);
    expect(longer).toBeInstanceOf(UnauthenticatedError);
    expect(services.calls).toEqual([]);
  });
});

describe("grpc transport: TLS with client certificates", () => {
  let c: TestCerts;
  beforeAll(() => {
    c = requireTestCerts();
  });
  const serverTls = (): ServeOptions => ({ tls: { cert: c.serverCert, key: c.serverKey, ca: c.ca } });

  it("accepts a client presenting a certificate from the cluster CA", async () => {
    const { address } = await start(serverTls());
    const t = client();
    const worker = t.connectWorker(address, { tls: { ca: c.ca, cert: c.clientCert, key: c.clientKey } });
    await expect(worker.getStatus({}, { timeoutMs: 5000 })).resolves.toMatchObject({ deviceAttributes: expect.any(Array) });
    await expect(worker.runGraph(runGraph, { timeoutMs: 5000 })).resolves.toMatchObject({ recv: [{ name: "x" }] });
  });

  it("TLS and the token together", async () => {
    const { address } = await start({ ...serverTls(), token: "tok" });
    const t = client();
    const tls = { ca: c.ca, cert: c.clientCert, key: c.clientKey };
    await expect(t.connectMaster(address, { tls, token: "tok" }).listDevices({})).resolves.toBeDefined();
    await expect(t.connectMaster(address, { tls }).listDevices({})).rejects.toThrow(UnauthenticatedError);
  });

  it("refuses a client without a certificate, with one from another CA, and a plaintext client", async () => {
    const { services, address } = await start(serverTls());
    const attempts = [
      { tls: { ca: c.ca } },
      { tls: { ca: c.ca, cert: c.rogueClientCert, key: c.rogueClientKey } },
      {},
    ];
    for (const options of attempts) {
      const err = await client().connectWorker(address, options).getStatus({}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnavailableError);
      expect((err as Error).message).toContain(address);
    }
    expect(services.calls).toEqual([]);
  });

  it("a server without a CA serves TLS to clients without certificates", async () => {
    const { address } = await start({ tls: { cert: c.serverCert, key: c.serverKey } });
    await expect(client().connectWorker(address, { tls: { ca: c.ca } }).getStatus({})).resolves.toBeDefined();
  });
});

describe("grpc transport: who may serve what (start-time rules)", () => {
  it("a non-loopback address without a token or client CA refuses to start, naming the flags that fix it", async () => {
    const err = await createGrpcTransport().serve("0.0.0.0:0", new FakeServices(), {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toMatch(/--token-file.*--tls-ca.*--insecure/);
  });

  it("TLS without a CA counts as unauthenticated off loopback, and the server says so", async () => {
    const c = requireTestCerts();
    const tls = { cert: c.serverCert, key: c.serverKey };
    const err = await createGrpcTransport().serve("0.0.0.0:0", new FakeServices(), { tls }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toContain("TLS without a client CA authenticates nobody");
    const { text } = await captureStderr(async () => {
      servers.push(await createGrpcTransport().serve("127.0.0.1:0", new FakeServices(), { tls }));
    });
    expect(text).toContain("no client CA (--tls-ca / tls.ca): it authenticates nobody");
  });

  it("a token, client certificates or --insecure let it start; --insecure warns", async () => {
    const withToken = await createGrpcTransport().serve("0.0.0.0:0", new FakeServices(), { token: "t0k" });
    servers.push(withToken);
    const { text } = await captureStderr(async () => {
      servers.push(await createGrpcTransport().serve("0.0.0.0:0", new FakeServices(), { insecure: true }));
    });
    expect(text).toMatch(/without authentication \(--insecure\)/);
  });

  it.each(["", "   ", "\n\t"])("an empty or blank token (%j) is an error at start, never 'no auth'", async (token) => {
    const err = await createGrpcTransport().serve("127.0.0.1:0", new FakeServices(), { token }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toMatch(/token.*empty/);
  });

  it("loopback keeps today's defaults: no token needed", async () => {
    servers.push(await createGrpcTransport().serve("127.0.0.1:0", new FakeServices(), {}));
  });
});
