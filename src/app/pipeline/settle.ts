import type { GoneFollower } from "../../core/diagnosis/followerGone";
import type { RunResult } from "../../core/job/types";
import { settledPipeline } from "../../core/pipeline/settled";
import { relativeTo, type SessionContext } from "../context";
import type { StoredRun } from "../store/runStore";

/**
 * A local pipeline run whose process went away, its running steps settled from their containers:
 * no step stays running, and the record says what happened and how to run it again.
 */
export async function settlePipelineRun(
  context: Pick<SessionContext, "cwd">,
  whole: StoredRun,
  parts: ReadonlyMap<string, RunResult>,
  follower: GoneFollower,
): Promise<RunResult> {
  const rerun = `parity pipeline run ${relativeTo(context, whole.result.notebook)}`;
  return settledPipeline(whole.result, parts, follower, rerun);
}
