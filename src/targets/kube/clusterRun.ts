import { CustomObjectsApi, type KubernetesObject } from "@kubernetes/client-node";
import { diagnoseClusterRun } from "../../core/diagnosis/cluster/diagnoseCluster";
import { containerFailures } from "../../core/diagnosis/cluster/podProblems";
import { CancelledError } from "../../core/errors";
import { Emitter } from "../../core/events";
import type {
  ClusterRunRef,
  ClusterWorkloadKind,
  JobSpec,
  LogLine,
  RunHandle,
  RunResult,
  RunStatus,
} from "../../core/job/types";
import { labelValue, RUN_LABEL, workloadResource } from "../../core/manifests";
import type { NodeFacts, PodDemand } from "../../core/preflight/types";
import { RunOutput } from "../runOutput";
import { newRunId, RunRecorder } from "../store/runStore";
import { requireAllowed, type AccessCheck } from "./access";
import type { KubeConnection } from "./connection";
import { apiFailure, httpStatus } from "./kubeErrors";
import { clusterFacts } from "./preflight";
import { RunLogs } from "./runLogs";
import { RecordSaver } from "./recordSaver";
import { activeStatus, RunWatch, workloadOutcome, type WorkloadOutcome } from "./runWatch";
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
): RunHandle {
  const status = new Emitter<RunStatus>();
  const logs = new Emitter<LogLine>();
  const controller = new AbortController();
  const result = execute(conn, spec, runId, controller.signal, status, logs).finally(() => {
    status.dispose();
    logs.dispose();
  });
  return { runId, onStatus: status.event, onLog: logs.event, cancel: () => controller.abort(), result };
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

async function execute(
  conn: KubeConnection,
  spec: ClusterRunSpec,
  runId: string,
  signal: AbortSignal,
  status: Emitter<RunStatus>,
  logs: Emitter<LogLine>,
): Promise<RunResult> {
  // Refused before anything exists: no workload, no run record.
  await requireAllowed(conn, runPermissions(spec.ref.kind, spec.ref.namespace));
  if (signal.aborted) throw new CancelledError();
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
  const saver = new RecordSaver(recorder);
  await saver.flush(base);
  status.fire("pending");
  const api = conn.config.makeApiClient(CustomObjectsApi);
  try {
    const created = (await api.createNamespacedCustomObject({
      group: resource.group,
      version: resource.version,
      namespace,
      plural: resource.plural,
      body: workloadForRun(spec.workload, runId),
    })) as KubernetesObject;
    base.cluster = { ...spec.ref, uid: created.metadata?.uid };
  } catch (error) {
    await recorder.close();
    await saver.finish({ ...base, status: "failed", finishedAt: new Date().toISOString() });
    throw apiFailure(error, conn.target, `create ${spec.ref.kind} ${name} in ${namespace}`);
  }

  const output = new RunOutput(recorder, logs);
  const runLogs = new RunLogs(conn, namespace, (line) => output.add(line));
  // Pods are found by the one label workloadForRun puts on every template, whatever else the manifest has.
  const watch = new RunWatch(
    conn,
    { ...resource, namespace, kind: spec.ref.kind, name },
    `${RUN_LABEL}=${labelValue(runId)}`,
  );
  let nodes: Promise<NodeFacts[] | undefined> | undefined;
  let nodeCache: NodeFacts[] | undefined;
  let current: RunStatus = "pending";
  const snapshot = (state: RunStatus, outcome?: WorkloadOutcome): RunResult => {
    const pods = watch.allPods();
    const timeline = watch.entries();
    const first = containerFailures(pods)[0];
    const failed = state === "failed";
    return {
      ...base,
      status: state,
      oomKilled: pods.some((pod) =>
        pod.status?.containerStatuses?.some((s) => s.state?.terminated?.reason === "OOMKilled"),
      ),
      exitCode: state === "succeeded" ? 0 : failed ? (first?.exitCode ?? null) : null,
      timeline,
      diagnosis: diagnoseClusterRun({
        kind: spec.ref.kind,
        status: state,
        pods,
        events: timeline,
        memoryLimitBytes: spec.job.limits.memoryBytes,
        nodes: nodeCache,
        demands: spec.demands,
        workloadFailure: outcome,
        logTail: output.tail(first?.replica),
        failure:
          failed && first ? spec.job.explainTraceback?.(output.tail(first.replica).join("\n")) : undefined,
        distributionFor: spec.job.distributionFor,
      }),
    };
  };

  const ended = new Promise<WorkloadOutcome | "cancelled">((resolve) => {
    if (signal.aborted) resolve("cancelled");
    signal.addEventListener("abort", () => resolve("cancelled"), { once: true });
    watch.onChange(() => {
      for (const pod of watch.pods()) runLogs.watchPod(pod);
      // The nodes as they are now, read once a pod cannot be scheduled: to name taints and give numbers.
      if (!nodes && watch.entries().some((e) => e.reason === "FailedScheduling")) {
        nodes = clusterFacts(conn.config, namespace)
          .then((facts) => facts.nodes)
          .catch(() => undefined);
        void nodes.then((facts) => {
          nodeCache = facts;
          saver.schedule(snapshot(current));
        });
      }
      const outcome = workloadOutcome(spec.ref.kind, watch.workload());
      if (outcome) return resolve(outcome);
      // Deleted from elsewhere (the Runs view, kubectl): the run was cancelled there.
      if (watch.workloadDeleted) return resolve("cancelled");
      const now = activeStatus(watch.pods());
      if (now !== current) {
        current = now;
        status.fire(now);
      }
      saver.schedule(snapshot(current));
    });
  });
  watch.start();
  const outcome = await ended;
  let deleteFailure: unknown;
  if (outcome === "cancelled") {
    await api
      .deleteNamespacedCustomObject({ ...resource, namespace, name, propagationPolicy: "Background" })
      .catch((error: unknown) => {
        if (httpStatus(error) !== 404)
          deleteFailure = apiFailure(error, conn.target, `delete ${spec.ref.kind} ${name}`);
      });
    await runLogs.stop();
  } else {
    if (outcome.status === "failed") await watch.podFailureSeen();
    await nodes;
    await runLogs.finish(watch.pods());
  }
  const cancelled = outcome === "cancelled";
  // A workload that could not be deleted is still there: its record keeps the state it had.
  const final = snapshot(
    cancelled ? (deleteFailure ? current : "cancelled") : outcome.status,
    cancelled ? undefined : outcome,
  );
  watch.dispose();
  if (!deleteFailure) {
    final.finishedAt = new Date().toISOString();
    final.durationMs = Date.parse(final.finishedAt) - Date.parse(base.startedAt!);
  }
  // Every log line is on disk before the record says the run ended: readers stop at that moment.
  await recorder.close();
  await saver.finish(final);
  if (deleteFailure) throw deleteFailure;
  status.fire(final.status);
  return final;
}
