/** Registers the `thread` transport (target scheme thread://host:port); loaded on first use. */
import { registerTransport } from "../registry.js";

registerTransport("thread", async () => (await import("./transport.js")).threadTransport);
