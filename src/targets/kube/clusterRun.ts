import { CustomObjectsApi, type KubernetesObject } from "@kubernetes/client-node";
import { CancelledError } from "../../core/errors";
import type { ClusterRunRef, ClusterWorkloadKind, JobSpec, RunResult } from "../../core/job/types";
import { workloadResource } from "../../core/manifests";
import type { PodDemand } from "../../core/preflight/types";
import { newRunId, RunRecorder } from "../store/runStore";
import { requireAllowed, type AccessCheck } from "./access";
import type { KubeConnection } from "./connection";
import { claimFollower } from "./followerLock";
import { clusterRunHandle, followRun, type ClusterRunHandle, type FollowControls } from "./followRun";
import { apiFailure } from "./kubeErrors";
import { RecordSaver } from "./recordSaver";
import { workloadForRun } from "./runWorkload";

export interface ClusterRunSpec {
  job: JobSpec;
  workload: KubernetesObject;
  ref: Omit<ClusterRunRef, "uid">;
  demands: PodDemand[];
}

/**
 * Submits a workload and follows it like a local run: the same handle, the same record
 * (run.json with the timeline, logs.jsonl with every replica's lines), a diagnosis at the end.
 */
export function startClusterRun(
  conn: KubeConnection,
  spec: ClusterRunSpec,
  runId = newRunId(spec.job.name),
): ClusterRunHandle {
  return clusterRunHandle(runId, (controls) => submit(conn, spec, runId, controls));
}

/** What a run needs to be allowed before anything is created: the workload, its pods, their logs and events. */
export function runPermissions(kind: ClusterWorkloadKind, namespace: string): AccessCheck[] {
  const { group, plural } = workloadResource(kind);
  return [
    // Delete too: cancelling a run deletes its workload, and a run that cannot be stopped should not start.
    ...["create", "delete"].map((verb) => ({ verb, group, resource: plural, namespace })),
    ...["get", "list", "watch"].map((verb) => ({ verb, resource: "pods", namespace })),
    { verb: "get", resource: "pods", subresource: "log", namespace },
    ...["list", "watch"].map((verb) => ({ verb, resource: "events", namespace })),
  ];
}

async function submit(
  conn: KubeConnection,
  spec: ClusterRunSpec,
  runId: string,
  controls: FollowControls,
): Promise<RunResult> {
  // Refused before anything exists: no workload, no run record.
  await requireAllowed(conn, runPermissions(spec.ref.kind, spec.ref.namespace));
  if (controls.cancel.aborted) throw new CancelledError();
  const resource = workloadResource(spec.ref.kind);
  const { namespace, name } = spec.ref;
  const recorder = await RunRecorder.create(spec.job.workspaceDir, runId);
  const base: RunResult = {
    runId,
    target: "cluster",
    status: "pending",
    exitCode: null,
    oomKilled: false,
    image: spec.job.image,
    notebook: spec.job.notebookFile,
    startedAt: new Date().toISOString(),
    memoryLimitBytes: spec.job.limits.memoryBytes,
    diagnosis: [],
    cluster: { ...spec.ref },
    timeline: [],
  };
  const release = await claimFollower(recorder.dir, runId);
  const saver = new RecordSaver(recorder);
  await saver.flush(base);
  controls.status.fire("pending");
  let cluster: ClusterRunRef;
  try {
    const created = (await conn.config.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group: resource.group,
      version: resource.version,
      namespace,
      plural: resource.plural,
      body: workloadForRun(spec.workload, runId),
    })) as KubernetesObject;
    cluster = { ...spec.ref, uid: created.metadata?.uid };
  } catch (error) {
    await recorder.close();
    await saver.finish({ ...base, status: "failed", finishedAt: new Date().toISOString() });
    await release();
    throw apiFailure(error, conn.target, `create ${spec.ref.kind} ${name} in ${namespace}`);
  }
  return followRun(
    {
      conn,
      base: { ...base, cluster },
      recorder,
      saver,
      demands: spec.demands,
      explainTraceback: spec.job.explainTraceback,
      distributionFor: spec.job.distributionFor,
      release,
    },
    controls,
  );
}
