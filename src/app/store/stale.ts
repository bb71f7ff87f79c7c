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
