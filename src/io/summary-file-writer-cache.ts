/**
 * tf.summary.FileWriterCache (python/summary/writer/writer_cache.py; tf-training.md §7.4): one
 * FileWriter per log directory in the process, created with the default graph, so the hooks that
 * write to the same directory share one event file.
 */
import { resolve } from "node:path";
import { getDefaultGraph } from "../graph/graph.js";
import { FileWriter } from "./summary-file-writer.js";
import type { FileWriterOptions } from "./summary-file-writer.js";

const writers = new Map<string, FileWriter>();

export const FileWriterCache = {
  /**
   * The writer of `logdir`, created on first use with the default graph (`options` apply then only).
   * @example const w = tf.summary.FileWriterCache.get("/tmp/logs");
   */
  get(logdir: string, options: Omit<FileWriterOptions, "graph"> = {}): FileWriter {
    const key = resolve(logdir);
    let w = writers.get(key);
    if (!w) {
      w = new FileWriter(logdir, { ...options, graph: getDefaultGraph() });
      writers.set(key, w);
    }
    return w;
  },

  /** Closes every cached writer and forgets them. */
  async clear(): Promise<void> {
    const all = [...writers.values()];
    writers.clear();
    await Promise.all(all.map((w) => w.close()));
  },
};
