import { ParityError } from "../../core/errors";
import { isFinished } from "../../core/workload/status";
import type { SessionContext } from "../context";
import { runDir, type RunRef } from "../store/runRef";
import { readRecordOf } from "../store/runStore";
import { targetNamed } from "./index";
import type { Confirmation, ConfirmationNeeded } from "./target";

/** The process that follows a run (its handle in this process): stopping through it stops the run at once. */
export interface RunFollower {
  cancel(): void;
}

/** A run about to be stopped: what the user must confirm first, and the stop itself. */
export interface RunStop {
  /**
   * What stopping deletes (a cluster workload) and, in a protected namespace, the name to type;
   * undefined when nothing needs confirming (nothing submitted yet, a local container).
   */
  needed?: ConfirmationNeeded;
  /** Stops the run's work with what the user answered (the name typed, where it was asked). */
  stop(confirmation?: Confirmation): Promise<void>;
}

/**
 * The one way a run is stopped, whoever asks: a progress's Cancel, Cancel Run, Delete Cluster Run,
 * `parity delete`, Ctrl-C. Nothing recorded yet (building, pushing: nothing is on a cluster) or a
 * target that asks nothing (a local container): the follower stops it at once. Otherwise the
 * target says what must be confirmed (the workload's name typed in a protected namespace), and the
 * target stops it: a SelfSubjectAccessReview first and the typed name checked again; the follower
 * sees the workload gone and records the cancel. `session` is called when the target is reached,
 * so that a user who takes their time to answer does not outlive its timeout.
 */
export async function runStop(
  session: () => SessionContext,
  run: RunRef | undefined,
  follower?: RunFollower,
): Promise<RunStop> {
  const result = run && (await readRecordOf(run));
  if (!run || !result) {
    if (follower) return { stop: async () => follower.cancel() };
    throw new ParityError(
      "RunNotFound",
      `Parity has no record of ${run ? `the run ${run.runId}` : "that run"}.`,
      {
        fix: "Refresh the Runs view, or name a run that parity logs lists.",
      },
    );
  }
  const stored = { dir: runDir(run), result };
  const target = targetNamed(result.target);
  const needed = await target.confirmation(session(), stored);
  if (!needed && follower) return { stop: async () => follower.cancel() };
  if (!needed && isFinished(result.status)) {
    throw new ParityError(
      "RunEnded",
      `The run ${result.runId} on ${target.label} has ended (${result.status}): nothing of it is left to stop.`,
      { fix: `Its record and logs stay: parity logs ${result.runId} prints them.` },
    );
  }
  return { needed, stop: (confirmation) => target.cancel(session(), stored, confirmation) };
}
