import { Emitter } from "../core/events";
import type { LogLine, RunHandle, RunResult, RunStatus } from "../core/job/types";

/** What the work behind a run handle reports through and listens to. */
export interface RunControls {
  /** Aborted by the handle's cancel(). */
  cancel: AbortSignal;
  status: Emitter<RunStatus>;
  logs: Emitter<LogLine>;
}

/** The controls of work that can go on without this process: detach() stops following it. */
export interface FollowControls extends RunControls {
  /** Aborted by detach(): stop following and leave the work running. */
  detach: AbortSignal;
  /** Since when (ISO) the work's server has not answered; undefined once it answers again. */
  unreachable: Emitter<string | undefined>;
}

/** A run handle with detach(): stop following, leave the work going, and settle `result` with the record as it is. */
export interface DetachableRunHandle extends RunHandle {
  detach(): void;
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

/** A run handle around work that can be left running (a cluster workload, a container another process started). */
export function createDetachableRunHandle(
  runId: string,
  work: (controls: FollowControls) => Promise<RunResult>,
): DetachableRunHandle {
  const detach = new AbortController();
  const unreachable = new Emitter<string | undefined>();
  const handle = createRunHandle(runId, (controls) =>
    work({ ...controls, detach: detach.signal, unreachable }).finally(() => unreachable.dispose()),
  );
  return { ...handle, detach: () => detach.abort(), onUnreachable: unreachable.event };
}
