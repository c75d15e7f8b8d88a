/**
 * A private (no target) session's pending step keeps the process alive until it ends: a blocked
 * run with a deadline reports its DeadlineExceededError instead of Node exiting 0 mid-run.
 */
import { expect, it } from "vitest";
import { runScript } from "../helpers/processes.js";

it("a blocked private step with a timeout ends with its error, not a silent exit", async () => {
  const out = await runScript("test/fixtures/private-timeout.ts", []);
  expect(out.trim()).toBe("failed: DeadlineExceededError");
}, 60_000);
