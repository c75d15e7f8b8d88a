/**
 * One progress bar per worker (cli-progress): global step, examples/s and loss, redrawn in place
 * on a terminal and printed as plain lines elsewhere (CI logs, pipes), plus notes between them.
 */
import cliProgress from "cli-progress";
import { systemClock } from "../util/env.js";

export interface WorkerProgress {
  update(step: number, loss: number): void;
}

export interface Progress {
  worker(index: number, totalSteps: number, batchSize: number): WorkerProgress;
  /** A line above the bars (for example "ps task 0 killed at step 120"). */
  note(text: string): void;
  stop(): void;
}

// Examples/s are what the user watches go by: the real clock, from the environment module.
const nowMs = (): number => systemClock.nowMs();

/** examples/s over the steps since the worker started. */
function rate(startMs: number, steps: number, batchSize: number): number {
  const secs = (nowMs() - startMs) / 1000;
  return secs > 0 ? (steps * batchSize) / secs : 0;
}

class TerminalProgress implements Progress {
  private readonly bars = new cliProgress.MultiBar(
    {
      format: " worker {worker} [{bar}] step {value}/{total} | {rate} examples/s | loss {loss}",
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );

  worker(index: number, totalSteps: number, batchSize: number): WorkerProgress {
    const bar = this.bars.create(totalSteps, 0, { worker: index, rate: "0", loss: "-" });
    const start = nowMs();
    let steps = 0;
    return {
      update: (step, loss) => {
        steps++;
        bar.update(Math.min(step, totalSteps), { rate: rate(start, steps, batchSize).toFixed(0), loss: loss.toFixed(3) });
      },
    };
  }

  note(text: string): void {
    this.bars.log(`${text}\n`);
  }

  stop(): void {
    this.bars.stop();
  }
}

/** Not a terminal: a line per worker every `everySteps` of its own steps. */
class LineProgress implements Progress {
  constructor(private readonly write: (line: string) => void) {}

  worker(index: number, totalSteps: number, batchSize: number): WorkerProgress {
    const start = nowMs();
    let steps = 0;
    const every = Math.max(1, Math.round(totalSteps / 10));
    return {
      update: (step, loss) => {
        steps++;
        if (steps % every === 0 || step >= totalSteps) {
          this.write(` worker ${index}: step ${Math.min(step, totalSteps)}/${totalSteps} | ${rate(start, steps, batchSize).toFixed(0)} examples/s | loss ${loss.toFixed(3)}`);
        }
      },
    };
  }

  note(text: string): void {
    this.write(text);
  }

  stop(): void {}
}

export function makeProgress(write: (line: string) => void, tty: boolean): Progress {
  return tty ? new TerminalProgress() : new LineProgress(write);
}
