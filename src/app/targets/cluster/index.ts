import { ParityError } from "../../../core/errors";
import { TARGET_LABELS } from "../../../core/presentation/targets";
import type { ClusterRunRef, RunResult } from "../../../core/job/types";
import { isUnfinishedClusterRun } from "../../../core/workload/status";
import { workloadOf, type WorkloadKind } from "../../../core/workload/types";
import type { KubeConnection } from "../../../targets/kube/connection";
import type { DetachableRunHandle } from "../../../targets/runHandle";
import { attachPipelineRun } from "../../pipeline/clusterFollow";
import { attachEndpoint } from "../../serving/clusterFollow";
import { attachExperimentRun } from "../../tuning/clusterFollow";
import { currentWorkload } from "../../../targets/kube/attachRun";
import { workloadOutcome } from "../../../targets/kube/runWatch";
import { profileClusterOf } from "../../cluster/contexts";
import type { SessionContext } from "../../context";
import { workspaceOfRunDir } from "../../store/runRef";
import type { StoredRun } from "../../store/runStore";
import type { Target } from "../target";
import { clusterCheckJson, clusterCheckPassed, clusterCheckText } from "./checkReport";
import { checkCluster, clusterManifest, prepareClusterRun } from "./prepare";
import { followAcrossMoves } from "./moved";
import { attachClusterRun, startClusterRun } from "./runs";
import { connectWhereItRuns, deleteWorkload, type RunConnection, type WorkloadDeletion } from "./workloads";

/**
 * How a run of each kind is followed again from its record: a job's workload, a pipeline's Workflow
 * (its steps' pods as their own runs), an experiment's Katib Experiment (its trials as their own runs).
 */
const FOLLOWERS: Record<
  WorkloadKind,
  (conn: KubeConnection, stored: StoredRun, options: { movedFrom?: string }) => DetachableRunHandle
> = {
  job: (conn, stored, options) => attachClusterRun(conn, stored, options),
  pipeline: attachPipelineRun,
  experiment: attachExperimentRun,
  endpoint: (conn, stored) => attachEndpoint(conn, stored),
};

/**
 * Kinds whose follower reads the workload once and returns (an endpoint serves until deleted: it has
 * no end to follow to): reconciling runs it, so its record, state and logs are read again each time.
 */
const FOLLOWED_IN_ONE_LOOK: Partial<Record<WorkloadKind, true>> = { endpoint: true };

/** How long reconciling waits for the cluster before leaving a record as it is. */
const RECONCILE_TIMEOUT_MS = 10_000;

/**
 * A Kubernetes cluster: the job goes there as a Job (or a PyTorchJob/TFJob) with the same image and
 * limits. The workload runs on without the process that follows it, which can come back (attach).
 */
export const clusterTarget: Target = {
  name: "cluster",
  label: TARGET_LABELS.cluster,
  outlivesFollower: true,

  async check(context, request) {
    const check = await checkCluster(context, request);
    return {
      notebookFile: check.job.notebookFile,
      passed: clusterCheckPassed(check),
      text: clusterCheckText(check),
      json: clusterCheckJson(check),
    };
  },

  async start(context, request) {
    const prepared = await prepareClusterRun(context, request);
    const { job } = prepared.spec;
    const handle = followAcrossMoves(
      context,
      { workspaceDir: job.workspaceDir, runId: prepared.runId },
      startClusterRun(prepared.cluster, prepared.spec, prepared.runId),
      (stored, where) =>
        attachClusterRun(where.conn, stored, {
          movedFrom: where.movedFrom,
          explainTraceback: job.explainTraceback,
          distributionFor: job.distributionFor,
        }),
    );
    const { kind, name, namespace } = prepared.spec.ref;
    return {
      handle,
      job: prepared.job,
      where: `on the cluster as ${kind} ${namespace}/${name}`,
      cancelEffect: `deletes the ${kind}`,
      placement: { context: prepared.cluster.target.context, namespace },
    };
  },

  async manifest(context, request) {
    return (await clusterManifest(context, request)).yaml;
  },

  async attach(context, stored) {
    const where = await connectWhereItRuns(context, stored.result.runId, refOf(stored));
    const follow = (run: StoredRun, at: RunConnection) =>
      FOLLOWERS[workloadOf(run.result).kind](at.conn, run, { movedFrom: at.movedFrom });
    const run = { workspaceDir: workspaceOfRunDir(stored.dir), runId: stored.result.runId };
    return followAcrossMoves(context, run, follow(stored, where), follow);
  },

  async confirmation(context, stored) {
    const { what, typeToConfirm, why } = await runWorkloadDeletion(context, stored);
    return { what, typeToConfirm, why };
  },

  async cancel(context, stored, confirmation) {
    await deleteRunWorkload(context, stored, confirmation?.typedName);
  },

  async remove() {
    // The workload and its finished pods hold the run's logs and events: Delete Cluster Run
    // removes them, with its confirmation.
  },

  /**
   * One look at the workload: ended, gone or being deleted, the record is brought to its end
   * (following it takes a moment); still going, the record is true as it is and stays unchanged.
   */
  async reconcile(context, stored): Promise<RunResult> {
    if (!isUnfinishedClusterRun(stored.result)) return stored.result;
    const ref = refOf(stored);
    const { conn, movedFrom } = await connectWhereItRuns(
      { ...context, signal: AbortSignal.timeout(RECONCILE_TIMEOUT_MS) },
      stored.result.runId,
      ref,
    );
    const follow = FOLLOWERS[workloadOf(stored.result).kind];
    if (FOLLOWED_IN_ONE_LOOK[workloadOf(stored.result).kind])
      return follow(conn, stored, { movedFrom }).result;
    const workload = await currentWorkload(conn, ref);
    const gone = !workload || (ref.uid !== undefined && workload.metadata?.uid !== ref.uid);
    // Being deleted (parity delete a moment ago): following it sees it go in a moment.
    const deleting = workload?.metadata?.deletionTimestamp !== undefined;
    if (!gone && !deleting && !workloadOutcome(ref.kind, workload)) return stored.result;
    return follow(conn, stored, { movedFrom }).result;
  },
};

function refOf(stored: StoredRun): ClusterRunRef {
  const ref = stored.result.cluster;
  if (ref) return ref;
  throw new ParityError(
    "NotAClusterRun",
    `The record of run ${stored.result.runId} names no cluster workload, so there is nothing to act on there.`,
    { fix: "Remove the run's record with Remove Run, or parity logs to read what it recorded." },
  );
}

/** The deletion of the run's workload (see deleteWorkload), with the protection its profile asks for. */
async function runWorkloadDeletion(context: SessionContext, stored: StoredRun): Promise<WorkloadDeletion> {
  const profile = await profileClusterOf(stored.result.notebook, workspaceOfRunDir(stored.dir)).catch(() => ({
    cluster: undefined,
  }));
  return deleteWorkload(context, refOf(stored), { profileProtected: profile.cluster?.protected });
}

async function deleteRunWorkload(
  context: SessionContext,
  stored: StoredRun,
  typedName?: string,
): Promise<void> {
  await (await runWorkloadDeletion(context, stored)).delete(typedName);
}
