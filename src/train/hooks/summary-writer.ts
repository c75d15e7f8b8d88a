/**
 * What the hooks need of a summary writer (tf.summary.FileWriter has it), and where they get one
 * for a directory: the summary layer registers its FileWriterCache here, so the hooks write event
 * files when it is present and only log when it is not.
 */
import type { SessionRunHook } from "./session-run-hook.js";

export interface SummaryValueLike {
  tag: string;
  simpleValue?: number;
}

export interface SessionLogLike {
  status: "START" | "STOP" | "CHECKPOINT";
  checkpointPath?: string;
  msg?: string;
}

export interface SummaryWriterLike {
  addSummary(summary: { value: SummaryValueLike[] } | Uint8Array, globalStep?: number): unknown;
  addSessionLog?(sessionLog: SessionLogLike, globalStep?: number): unknown;
  flush?(): unknown;
}

type WriterFactory = (logdir: string) => SummaryWriterLike;
let factory: WriterFactory | null = null;

/** Called by the summary layer with its per-directory writer cache. */
export function registerSummaryWriterFactory(f: WriterFactory | null): void {
  factory = f;
}

/** The shared writer for `logdir`, or null when no summary layer is loaded. */
export function summaryWriterFor(logdir: string): SummaryWriterLike | null {
  return factory ? factory(logdir) : null;
}

export interface SummarySaverHookArgs {
  scaffold: unknown;
  outputDir: string;
  saveSteps: number | null;
  saveSecs: number | null;
}

type SummaryHookFactory = (args: SummarySaverHookArgs) => SessionRunHook;
let summaryHookFactory: SummaryHookFactory | null = null;

/** Called by the summary layer with a builder of its SummarySaverHook, for MonitoredTrainingSession's default. */
export function registerSummarySaverHookFactory(f: SummaryHookFactory | null): void {
  summaryHookFactory = f;
}

export function summarySaverHookFactory(): SummaryHookFactory | null {
  return summaryHookFactory;
}
