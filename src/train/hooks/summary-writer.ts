/**
 * What the hooks need of a summary writer (tf.summary.FileWriter has it), and where they get one
 * for a directory: tf.summary.FileWriterCache's shared writer (one event file per directory, as
 * TF's SummaryWriterCache), unless another factory was registered.
 */
import { FileWriterCache } from "../../io/summary-file-writer-cache.js";
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

/** Replaces (null: restores) FileWriterCache as the source of the hooks' writers. */
export function registerSummaryWriterFactory(f: WriterFactory | null): void {
  factory = f;
}

/** The shared writer for `logdir`. */
export function summaryWriterFor(logdir: string): SummaryWriterLike {
  return factory ? factory(logdir) : FileWriterCache.get(logdir);
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
