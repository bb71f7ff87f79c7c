import { LogTail, runDir, type RunRef } from "../app/store";
import type { RunResult } from "../core/job/types";

/**
 * A run's record (run.json, not its log) followed for a panel: `onRun` now and at every change,
 * until stopped; `onStarted` once the first read is done; `onError` for a failure of the follower
 * now in use (one replaced by a later start says nothing).
 */
export class RecordFollower {
  private watch?: LogTail;

  constructor(
    private readonly run: RunRef,
    private readonly handlers: {
      onRun(result: RunResult): void;
      onError(error: unknown): void;
      onStarted?(): void | Promise<void>;
    },
  ) {}

  start(): void {
    this.stop();
    const watch = new LogTail(
      runDir(this.run),
      {
        onLines: () => undefined,
        onRun: (result) => this.handlers.onRun(result),
        onReset: () => undefined,
        onError: (error) => this.handlers.onError(error),
      },
      { logs: false },
    );
    this.watch = watch;
    watch
      .start()
      .then(() => (this.watch === watch ? this.handlers.onStarted?.() : undefined))
      .catch((error: unknown) => {
        if (this.watch === watch) this.handlers.onError(error);
      });
  }

  stop(): void {
    this.watch?.stop();
    this.watch = undefined;
  }
}
