import type { RunRef } from "../../app/store";
import type { RunResult, TargetName } from "../../core/job/types";
import type { WorkloadKind } from "../../core/workload/kind";
import { isFinished } from "../../core/workload/status";
import type { ActiveRun } from "../../services/activeRuns";
import type { App } from "../../services/app";
import type { Services } from "../../services/container";

/** The window's hold on a workload it starts (a pipeline run, an experiment). */
export interface FollowedHere {
  active: ActiveRun;
  /** Aborted by Cancel (once confirmed): the workload is stopped, its record says cancelled. */
  cancel: AbortSignal;
  /** Aborted when the window closes, for a workload that outlives it: following stops, it goes on. */
  detach: AbortSignal;
  /** Its record is written: the window knows it by its run id, and how closing the window leaves it. */
  started(run: RunRef, app: App): void;
}

/**
 * Known to this window at once, before anything is awaited (a second click finds it running). A
 * workload whose target outlives the window (a cluster's Workflow or Katib Experiment) is left
 * running when the window closes or reloads, and the next window follows it again; any other is
 * cancelled then.
 */
export function followHere(
  services: Services,
  file: string,
  target: TargetName,
  kind: WorkloadKind,
): FollowedHere {
  const cancel = new AbortController();
  const detach = new AbortController();
  const active = services.activeRuns.begin(file, () => cancel.abort(), target, kind);
  return {
    active,
    cancel: cancel.signal,
    detach: detach.signal,
    started: (run, app) => {
      const outlives = app.targetNamed(target).outlivesFollower;
      const leave = outlives ? { runId: run.runId, detach: () => detach.abort() } : undefined;
      services.activeRuns.started(active, run.runId, run.workspaceDir, leave);
    },
  };
}

/**
 * True for a workload left running as the window closed (its follower detached), said in the
 * output only: the next window follows it again and says how it ended.
 */
export function leftRunning(services: Services, result: RunResult): boolean {
  if (isFinished(result.status)) return false;
  services.log(`${result.runId}: no longer followed by this window; it goes on (${result.status}).`);
  return true;
}
