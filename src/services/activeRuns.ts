import { Emitter, type Disposable } from "../core/events";
import type { TargetName } from "../core/job/types";
import type { WorkloadKind } from "../core/workload/kind";

/** A run started from this window: building first, then running under its run id. */
export interface ActiveRun {
  /** Unique in this window; the run id once the container starts. */
  readonly key: string;
  readonly notebookFile: string;
  readonly target: TargetName;
  /** A job run unless it says otherwise (a pipeline run). */
  readonly kind?: WorkloadKind;
  status: "building" | "running";
  runId?: string;
  workspaceDir?: string;
  /** Stops the build or the container; the run records itself as cancelled. */
  cancel(): void;
  /** What closing the window does instead of cancel, for a run this window only follows: it stops following. */
  leave?(): void;
}

/** Runs of this window; vscode-free so it is tested on its own. */
export class ActiveRuns implements Disposable {
  private readonly runs = new Map<string, ActiveRun>();
  private readonly changed = new Emitter<void>();
  private readonly ended = new Emitter<ActiveRun>();
  private counter = 0;
  readonly onDidChange = this.changed.event;
  /** A run of this window ended (its record is final), or stopped being followed here. */
  readonly onDidEnd = this.ended.event;

  begin(
    notebookFile: string,
    cancel: () => void,
    target: TargetName = "local",
    kind?: WorkloadKind,
  ): ActiveRun {
    const run: ActiveRun = {
      key: `building-${++this.counter}`,
      notebookFile,
      target,
      ...(kind ? { kind } : {}),
      status: "building",
      cancel,
    };
    this.runs.set(run.key, run);
    this.changed.fire(undefined);
    return run;
  }

  /**
   * The run is going. A handle that can detach (a submitted cluster job) outlives the window:
   * closing it stops following (a later window attaches again) instead of deleting the job.
   */
  started(
    run: ActiveRun,
    runId: string,
    workspaceDir: string,
    handle?: { readonly runId: string; detach?(): void },
  ): void {
    Object.assign(run, { status: "running", runId, workspaceDir });
    const detach = handle?.detach?.bind(handle);
    if (detach) run.leave = () => detach();
    this.changed.fire(undefined);
  }

  /** A run another process started (a cluster run attached to again), followed here until it ends. */
  adopt(
    notebookFile: string,
    runId: string,
    workspaceDir: string,
    target: TargetName,
    control: { cancel(): void; leave(): void },
  ): ActiveRun {
    const run: ActiveRun = {
      key: runId,
      notebookFile,
      target,
      status: "running",
      runId,
      workspaceDir,
      ...control,
    };
    this.runs.set(run.key, run);
    this.changed.fire(undefined);
    return run;
  }

  end(run: ActiveRun): void {
    if (!this.runs.delete(run.key)) return;
    this.changed.fire(undefined);
    this.ended.fire(run);
  }

  /** Runs still building: they have no record on disk yet. */
  building(): ActiveRun[] {
    return [...this.runs.values()].filter((run) => run.status === "building");
  }

  find(keyOrRunId: string): ActiveRun | undefined {
    return this.runs.get(keyOrRunId) ?? [...this.runs.values()].find((run) => run.runId === keyOrRunId);
  }

  all(): ActiveRun[] {
    return [...this.runs.values()];
  }

  /**
   * Cancels every run of this window and waits (at most `timeoutMs`) for their containers to go;
   * runs it only follows are left running.
   */
  async cancelAll(timeoutMs = 5000): Promise<void> {
    if (this.runs.size === 0) return;
    const ended = new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const subscription = this.onDidChange(() => {
        if (this.runs.size === 0) done();
      });
      function done(): void {
        clearTimeout(timer);
        subscription.dispose();
        resolve();
      }
    });
    for (const run of this.runs.values()) {
      if (run.leave) run.leave();
      else run.cancel();
    }
    await ended;
  }

  dispose(): void {
    this.changed.dispose();
    this.ended.dispose();
  }
}
