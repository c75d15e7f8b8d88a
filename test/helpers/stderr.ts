/** Captures what the process writes to stderr while `fn` runs (logs, warnings). */
export async function captureStderr<T>(fn: (text: () => string) => Promise<T>): Promise<{ result: T; text: string }> {
  const chunks: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    const result = await fn(() => chunks.join(""));
    return { result, text: chunks.join("") };
  } finally {
    process.stderr.write = write;
  }
}
