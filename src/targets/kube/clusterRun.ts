import { CustomObjectsApi, type KubernetesObject } from "@kubernetes/client-node";
import type {
  ClusterRunRef,
  ClusterWorkloadKind,
  JobSpec,
  RunRecordWriter,
  RunResult,
} from "../../core/job/types";
import { workloadResource } from "../../core/manifests";
import type { PodDemand } from "../../core/preflight/types";
import type { AccessCheck } from "./access";
import type { KubeConnection } from "./connection";
import type { FollowControls } from "../runHandle";
import { followRun } from "./followRun";
import { apiFailure, httpStatus } from "./kubeErrors";
import { RecordSaver } from "./recordSaver";
import { workloadForRun } from "./runWorkload";

export interface ClusterRunSpec {
  job: JobSpec;
  workload: KubernetesObject;
  ref: Omit<ClusterRunRef, "uid">;
  demands: PodDemand[];
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

/**
 * Submits a workload and follows it like a local run: the same record (run.json with the timeline,
 * logs.jsonl with every replica's lines, written through `recorder`, which the caller opened and
 * whose claim `release` gives up at the end), a diagnosis at the end.
 */
export async function submitClusterRun(
  conn: KubeConnection,
  spec: ClusterRunSpec,
  runId: string,
  recorder: RunRecordWriter,
  release: () => Promise<void>,
  controls: FollowControls,
): Promise<RunResult> {
  const resource = workloadResource(spec.ref.kind);
  const { namespace, name } = spec.ref;
  const base: RunResult = {
    runId,
    kind: "job",
    target: "cluster",
    status: "pending",
    exitCode: null,
    oomKilled: false,
    image: spec.job.image,
    notebook: spec.job.notebookFile,
    startedAt: new Date().toISOString(),
    memoryLimitBytes: spec.job.limits.memoryBytes,
    ...(spec.job.limits.productionGpu && { productionGpu: spec.job.limits.productionGpu }),
    diagnosis: [],
    cluster: { ...spec.ref },
    timeline: [],
  };
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

/** Whether the cluster serves a kind of workload in the run's namespace (undefined: it could not be asked, e.g. not allowed). */
export async function workloadServed(
  conn: KubeConnection,
  kind: ClusterWorkloadKind,
): Promise<boolean | undefined> {
  const { group, version, plural } = workloadResource(kind);
  return conn.config
    .makeApiClient(CustomObjectsApi)
    .listNamespacedCustomObject({ group, version, namespace: conn.target.namespace, plural, limit: 1 })
    .then(
      () => true,
      (error: unknown) => (httpStatus(error) === 404 ? false : undefined),
    );
}

/**
 * Creates a run's workload of a custom kind (a Workflow, an Experiment) where its ref says; its
 * uid comes back. A refusal runs `onRefused` (the record says the run failed), then becomes a
 * ParityError that says what was tried.
 */
export async function createCustomWorkload(
  conn: KubeConnection,
  ref: Pick<ClusterRunRef, "kind" | "namespace" | "name">,
  body: KubernetesObject,
  onRefused: () => Promise<void>,
): Promise<string | undefined> {
  try {
    const created = (await conn.config.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      ...workloadResource(ref.kind),
      namespace: ref.namespace,
      body,
    })) as KubernetesObject;
    return created.metadata?.uid;
  } catch (error) {
    await onRefused();
    throw apiFailure(error, conn.target, `create ${ref.kind} ${ref.name} in ${ref.namespace}`);
  }
}
