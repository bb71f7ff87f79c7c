import { CustomObjectsApi } from "@kubernetes/client-node";
import { diagnoseClusterRun } from "../../core/diagnosis/cluster/diagnoseCluster";
import { containerFailures } from "../../core/diagnosis/cluster/podProblems";
import { mergeTimeline } from "../../core/diagnosis/cluster/timelineOrder";
import type { ClusterRunRef, JobSpec, RunRecordWriter, RunResult, RunStatus } from "../../core/job/types";
import { labelValue, RUN_LABEL, workloadResource } from "../../core/manifests";
import type { NodeFacts, PodDemand } from "../../core/preflight/types";
import type { FollowControls } from "../runHandle";
import { RunOutput } from "../runOutput";
import type { KubeConnection } from "./connection";
import { apiFailure, httpStatus } from "./kubeErrors";
import { clusterFacts } from "./preflight";
import type { RecordedPosition } from "./recordedLogs";
import { RecordSaver } from "./recordSaver";
import { RunLogs } from "./runLogs";
import { activeStatus, RunWatch, workloadOutcome, type WorkloadOutcome } from "./runWatch";

/** What following a submitted (or re-attached) workload needs. */
export interface FollowedRun {
  conn: KubeConnection;
  /** The record so far; its cluster ref names the workload, its status is where following starts. */
  base: RunResult & { cluster: ClusterRunRef };
  recorder: RunRecordWriter;
  saver: RecordSaver;
  demands: PodDemand[];
  explainTraceback?: JobSpec["explainTraceback"];
  distributionFor?: JobSpec["distributionFor"];
  /** Per source, where logs.jsonl stops (attaching): those lines are not recorded twice. */
  recorded?: Map<string, RecordedPosition>;
  /** Gives up this process's claim on the record (claimFollower), once following stops. */
  release: () => Promise<void>;
}

/**
 * Follows a workload to its end like a local run: watch, merged logs into logs.jsonl, run.json
 * with the timeline as it goes, a diagnosis at the end. Cancelling deletes the workload; detaching
 * leaves it running.
 */
export async function followRun(run: FollowedRun, controls: FollowControls): Promise<RunResult> {
  try {
    return await followUntilEnd(run, controls);
  } finally {
    await run.release();
  }
}

async function followUntilEnd(run: FollowedRun, controls: FollowControls): Promise<RunResult> {
  const { conn, base, recorder, saver } = run;
  const { cancel, detach, status } = controls;
  const ref = base.cluster;
  const { namespace, name, kind } = ref;
  const resource = workloadResource(kind);
  const api = conn.config.makeApiClient(CustomObjectsApi);
  const output = new RunOutput(recorder, controls.logs);
  const runLogs = new RunLogs(conn, namespace, (line) => output.add(line), run.recorded);
  // Pods are found by the one label workloadForRun puts on every template, whatever else the manifest has.
  const watch = new RunWatch(
    conn,
    { ...resource, namespace, kind, name },
    `${RUN_LABEL}=${labelValue(base.runId)}`,
  );
  let nodes: Promise<NodeFacts[] | undefined> | undefined;
  let nodeCache: NodeFacts[] | undefined;
  let current: RunStatus = base.status;
  let lostAt: number | undefined;
  const snapshot = (state: RunStatus, outcome?: WorkloadOutcome): RunResult => {
    const pods = watch.allPods();
    // Attached again: what the earlier process saw stays, events since expired included.
    const timeline = mergeTimeline(base.timeline ?? [], watch.entries());
    const first = containerFailures(pods)[0];
    const failed = state === "failed";
    const lostAt = watch.unreachableSince;
    return {
      ...base,
      status: state,
      // Replaces what an earlier follower recorded: unreachable then says nothing about now.
      unreachableSince: lostAt === undefined ? undefined : new Date(lostAt).toISOString(),
      oomKilled: pods.some((pod) =>
        pod.status?.containerStatuses?.some((s) => s.state?.terminated?.reason === "OOMKilled"),
      ),
      exitCode: state === "succeeded" ? 0 : failed ? (first?.exitCode ?? null) : null,
      timeline,
      diagnosis: diagnoseClusterRun({
        kind,
        status: state,
        pods,
        events: timeline,
        memoryLimitBytes: base.memoryLimitBytes,
        gpu: base.productionGpu,
        nodes: nodeCache,
        demands: run.demands,
        workloadFailure: outcome,
        logTail: output.tail(first?.replica),
        failure: failed && first ? run.explainTraceback?.(output.tail(first.replica).join("\n")) : undefined,
        distributionFor: run.distributionFor,
      }),
    };
  };

  const ended = new Promise<WorkloadOutcome | "cancelled" | "detached">((resolve) => {
    if (cancel.aborted) resolve("cancelled");
    cancel.addEventListener("abort", () => resolve("cancelled"), { once: true });
    detach.addEventListener("abort", () => resolve("detached"), { once: true });
    watch.onChange(() => {
      if (watch.unreachableSince !== lostAt) {
        lostAt = watch.unreachableSince;
        controls.unreachable.fire(lostAt === undefined ? undefined : new Date(lostAt).toISOString());
      }
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
      const outcome = workloadOutcome(kind, watch.workload());
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
  try {
    return await settle(await ended);
  } finally {
    // Whatever happens below (a failed log read, a failed write), no watch outlives the run.
    watch.dispose();
  }

  async function settle(outcome: WorkloadOutcome | "cancelled" | "detached"): Promise<RunResult> {
    if (outcome === "detached") {
      await runLogs.stop();
      const left = snapshot(current);
      watch.dispose();
      await recorder.close();
      // finish, not flush: a late node read must not rewrite the record another process now follows.
      await saver.finish(left);
      return left;
    }
    let deleteFailure: unknown;
    if (outcome === "cancelled") {
      await api
        .deleteNamespacedCustomObject({ ...resource, namespace, name, propagationPolicy: "Background" })
        .catch((error: unknown) => {
          if (httpStatus(error) !== 404)
            deleteFailure = apiFailure(error, conn.target, `delete ${kind} ${name}`);
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
    if (!deleteFailure) finishTimes(final);
    // Every log line is on disk before the record says the run ended: readers stop at that moment.
    await recorder.close();
    await saver.finish(final);
    if (deleteFailure) throw deleteFailure;
    status.fire(final.status);
    return final;
  }
}

export function finishTimes(result: RunResult, now = new Date()): void {
  result.finishedAt = now.toISOString();
  if (result.startedAt) result.durationMs = Date.parse(result.finishedAt) - Date.parse(result.startedAt);
}
