import { Emitter } from "../core/events";
import type { LogLine, RunHandle, RunResult, RunStatus } from "../core/job/types";

/** What the work behind a run handle reports through and listens to. */
export interface RunControls {
  /** Aborted by the handle's cancel(). */
  cancel: AbortSignal;
  status: Emitter<RunStatus>;
  logs: Emitter<LogLine>;
}

/** A run handle around the work that produces the run's result: the same for every target. */
export function createRunHandle(
  runId: string,
  work: (controls: RunControls) => Promise<RunResult>,
): RunHandle {
  const status = new Emitter<RunStatus>();
  const logs = new Emitter<LogLine>();
  const cancel = new AbortController();
  const result = work({ cancel: cancel.signal, status, logs }).finally(() => {
    status.dispose();
    logs.dispose();
  });
  return { runId, onStatus: status.event, onLog: logs.event, cancel: () => cancel.abort(), result };
}
