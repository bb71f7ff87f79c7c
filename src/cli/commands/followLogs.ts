import { readRecord, readRunLogs, type StoredRun } from "../../app/store/runStore";
import { targetNamed } from "../../app/targets";
import { ParityError } from "../../core/errors";
import type { LogLine, RunResult } from "../../core/job/types";
import { isFinished } from "../../core/workload/status";
import type { CliIO } from "../io";

/** How often the record of a run followed by another process is read again. */
const POLL_MS = 500;

/**
 * Prints a run's new log lines until it ends. Nobody follows it (its window reloaded, its CLI
 * killed): this process attaches through the run's target and brings the record to the end.
 * Another live process follows it: its record is read as it grows. Ctrl-C stops following; the
 * run goes on.
 */
export async function followRun(
  io: CliIO,
  run: StoredRun,
  printed: number,
  print: (line: LogLine) => void,
): Promise<RunResult> {
  let handle;
  try {
    handle = await targetNamed(run.result.target).attach(io, run);
  } catch (error) {
    if (!(error instanceof ParityError && error.code === "RunFollowedElsewhere")) throw error;
    return tailRecord(io, run, printed, print);
  }
  const subscription = handle.onLog(print);
  // Following stops; the run goes on where it can (a cluster workload), as Ctrl-C promises.
  const stop = (): void => (handle.detach ? handle.detach() : undefined);
  io.signal.addEventListener("abort", stop, { once: true });
  try {
    return await handle.result;
  } catch (error) {
    if (!(error instanceof ParityError && error.code === "RunFollowedElsewhere")) throw error;
    return await tailRecord(io, run, printed, print);
  } finally {
    subscription.dispose();
    io.signal.removeEventListener("abort", stop);
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
    const result = await readRecord(run.dir);
    const lines = await readRunLogs(run);
    lines.slice(printed).forEach(print);
    printed = Math.max(printed, lines.length);
    if (isFinished(result.status) || result.finishedAt || io.signal.aborted) return result;
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
