export { createThreadTransport, threadTransport } from "./transport.js";
export type { ThreadTransport } from "./transport.js";
export type { ThreadTransportOptions } from "./limits.js";
export { joinThreadBroker, rootBroker } from "./broker-link.js";
export { liveThreadCount, spawnThread, SupervisedThread } from "./supervisor.js";
export type { SpawnThreadOptions, ThreadExit } from "./supervisor.js";
export { allocateRing, RingReader, RingWriter } from "./ring.js";
