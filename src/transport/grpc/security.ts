/**
 * TLS (optionally mutual) and the shared cluster token. A server given a CA requires client
 * certificates signed by it; a server given a token refuses calls whose `tfcluster-token`
 * metadata does not match (UNAUTHENTICATED). Clients send the token on every call.
 */
import { ChannelCredentials, Metadata, ServerCredentials } from "@grpc/grpc-js";
import { createHash, timingSafeEqual } from "node:crypto";
import { InvalidArgumentError, UnauthenticatedError } from "../../errors/index.js";
import type { SecurityOptions, ServeOptions } from "../services.js";

export const TOKEN_KEY = "tfcluster-token";

function pem(v: Buffer | string | undefined): Buffer | undefined {
  return v === undefined ? undefined : Buffer.isBuffer(v) ? v : Buffer.from(v, "utf8");
}

export function serverCredentials(security: SecurityOptions | undefined): ServerCredentials {
  const tls = security?.tls;
  if (!tls) return ServerCredentials.createInsecure();
  const cert = pem(tls.cert);
  const key = pem(tls.key);
  if (!cert || !key) throw new InvalidArgumentError("A TLS server needs both `cert` and `key` (PEM)");
  const ca = pem(tls.ca);
  // checkClientCertificate: with a CA, a client without a certificate it signed is refused.
  return ServerCredentials.createSsl(ca ?? null, [{ cert_chain: cert, private_key: key }], ca !== undefined);
}

export function channelCredentials(security: SecurityOptions | undefined): ChannelCredentials {
  const tls = security?.tls;
  if (!tls) return ChannelCredentials.createInsecure();
  const cert = pem(tls.cert);
  const key = pem(tls.key);
  if ((cert === undefined) !== (key === undefined)) {
    throw new InvalidArgumentError("A TLS client certificate needs both `cert` and `key` (PEM)");
  }
  return ChannelCredentials.createSsl(pem(tls.ca) ?? null, key ?? null, cert ?? null);
}

/** A key telling security settings apart, so channels with different ones are not shared. */
export function securityKey(security: SecurityOptions | undefined): string {
  if (!security?.tls && security?.token === undefined) return "insecure";
  const h = createHash("sha256");
  for (const part of [security.tls?.ca, security.tls?.cert, security.tls?.key, security.token]) {
    h.update(part === undefined ? "\0-" : pem(part)!);
    h.update("\0");
  }
  return `${security.tls ? "tls" : "plain"}:${h.digest("hex").slice(0, 16)}`;
}

/** Call metadata carrying the token; `waitForReady` makes the call wait for a connection. */
export function callMetadata(security: SecurityOptions | undefined, waitForReady = false): Metadata {
  const md = new Metadata(waitForReady ? { waitForReady: true } : {});
  if (security?.token !== undefined) md.set(TOKEN_KEY, security.token);
  return md;
}

/** Returns a checker that throws UnauthenticatedError when a call's token is missing or wrong. */
export function tokenChecker(token: string | undefined): (md: Metadata, path: string) => void {
  if (token === undefined) return () => {};
  const expected = Buffer.from(token, "utf8");
  return (md, path) => {
    const got = md.get(TOKEN_KEY)[0];
    const given = got === undefined ? undefined : Buffer.from(String(got), "utf8");
    if (!given || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new UnauthenticatedError(
        `${path}: ${given ? "wrong" : "missing"} cluster token (call metadata '${TOKEN_KEY}')`,
      );
    }
  };
}

/** "localhost", 127.0.0.0/8 and ::1 only: "0.0.0.0", "::" and any named host count as reachable from outside. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** An empty or whitespace-only token would mean "no auth" in disguise: refuse it. */
export function checkToken(token: string | undefined, where = "the `token` option"): void {
  if (token === undefined) return;
  if (typeof token !== "string" || token.trim() === "") {
    throw new InvalidArgumentError(`The cluster token (${where}) is empty: give a non-empty secret, or no token at all`);
  }
}

/** Whether a server authenticates its callers: a token, or TLS that requires client certificates. */
export function authenticates(options: SecurityOptions | undefined): boolean {
  return options?.token !== undefined || options?.tls?.ca !== undefined;
}

/**
 * The start-time rules (README "Security"): a non-empty token if any; a non-loopback address
 * only with a token, client certificates or `insecure`. Returns the warnings to print.
 */
export function checkServeSecurity(address: string, host: string, options: ServeOptions | undefined): string[] {
  checkToken(options?.token);
  const warnings: string[] = [];
  const tlsOnly = options?.tls !== undefined && options.tls.ca === undefined;
  if (tlsOnly) {
    warnings.push(`gRPC server at ${address} encrypts with TLS but has no client CA (--tls-ca / tls.ca): it authenticates nobody`);
  }
  if (isLoopbackHost(host) || authenticates(options)) return warnings;
  if (!options?.insecure) {
    throw new InvalidArgumentError(
      `Refusing to serve ${address} (not a loopback address) without authentication${tlsOnly ? " (TLS without a client CA authenticates nobody)" : ""}: ` +
        "give a token (--token-file FILE / {token}), or TLS with a client CA (--tls-cert, --tls-key and --tls-ca / {tls: {cert, key, ca}}), " +
        "or accept an open server with --insecure / {insecure: true}",
    );
  }
  warnings.push(`gRPC server at ${address} accepts connections from other hosts without authentication (--insecure): anyone who reaches it can run graphs`);
  return warnings;
}
