import { isCancelled, ParityError } from "../core/errors";
import type { RunHandle, RunResult } from "../core/job/types";
import { workloadOf } from "../core/workload/types";
import type { Print, SessionContext } from "./context";
import { listRunsBelow, type StoredRun } from "./store/runStore";
import { abandonedRuns, wholesOf } from "./store/stale";

/**
 * Records that never lie: a record that says `running` whose follower went away is made true, on
 * the CLI's start-up and when the Runs view lists it. A target whose work cannot outlive its
 * follower (local Docker) settles it at once: the container's real end, or `lost`; a target whose
 * work goes on (a cluster workload) is followed again to its end by the extension, and left as it
 * is by the CLI's start-up (`parity logs --follow` picks it up).
 */

/** What recovering one abandoned record gave: its true end now, or a handle following it to its end. */
export type Recovery = { result: RunResult; handle?: undefined } | { handle: RunHandle; result?: undefined };

/** Settles or re-follows one abandoned record, as its target allows. */
export async function recoverRun(context: SessionContext, stored: StoredRun): Promise<Recovery> {
  const { targetNamed } = await import("./targets");
  const target = targetNamed(workloadOf(stored.result).target);
  // A step of a pipeline whose work goes on (a cluster's Workflow) is its pipeline's to follow again.
  if (target.outlivesFollower && stored.result.parent) return { result: stored.result };
  if (target.outlivesFollower) return { handle: await target.attach(context, stored) };
  return { result: await target.reconcile(context, stored) };
}

/**
 * The CLI's start-up: every abandoned record in the current folder and the projects below it whose
 * work cannot outlive its follower is settled now, one line each, with what to do next where there
 * is something to do. A part of a workload left with it (a step, a trial) is settled by its
 * workload, whose line says what became of its parts. Only the files are read when there is none;
 * a record that cannot be settled (no engine) is left as it is, with a note.
 */
export async function settleAbandonedRuns(context: SessionContext, print: Print): Promise<RunResult[]> {
  const abandoned = await abandonedRuns(await listRunsBelow(context.cwd));
  if (abandoned.length === 0) return [];
  const { targetNamed } = await import("./targets");
  const settled: RunResult[] = [];
  for (const stored of wholesOf(abandoned)) {
    const target = targetNamed(workloadOf(stored.result).target);
    if (target.outlivesFollower) continue;
    try {
      const result = await target.reconcile(context, stored);
      settled.push(result);
      // Still true as it was (an endpoint left serving on purpose): nothing to say.
      if (result.status === stored.result.status) continue;
      const next = result.diagnosis.find((item) => item.severity !== "info");
      print(
        `parity: run ${result.runId} was left ${stored.result.status} by a process that went away; it is recorded ${result.status} now (parity logs ${result.runId}).${next ? ` ${next.fix}` : ""}`,
      );
    } catch (error) {
      if (isCancelled(error)) throw error;
      // Another process settles it right now, or follows it again: nothing to say.
      if (error instanceof ParityError && error.code === "RunFollowedElsewhere") continue;
      const why = error instanceof Error ? error.message : String(error);
      print(
        `parity: run ${stored.result.runId} is recorded ${stored.result.status}, but the process that ran it went away, and ${target.label} could not be asked how it ended: ${why}`,
      );
    }
  }
  return settled;
}
