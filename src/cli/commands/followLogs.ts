import { homedir } from "node:os";
import { join } from "node:path";
import { readFile } from "node:fs/promises";
import { ParityError } from "../../core/errors";
import type { LogLine, RunResult } from "../../core/job/types";
import { attachClusterRun } from "../../targets/kube/attachRun";
import { connectCluster } from "../../targets/kube/connection";
import { readRunLogs, type StoredRun } from "../../targets/store/runStore";
import type { CliIO } from "../io";

/** How often the record of a run followed by another process is read again. */
const POLL_MS = 500;

/**
 * Prints a cluster run's new log lines until it ends. Nobody follows it (its window reloaded, its
 * CLI killed): this process attaches and brings the record to the end. Another live process
 * follows it: its record is read as it grows. Ctrl-C stops following; the run goes on.
 */
export async function followClusterLogs(
  io: CliIO,
  run: StoredRun,
  printed: number,
  print: (line: LogLine) => void,
): Promise<RunResult> {
  const ref = run.result.cluster!;
  const conn = await connectCluster({
    env: io.env,
    homeDir: io.env.HOME ?? homedir(),
    context: ref.context,
    namespace: ref.namespace,
    signal: io.signal,
  });
  const handle = attachClusterRun(conn, run);
  const subscription = handle.onLog(print);
  const detach = (): void => handle.detach();
  io.signal.addEventListener("abort", detach, { once: true });
  try {
    return await handle.result;
  } catch (error) {
    if (!(error instanceof ParityError && error.code === "RunFollowedElsewhere")) throw error;
    return await tailRecord(io, run, printed, print);
  } finally {
    subscription.dispose();
    io.signal.removeEventListener("abort", detach);
  }
}

/** Reads the run's logs and record as another process writes them, until the record says it ended. */
async function tailRecord(
  io: CliIO,
  run: StoredRun,
  printed: number,
  print: (line: LogLine) => void,
): Promise<RunResult> {
  for (;;) {
    // The record first: a run that ended has every line on disk by then.
    const result = JSON.parse(await readFile(join(run.dir, "run.json"), "utf8")) as RunResult;
    const lines = await readRunLogs(run);
    lines.slice(printed).forEach(print);
    printed = Math.max(printed, lines.length);
    if (result.finishedAt || io.signal.aborted) return result;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, POLL_MS);
      io.signal.addEventListener("abort", done, { once: true });
      function done() {
        clearTimeout(timer);
        io.signal.removeEventListener("abort", done);
        resolve();
      }
    });
  }
}
