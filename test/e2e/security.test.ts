/**
 * A secured server refuses clients without the cluster token or without a certificate from the
 * cluster's CA: they cannot run anything; the right client can.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { requireTestCerts } from "../fixtures/tls/generate.js";
import type { TestCerts } from "../fixtures/tls/generate.js";

function tinyGraph() {
  const g = new tf.Graph();
  const c = g.asDefault(() => tf.add(tf.constant(1), 2));
  return { g, c };
}

describe("cluster token", () => {
  let server: tf.train.Server;
  beforeAll(async () => {
    server = await tf.train.Server.create({ local: ["127.0.0.1:0"] }, { transport: "grpc", token: "s3cret-token" });
  });
  afterAll(async () => {
    await server.stop();
  });

  it("a client without the token gets UnauthenticatedError and runs nothing", async () => {
    const { g, c } = tinyGraph();
    const sess = new tf.Session(server.target, { graph: g });
    await expect(sess.run(c)).rejects.toBeInstanceOf(tf.errors.UnauthenticatedError);
    const wrong = new tf.Session(server.target, { graph: g, security: { token: "guess" } });
    await expect(wrong.run(c)).rejects.toBeInstanceOf(tf.errors.UnauthenticatedError);
    await sess.close().catch(() => {});
    await wrong.close().catch(() => {});
  });

  it("a client with the token runs", async () => {
    const { g, c } = tinyGraph();
    const sess = new tf.Session(server.target, { graph: g, security: { token: "s3cret-token" } });
    expect((await sess.run(c)).item()).toBe(3);
    await sess.close();
  });
});

describe("TLS with client certificates", () => {
  let certs: TestCerts;
  let server: tf.train.Server;
  beforeAll(async () => {
    certs = requireTestCerts();
    server = await tf.train.Server.create(
      { local: ["localhost:0"] },
      { transport: "grpc", tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca } },
    );
  });
  afterAll(async () => {
    await server.stop();
  });

  it("a client without a certificate, or with one from another CA, cannot run anything", async () => {
    const { g, c } = tinyGraph();
    const anonymous = new tf.Session(server.target, { graph: g, security: { tls: { ca: certs.ca } }, config: { operationTimeoutInMs: 2000 } });
    await expect(anonymous.run(c)).rejects.toBeInstanceOf(tf.errors.OpError);
    const rogue = new tf.Session(server.target, {
      graph: g,
      security: { tls: { ca: certs.ca, cert: certs.rogueClientCert, key: certs.rogueClientKey } },
      config: { operationTimeoutInMs: 2000 },
    });
    await expect(rogue.run(c)).rejects.toBeInstanceOf(tf.errors.OpError);
    await anonymous.close().catch(() => {});
    await rogue.close().catch(() => {});
  });

  it("a client with a certificate from the cluster's CA runs", async () => {
    const { g, c } = tinyGraph();
    const sess = new tf.Session(server.target, { graph: g, security: { tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey } } });
    expect((await sess.run(c)).item()).toBe(3);
    await sess.close();
  });
});
