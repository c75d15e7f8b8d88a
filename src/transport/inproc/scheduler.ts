/**
 * Seeded delivery: every message handed to the inproc network is delivered in an order drawn from
 * a seeded generator, so a run's interleaving replays from its seed.
 */
import { SeededRandom } from "../../util/env.js";

export class DeliveryScheduler {
  private pending: (() => void)[] = [];
  private scheduled = false;
  private random: SeededRandom;

  constructor(seed = 0) {
    this.random = new SeededRandom(seed);
  }

  reseed(seed: number): void {
    this.random = new SeededRandom(seed);
  }

  /** Resolves when the scheduler delivers this message. */
  deliver(): Promise<void> {
    return new Promise((resolve) => {
      this.pending.push(resolve);
      if (!this.scheduled) {
        this.scheduled = true;
        // A macrotask boundary lets every message sent in this turn compete for delivery order.
        setImmediate(() => this.drain());
      }
    });
  }

  private drain(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    for (let i = batch.length - 1; i > 0; i--) {
      const j = this.random.int(i + 1);
      [batch[i], batch[j]] = [batch[j]!, batch[i]!];
    }
    for (const deliver of batch) deliver();
  }
}
