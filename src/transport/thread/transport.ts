/**
 * The `thread` transport: every task in its own worker_thread, calls and tensors over
 * SharedArrayBuffer rings between threads of one process. Addresses are virtual "host:port"
 * names in a process-wide table (no sockets); "host:0" gets a fresh port number.
 *
 * @example
 *   const server = await threadTransport.serve("localhost:0", { master, worker });
 *   const master = threadTransport.connectMaster(server.address);
 *   await master.listDevices({}, { timeoutMs: 1000 });
 */
import type { CallOptions, MasterService, ServedServices, ServerHandle, Transport, WorkerService } from "../services.js";
import { parseAddress } from "./broker.js";
import { brokerLink } from "./broker-link.js";
import { ClientChannel } from "./client-channel.js";
import type { ChannelStats } from "./client-channel.js";
import type { ThreadTransportOptions } from "./limits.js";
import { resolveLimits } from "./limits.js";
import type { ServiceName } from "./protocol.js";
import { MASTER_METHOD_NAMES, WORKER_METHOD_NAMES, methodId } from "./protocol.js";
import { ThreadServer } from "./thread-server.js";

export interface ThreadTransport extends Transport {
  readonly name: "thread";
  /** Client channels open in this thread (one per address). */
  readonly channelCount: number;
  /** Closes this thread's client channels (their pending calls fail UNAVAILABLE); reconnects lazily. */
  close(): Promise<void>;
  /** Ring counters of this thread's current connection to `address` (undefined if none). */
  channelStats(address: string): ChannelStats | undefined;
}

type Stub = Record<string, (request: unknown, options?: CallOptions) => Promise<unknown>>;

function makeStub(names: readonly string[], service: ServiceName, channel: ClientChannel): Stub {
  const stub: Stub = {};
  for (const name of names) {
    const id = methodId(service, name);
    stub[name] = (request, options) => channel.call(id, request, options);
  }
  return stub;
}

/** A thread transport with its own limits and client channels (the servers' table is per process). */
export function createThreadTransport(options: ThreadTransportOptions = {}): ThreadTransport {
  const limits = resolveLimits(options);
  const channels = new Map<string, ClientChannel>();

  const channel = (address: string): ClientChannel => {
    parseAddress(address);
    let ch = channels.get(address);
    if (!ch) {
      ch = new ClientChannel(address, brokerLink(), limits);
      channels.set(address, ch);
    }
    return ch;
  };

  return {
    name: "thread",
    get channelCount() {
      return channels.size;
    },
    channelStats(address: string) {
      return channels.get(address)?.stats();
    },
    // Security options do not apply: a thread transport never leaves the process.
    async serve(address: string, services: ServedServices): Promise<ServerHandle> {
      parseAddress(address);
      const server = new ThreadServer(services, brokerLink(), limits);
      await server.listen(address);
      return server;
    },
    connectMaster(address: string): MasterService {
      return makeStub(MASTER_METHOD_NAMES, "master", channel(address)) as unknown as MasterService;
    },
    connectWorker(address: string): WorkerService {
      return makeStub(WORKER_METHOD_NAMES, "worker", channel(address)) as unknown as WorkerService;
    },
    async close(): Promise<void> {
      for (const ch of channels.values()) ch.close();
      channels.clear();
    },
  };
}

/** The default thread transport of this thread. */
export const threadTransport: ThreadTransport = createThreadTransport();
