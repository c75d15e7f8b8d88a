/**
 * SecondOrStepTimer. Model (TF's basic_session_run_hooks.py, reference 5.1): the first query always
 * fires; never twice for one step; then after `everySteps` steps, or `everySecs` seconds of its clock.
 */
import { describe, expect, it } from "vitest";
import { SecondOrStepTimer } from "../../../../src/train/hooks/second-or-step-timer.js";
import { jumpClock } from "../../../helpers/jump-clock.js";

describe("SecondOrStepTimer", () => {
  it("needs exactly one period", () => {
    expect(() => new SecondOrStepTimer()).toThrow("Either every_secs or every_steps should be provided.");
    expect(() => new SecondOrStepTimer({ everySecs: 2, everySteps: 2 })).toThrow("Can not provide both every_secs and every_steps.");
  });

  it("every_steps: every 3 after step 1 fires again at 4 (test_every_steps)", () => {
    const t = new SecondOrStepTimer({ everySteps: 3 });
    expect(t.shouldTriggerForStep(1)).toBe(true);
    t.updateLastTriggeredStep(1);
    expect([1, 2, 3].map((s) => t.shouldTriggerForStep(s))).toEqual([false, false, false]);
    expect([4, 5].map((s) => t.shouldTriggerForStep(s))).toEqual([true, true]);
    expect(t.lastTriggeredStep()).toBe(1);
    t.reset();
    expect(t.lastTriggeredStep()).toBeNull();
    expect(t.shouldTriggerForStep(1)).toBe(true);
  });

  it("every_secs follows its clock, not the wall (test_every_secs)", () => {
    const clock = jumpClock();
    const t = new SecondOrStepTimer({ everySecs: 1, clock });
    t.updateLastTriggeredStep(1);
    expect(t.shouldTriggerForStep(2)).toBe(false);
    clock.advanceMs(999);
    expect(t.shouldTriggerForStep(2)).toBe(false);
    clock.advanceMs(1);
    expect(t.shouldTriggerForStep(2)).toBe(true);
    expect(t.shouldTriggerForStep(1)).toBe(false); // the step it last fired for
  });

  it("updateLastTriggeredStep returns the elapsed seconds and steps (test_update_last_triggered_step)", () => {
    const clock = jumpClock();
    const t = new SecondOrStepTimer({ everySteps: 1, clock });
    expect(t.updateLastTriggeredStep(1)).toEqual([null, null]);
    clock.advanceMs(250);
    expect(t.updateLastTriggeredStep(5)).toEqual([0.25, 4]);
    clock.advanceMs(500);
    expect(t.updateLastTriggeredStep(7)).toEqual([0.5, 2]);
  });
});
