import { CustomObjectsApi, type KubernetesObject } from "@kubernetes/client-node";
import { workloadGoneSince } from "../../core/diagnosis/cluster/workloadGone";
import type { ClusterRunRef, JobSpec, LogLine, RunRecordWriter, RunResult } from "../../core/job/types";
import { podDemands, workloadResource } from "../../core/manifests";
import type { KubeConnection } from "./connection";
import type { FollowControls } from "../runHandle";
import { finishTimes, followRun } from "./followRun";
import { apiFailure, httpStatus } from "./kubeErrors";
import { recordedPositions } from "./recordedLogs";
import { RecordSaver } from "./recordSaver";

export interface AttachOptions {
  /** Maps a traceback back to the notebook, when the caller can (the job is not rebuilt to attach). */
  explainTraceback?: JobSpec["explainTraceback"];
  distributionFor?: JobSpec["distributionFor"];
}

/** A recorded cluster run that this process now follows: its record so far, and where to write. */
export interface ReopenedClusterRun {
  result: RunResult & { cluster: ClusterRunRef };
  /** What logs.jsonl holds already: those lines are not recorded twice. */
  recordedLines: LogLine[];
  recorder: RunRecordWriter;
  release: () => Promise<void>;
}

/**
 * Follows a cluster run recorded by a process that went away to its end, as a submitted run is
 * followed: only log lines not yet recorded are added, run.json and its timeline are updated. A
 * workload deleted meanwhile (or replaced by another of the same name) ends the run "cancelled"
 * with that said. The caller has claimed the record (the store's reopen) and checked permissions.
 */
export async function followRecordedClusterRun(
  conn: KubeConnection,
  run: ReopenedClusterRun,
  options: AttachOptions,
  controls: FollowControls,
): Promise<RunResult> {
  const { recorder, release } = run;
  const ref = run.result.cluster;
  const workload = await currentWorkload(conn, ref);
  const saver = new RecordSaver(recorder);
  const base = run.result;
  const goneDiagnosis = workloadGoneSince(ref, workload, base.runId);
  // No workload is always gone; the check is for the type of `workload` below.
  if (goneDiagnosis || !workload) {
    const gone: RunResult = {
      ...base,
      status: "cancelled",
      diagnosis: [goneDiagnosis!, ...base.diagnosis],
    };
    finishTimes(gone);
    await recorder.close();
    await saver.finish(gone);
    await release();
    controls.status.fire("cancelled");
    return gone;
  }
  return followRun(
    {
      conn,
      base,
      recorder,
      saver,
      demands: podDemands(workload),
      recorded: recordedPositions(run.recordedLines),
      release,
      ...options,
    },
    controls,
  );
}

/** The run's workload as the cluster has it now; undefined when it is gone. */
export async function currentWorkload(
  conn: KubeConnection,
  ref: ClusterRunRef,
): Promise<KubernetesObject | undefined> {
  const { group, version, plural } = workloadResource(ref.kind);
  try {
    return (await conn.config.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group,
      version,
      plural,
      namespace: ref.namespace,
      name: ref.name,
    })) as KubernetesObject;
  } catch (error) {
    if (httpStatus(error) === 404) return undefined;
    throw apiFailure(error, conn.target, `read ${ref.kind} ${ref.name} in ${ref.namespace}`);
  }
}
