import path from "node:path";
import { isFinished } from "../../core/workload/status";
import { followerGone } from "./follower";
import type { StoredRun } from "./runStore";

/**
 * The records among `runs` that say a run is live although the process that followed it went away
 * (killed, crashed, a window closed): nobody will ever write their end. Only the files are read.
 */
export async function abandonedRuns(runs: StoredRun[]): Promise<StoredRun[]> {
  const live = runs.filter((run) => !isFinished(run.result.status));
  const gone = await Promise.all(live.map((run) => followerGone(run.dir)));
  return live.filter((_, index) => gone[index]);
}

/**
 * The abandoned records to settle one by one: a part left with its workload (a pipeline run's
 * step, an experiment's trial, whose workload is among `abandoned` too) is settled by that
 * workload, which says what became of its parts.
 */
export function wholesOf(abandoned: StoredRun[]): StoredRun[] {
  const dirs = new Set(abandoned.map((run) => run.dir));
  return abandoned.filter((run) => {
    const parent = run.result.parent;
    return !parent || !dirs.has(path.join(path.dirname(run.dir), parent));
  });
}
