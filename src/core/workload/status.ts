import type { RunResult } from "./types";

// In core, not beside attachRun: the extension's light half asks it without loading client-node.
/** Whether a recorded cluster run may still be going: it never got a finish time. */
export function isUnfinishedClusterRun(run: RunResult): boolean {
  return run.target === "cluster" && Boolean(run.cluster) && !run.finishedAt;
}
