/**
 * The command line's security flags: `tfcluster server` (token, TLS, --insecure, file roots,
 * --max-tensor-bytes) and the client commands (`status`, `devices`, `sim`: token and TLS).
 * An empty token file is an error, never "no authentication".
 */
import { InvalidArgumentError as CliArgError } from "commander";
import type { Command } from "commander";
import { readFileSync } from "node:fs";
import type { ServerOptions } from "../train/server.js";
import type { ConnectOptions, TlsOptions } from "../transport/services.js";

export interface ClientSecurityFlags {
  tokenFile?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
}

export interface ServerSecurityFlags extends ClientSecurityFlags {
  insecure?: boolean;
  allowRead?: string[];
  allowWrite?: string[];
  maxTensorBytes?: number;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new CliArgError(`expected a positive integer, got '${value}'`);
  return n;
}

/** The token in `file`, trimmed; empty or blank is an error. */
export function readTokenFile(file: string): string {
  const token = readFileSync(file, "utf8").trim();
  if (token === "") throw new CliArgError(`--token-file ${file} is empty: put the cluster token in it (an empty token would turn authentication off)`);
  return token;
}

function tlsOf(flags: ClientSecurityFlags): TlsOptions | undefined {
  if (!flags.tlsCert && !flags.tlsKey && !flags.tlsCa) return undefined;
  return {
    ...(flags.tlsCert ? { cert: readFileSync(flags.tlsCert) } : {}),
    ...(flags.tlsKey ? { key: readFileSync(flags.tlsKey) } : {}),
    ...(flags.tlsCa ? { ca: readFileSync(flags.tlsCa) } : {}),
  };
}

/** --token-file and --tls-* of a client command. */
export function addClientSecurityFlags(cmd: Command): Command {
  return cmd
    .option("--token-file <file>", "file holding the cluster token to send on every call")
    .option("--tls-ca <file>", "PEM CA that signed the server's certificate (turns TLS on)")
    .option("--tls-cert <file>", "PEM client certificate, for servers that require one")
    .option("--tls-key <file>", "PEM private key of the client certificate");
}

/** What a client command's flags ask for: `{token?, tls?}` for tf.Session / tf.clusterStatus. */
export function clientSecurity(flags: ClientSecurityFlags): ConnectOptions {
  const tls = tlsOf(flags);
  return { ...(tls ? { tls } : {}), ...(flags.tokenFile ? { token: readTokenFile(flags.tokenFile) } : {}) };
}

/** The security and limit flags of `tfcluster server`. */
export function addServerSecurityFlags(cmd: Command): Command {
  return cmd
    .option("--tls-cert <file>", "PEM certificate of this server")
    .option("--tls-key <file>", "PEM private key of this server")
    .option("--tls-ca <file>", "PEM CA: require and verify client certificates signed by it")
    .option("--token-file <file>", "file holding the shared cluster token every call must carry")
    .option("--insecure", "serve a non-loopback address without a token or client certificates (refused otherwise)")
    .option("--allow-read <dir>", "a directory graph kernels may read (repeatable; default: the working directory)", collect)
    .option("--allow-write <dir>", "a directory graph kernels may write (repeatable; default: the working directory)", collect)
    .option("--max-tensor-bytes <n>", "the largest tensor a peer may make this task allocate (default 268435456)", positiveInt);
}

/** Server.create options from `tfcluster server`'s security flags. */
export function serverSecurityOptions(flags: ServerSecurityFlags): Partial<ServerOptions> {
  const options: Partial<ServerOptions> = clientSecurity(flags);
  if (flags.insecure) options.insecure = true;
  if (flags.allowRead) options.allowRead = flags.allowRead;
  if (flags.allowWrite) options.allowWrite = flags.allowWrite;
  if (flags.maxTensorBytes !== undefined) options.maxTensorBytes = flags.maxTensorBytes;
  return options;
}
