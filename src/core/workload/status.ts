import type { RunResult, RunStatus } from "../job/types";

/** The run has ended: it will not write to its record or its logs again. */
export function isFinished(status: RunStatus): boolean {
  return status === "succeeded" || status === "failed" || status === "cancelled" || status === "lost";
}

// In core, not beside attachRun: the extension's light half asks it without loading client-node.
/** Whether a recorded cluster run may still be going: it never got a finish time, nor an end without one (lost). */
export function isUnfinishedClusterRun(run: RunResult): boolean {
  return run.target === "cluster" && Boolean(run.cluster) && !run.finishedAt && run.status !== "lost";
}

/**
 * An endpoint that serves with no process following it, by design: a detached local one (its
 * container is its life), or a cluster's (its InferenceService is). Its record is true while that
 * lives; such a record is not "left behind" by a process that went away.
 */
export function servesUnfollowed(result: Pick<RunResult, "kind" | "target" | "endpoint">): boolean {
  return result.kind === "endpoint" && (result.target === "cluster" || result.endpoint?.detached === true);
}
