import { CancelledError, ParityError } from "../../../core/errors";
import type { ClusterRunRef } from "../../../core/job/types";
import { isUnfinishedClusterRun } from "../../../core/workload/status";
import { requireAllowed } from "../../../targets/kube/access";
import { followRecordedClusterRun, type AttachOptions } from "../../../targets/kube/attachRun";
import { runPermissions, submitClusterRun, type ClusterRunSpec } from "../../../targets/kube/clusterRun";
import type { KubeConnection } from "../../../targets/kube/connection";
import { createDetachableRunHandle, type DetachableRunHandle } from "../../../targets/runHandle";
import { movedEntry } from "./moved";
import { newRunId, readRunLogs, RunRecorder, type StoredRun } from "../../store/runStore";

/**
 * Submits a workload and follows it like a local run: the same handle, the same record (run.json
 * with the timeline, logs.jsonl with every replica's lines), a diagnosis at the end. Refused before
 * anything exists (no workload, no record) when the user may not do everything the run needs.
 */
export function startClusterRun(
  conn: KubeConnection,
  spec: ClusterRunSpec,
  runId = newRunId(spec.job.name),
): DetachableRunHandle {
  return createDetachableRunHandle(runId, async (controls) => {
    await requireAllowed(conn, runPermissions(spec.ref.kind, spec.ref.namespace));
    // Cancelled while permissions were checked: nothing exists yet, and nothing will.
    if (controls.cancel.aborted) throw new CancelledError();
    const recorder = await RunRecorder.create(spec.job.workspaceDir, runId);
    return submitClusterRun(conn, spec, runId, recorder, () => recorder.release(), controls);
  });
}

/**
 * Follows a cluster run recorded by a process that went away (a window reloaded, a CLI killed) to
 * its end, as startClusterRun would have: only log lines not yet in logs.jsonl are added, run.json
 * and its timeline are updated. A workload deleted meanwhile (or replaced by another of the same
 * name) ends the run "cancelled" with that said. A finished record is returned as it is; a run
 * another live process follows is refused (RunFollowedElsewhere).
 */
export function attachClusterRun(
  conn: KubeConnection,
  stored: StoredRun,
  options: AttachOptions & {
    /** The run's server before its cluster moved to conn's (connectWhereItRuns checked the workload's uid). */
    movedFrom?: string;
  } = {},
): DetachableRunHandle {
  const { movedFrom, ...follow } = options;
  return createDetachableRunHandle(stored.result.runId, async (controls) => {
    const ref = stored.result.cluster;
    if (!ref) {
      throw new ParityError("NotAClusterRun", `Run ${stored.result.runId} did not run on a cluster.`, {
        fix: "Only cluster runs can be followed again; parity logs prints a local run's output.",
      });
    }
    if (!isUnfinishedClusterRun(stored.result)) return stored.result;
    if (!movedFrom) requireSameCluster(conn, stored.result.runId, ref);
    // Reading is enough to follow; deleting is what cancel does.
    await requireAllowed(
      conn,
      runPermissions(ref.kind, ref.namespace).filter((check) => !["create", "delete"].includes(check.verb)),
    );
    const { recorder, current } = await RunRecorder.reopen(stored);
    // The record as it is now: its follower may have finished it since `stored` was read.
    if (!isUnfinishedClusterRun(current.result) || !current.result.cluster) {
      await recorder.release();
      return current.result;
    }
    const cluster = current.result.cluster;
    // Followed at the new address from now on, and the record says so.
    const result = movedFrom
      ? {
          ...current.result,
          cluster: { ...cluster, server: conn.target.server },
          timeline: [...(current.result.timeline ?? []), movedEntry(cluster, conn.target.server)],
        }
      : { ...current.result, cluster };
    try {
      return await followRecordedClusterRun(
        conn,
        { result, recordedLines: await readRunLogs(current), recorder, release: () => recorder.release() },
        follow,
        controls,
      );
    } catch (error) {
      await recorder.release(); // Once only: following releases it too.
      throw error;
    }
  });
}

/** A run is followed on the cluster it ran on: the same context name may point elsewhere now. */
export function requireSameCluster(conn: KubeConnection, runId: string, ref: ClusterRunRef): void {
  if (ref.server === conn.target.server) return;
  throw new ParityError(
    "ClusterMismatch",
    `Run ${runId} ran on ${ref.server} (context ${ref.context}), not on ${conn.target.server}.`,
    { fix: `Follow it with context ${ref.context}, or one that points at ${ref.server}.` },
  );
}
