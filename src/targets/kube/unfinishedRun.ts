import type { RunResult } from "../../core/job/types";

// Apart from attachRun so the extension's light half can ask without loading client-node.
/** Whether a recorded cluster run may still be going: it never got a finish time. */
export function isUnfinishedClusterRun(run: RunResult): boolean {
  return run.target === "cluster" && Boolean(run.cluster) && !run.finishedAt;
}
