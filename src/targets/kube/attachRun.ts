import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { CustomObjectsApi, type KubernetesObject } from "@kubernetes/client-node";
import { workloadGoneDiagnosis } from "../../core/diagnosis/cluster/workloadGone";
import { ParityError } from "../../core/errors";
import type { ClusterRunRef, JobSpec, RunResult } from "../../core/job/types";
import { podDemands, workloadResource } from "../../core/manifests";
import { readRunLogs, RunRecorder, type StoredRun } from "../store/runStore";
import { requireAllowed } from "./access";
import { claimFollower } from "./followerLock";
import { runPermissions } from "./clusterRun";
import type { KubeConnection } from "./connection";
import {
  clusterRunHandle,
  finishTimes,
  followRun,
  type ClusterRunHandle,
  type FollowControls,
} from "./followRun";
import { apiFailure, httpStatus } from "./kubeErrors";
import { recordedPositions } from "./recordedLogs";
import { RecordSaver } from "./recordSaver";
import { isUnfinishedClusterRun } from "../../core/job/unfinishedRun";

export interface AttachOptions {
  /** Maps a traceback back to the notebook, when the caller can (the job is not rebuilt to attach). */
  explainTraceback?: JobSpec["explainTraceback"];
  distributionFor?: JobSpec["distributionFor"];
}

/**
 * Follows a cluster run recorded by a process that went away (a window reloaded, a CLI killed)
 * to its end, as startClusterRun would have: only log lines not yet in logs.jsonl are added,
 * run.json and its timeline are updated. A workload deleted meanwhile (or replaced by another of
 * the same name) ends the run "cancelled" with that said. A finished record is returned as it is.
 */
export function attachClusterRun(
  conn: KubeConnection,
  stored: StoredRun,
  options: AttachOptions = {},
): ClusterRunHandle {
  return clusterRunHandle(stored.result.runId, (controls) => attach(conn, stored, options, controls));
}

async function attach(
  conn: KubeConnection,
  stored: StoredRun,
  options: AttachOptions,
  controls: FollowControls,
): Promise<RunResult> {
  const ref = stored.result.cluster;
  if (!ref) {
    throw new ParityError("NotAClusterRun", `Run ${stored.result.runId} did not run on a cluster.`, {
      fix: "Only cluster runs can be followed again; parity logs prints a local run's output.",
    });
  }
  if (!isUnfinishedClusterRun(stored.result)) return stored.result;
  if (ref.server !== conn.target.server) {
    throw new ParityError(
      "ClusterMismatch",
      `Run ${stored.result.runId} ran on ${ref.server} (context ${ref.context}), not on ${conn.target.server}.`,
      { fix: `Follow it with context ${ref.context}, or one that points at ${ref.server}.` },
    );
  }
  // Reading is enough to follow; deleting is what cancel does.
  await requireAllowed(
    conn,
    runPermissions(ref.kind, ref.namespace).filter((check) => !["create", "delete"].includes(check.verb)),
  );
  const release = await claimFollower(stored.dir, stored.result.runId);
  try {
    // The record as it is now: its follower may have finished it since `stored` was read.
    const current: StoredRun = { dir: stored.dir, result: await readRecord(stored.dir) };
    if (!isUnfinishedClusterRun(current.result)) {
      await release();
      return current.result;
    }
    return await attachClaimed(conn, current, ref, options, controls, release);
  } catch (error) {
    await release();
    throw error;
  }
}

/** Holding the claim on the record: ends it when the workload is gone, else follows it (which releases the claim at the end). */
async function attachClaimed(
  conn: KubeConnection,
  stored: StoredRun,
  ref: ClusterRunRef,
  options: AttachOptions,
  controls: FollowControls,
  release: () => Promise<void>,
): Promise<RunResult> {
  const workload = await currentWorkload(conn, ref);
  // <workspace>/.parity/runs/<run id>
  const recorder = await RunRecorder.create(resolve(stored.dir, "..", "..", ".."), stored.result.runId);
  const saver = new RecordSaver(recorder);
  const base = { ...stored.result, cluster: ref };
  if (!workload || (ref.uid && workload.metadata?.uid !== ref.uid)) {
    const gone: RunResult = {
      ...base,
      status: "cancelled",
      diagnosis: [
        workloadGoneDiagnosis(ref, workload ? "replaced" : "deleted", base.runId),
        ...base.diagnosis,
      ],
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
      recorded: recordedPositions(await readRunLogs(stored)),
      release,
      ...options,
    },
    controls,
  );
}

async function currentWorkload(
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

async function readRecord(runDir: string): Promise<RunResult> {
  return JSON.parse(await readFile(join(runDir, "run.json"), "utf8")) as RunResult;
}
