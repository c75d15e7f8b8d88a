/**
 * One channel per peer (TF's WorkerCache analogue; B16: a client per request leaks channels).
 * Master and worker stubs for the same address share it. `close()` closes them all; a stub used
 * afterwards opens a fresh channel rather than failing on a closed one.
 */
import { Client, connectivityState } from "@grpc/grpc-js";
import { tracer } from "../../util/logger.js";
import type { SecurityOptions } from "../services.js";
import { channelOptions, type GrpcConfig } from "./config.js";
import { channelCredentials, securityKey } from "./security.js";

const trace = tracer("grpc");

/** What a call needs to know about its peer. */
export interface Peer {
  readonly address: string;
  readonly security: SecurityOptions | undefined;
  readonly cfg: GrpcConfig;
  /** The channel to the peer (opened on first use, reopened after close()). */
  client(): Client;
  /** Connectivity state name: IDLE, CONNECTING, READY, TRANSIENT_FAILURE or SHUTDOWN. */
  state(): string;
}

export class ChannelCache {
  private readonly clients = new Map<string, { address: string; client: Client }>();

  constructor(private readonly cfg: GrpcConfig) {}

  peer(address: string, security: SecurityOptions | undefined): Peer {
    const key = `${address}|${securityKey(security)}`;
    const client = (): Client => this.client(key, address, security);
    const state = (): string => {
      const entry = this.clients.get(key);
      return entry ? stateName(entry.client) : "IDLE";
    };
    return { address, security, cfg: this.cfg, client, state };
  }

  /** Connectivity state of every open channel, by peer address. */
  states(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const { address, client } of this.clients.values()) out[address] = stateName(client);
    return out;
  }

  close(): void {
    for (const { address, client } of this.clients.values()) {
      trace(`closing channel to ${address}`);
      client.close();
    }
    this.clients.clear();
  }

  private client(key: string, address: string, security: SecurityOptions | undefined): Client {
    let entry = this.clients.get(key);
    if (!entry) {
      trace(`opening channel to ${address} (${key.slice(address.length + 1)})`);
      entry = { address, client: new Client(address, channelCredentials(security), channelOptions(this.cfg)) };
      this.clients.set(key, entry);
    }
    return entry.client;
  }
}

function stateName(client: Client): string {
  return connectivityState[client.getChannel().getConnectivityState(false)] ?? "UNKNOWN";
}
