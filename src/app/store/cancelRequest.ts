import { watch, type FSWatcher } from "node:fs";
import { rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * A cancel asked of a run by a process that does not follow it (`parity delete`, Cancel Run in
 * another window): a file in the run's folder. The process that follows the run honours it as
 * Ctrl-C (RunRecorder.honourCancelRequests): it stops the run's work and records the cancel.
 */
const CANCEL = "cancel.json";

/** The safety net under fs.watch (which can miss events on some file systems). */
const POLL_MS = 1000;

/** Leaves a cancel request in the run's folder, for the process that follows it. */
export async function requestCancel(run: { dir: string }): Promise<void> {
  await writeFile(
    join(run.dir, CANCEL),
    `${JSON.stringify({ requestedAt: new Date().toISOString(), pid: process.pid })}\n`,
  );
}

/** Whether a cancel request is in the run's folder. */
export async function cancelRequested(dir: string): Promise<boolean> {
  return stat(join(dir, CANCEL)).then(
    () => true,
    () => false,
  );
}

/** Removes a request made of the run before it was taken up again (a resumed experiment is not cancelled by it). */
export async function withdrawCancelRequest(run: { dir: string }): Promise<void> {
  await rm(join(run.dir, CANCEL), { force: true });
}

/**
 * Calls `onRequest` once a cancel request is in the run's folder (at once when there is one
 * already); returns the end of the watch. fs.watch says so at once, a poll every second where it
 * misses it.
 */
export function watchCancelRequest(dir: string, onRequest: () => void): () => void {
  let watching = true;
  let watcher: FSWatcher | undefined;
  const stop = (): void => {
    watching = false;
    watcher?.close();
    clearInterval(timer);
  };
  const look = (): void => {
    void cancelRequested(dir).then((asked) => {
      if (!asked || !watching) return;
      stop();
      onRequest();
    });
  };
  const timer = setInterval(look, POLL_MS);
  timer.unref();
  try {
    watcher = watch(dir, { persistent: false }, (_event, name) => {
      if (name === null || name === CANCEL) look();
    });
    watcher.on("error", () => watcher?.close());
  } catch {
    // The poll alone looks, then.
  }
  look();
  return stop;
}
