import { createInterface } from "node:readline/promises";

/**
 * One line read from the terminal after `question` (written to stderr, so stdout stays the
 * command's output). Ctrl-C, end of input or `signal` resolve to undefined: no answer.
 */
export async function askOnTerminal(question: string, signal: AbortSignal): Promise<string | undefined> {
  const reader = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const interrupted = new AbortController();
  const stop = () => interrupted.abort();
  // readline takes Ctrl-C from the terminal itself (raw mode): it ends the question, not the process.
  reader.on("SIGINT", stop);
  reader.on("close", stop);
  try {
    return await reader.question(question, { signal: AbortSignal.any([signal, interrupted.signal]) });
  } catch {
    process.stderr.write("\n");
    return undefined;
  } finally {
    reader.close();
  }
}
