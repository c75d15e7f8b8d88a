/**
 * TF's SecondOrStepTimer: fires every N seconds or every N steps, whichever it was built with.
 * Seconds come from a Clock (the system clock unless one is given, or adopted from the
 * MonitoredSession), so hook periods follow a simulator's virtual time.
 * @example const timer = new tf.train.SecondOrStepTimer({everySteps: 100}); if (timer.shouldTriggerForStep(step)) timer.updateLastTriggeredStep(step);
 */
import { systemClock } from "../../util/env.js";
import type { Clock } from "../../util/env.js";

export interface SecondOrStepTimerOptions {
  everySecs?: number | null;
  everySteps?: number | null;
  clock?: Clock;
}

export class SecondOrStepTimer {
  readonly everySecs: number | null;
  readonly everySteps: number | null;
  clock: Clock;
  private lastStep: number | null = null;
  private lastTimeSecs: number | null = null;

  constructor(options: SecondOrStepTimerOptions = {}) {
    this.everySecs = options.everySecs ?? null;
    this.everySteps = options.everySteps ?? null;
    if (this.everySecs === null && this.everySteps === null) throw new Error("Either every_secs or every_steps should be provided.");
    if (this.everySecs !== null && this.everySteps !== null) throw new Error("Can not provide both every_secs and every_steps.");
    this.clock = options.clock ?? systemClock;
  }

  private nowSecs(): number {
    return this.clock.nowMs() / 1000;
  }

  /** True the first time, never twice for one step, then once the period has passed. */
  shouldTriggerForStep(step: number): boolean {
    if (this.lastStep === null) return true;
    if (step === this.lastStep) return false;
    if (this.everySecs !== null) return this.nowSecs() >= this.lastTimeSecs! + this.everySecs;
    return step >= this.lastStep + this.everySteps!;
  }

  /** Records a trigger now at `step`; returns the seconds and steps since the previous one (nulls the first time). */
  updateLastTriggeredStep(step: number): [number | null, number | null] {
    const now = this.nowSecs();
    const elapsed: [number | null, number | null] = this.lastTimeSecs === null ? [null, null] : [now - this.lastTimeSecs, step - this.lastStep!];
    this.lastTimeSecs = now;
    this.lastStep = step;
    return elapsed;
  }

  lastTriggeredStep(): number | null {
    return this.lastStep;
  }

  reset(): void {
    this.lastStep = null;
    this.lastTimeSecs = null;
  }
}
