import { CoreV1Api } from "@kubernetes/client-node";
import { ParityError } from "../../core/errors";
import type { RunResult } from "../../core/job/types";
import { parityLabels, workloadResource } from "../../core/manifests";
import { encodeParameterOverrides } from "../../core/notebook";
import { katibExperiment } from "../../core/tuning/katibManifest";
import type { Experiment } from "../../core/tuning/types";
import type { KubeConnection } from "../../targets/kube/connection";
import { runPermissions, workloadServed } from "../../targets/kube/clusterRun";
import { httpStatus } from "../../targets/kube/kubeErrors";
import type { SessionContext } from "../context";
import { RunRecorder } from "../store/runStore";
import { prepareClusterRun } from "../targets/cluster/prepare";
import type { DetachableRequest, RunRequest } from "../targets/target";
import { ExperimentFollower } from "./clusterFollow";
import { fixedParams, loadExperiment, type FoundExperiment } from "./load";
import type { TuneRequest } from "./request";
import { describeExperiment, newRecord } from "./tune";

/** The label by which Katib's webhook puts its metrics collector beside a trial's container. */
export const INJECTION_LABEL = "katib.kubeflow.org/metrics-collector-injection";
/** Katib's names are at most 40 characters (its webhook says so). */
const EXPERIMENT_NAME_MAX = 40;

export type TuneClusterRequest = TuneRequest & RunRequest & DetachableRequest;

/**
 * `parity tune --target cluster`: the experiment as a Katib Experiment. Refused before anything is
 * built: the experiment read and checked, the user's permissions (Experiments, Trials, pods and
 * their logs), whether the cluster serves Katib's Experiment, and (the doctor, unless told not to)
 * whether Katib's metrics collector is injected in the namespace. Then the image is built and
 * pushed as for a cluster run, the Experiment created (its trials the run's Job, kept after they
 * end for their logs), and followed to its end (clusterFollow.ts). Ctrl-C deletes it; `detach`
 * leaves it running.
 */
export async function tuneOnCluster(
  context: SessionContext,
  request: TuneClusterRequest,
): Promise<RunResult> {
  let found: FoundExperiment | undefined;
  let params: string[] = [];
  const prepared = await prepareClusterRun(context, request, {
    permissions: (namespace) => [
      ...runPermissions("Experiment", namespace),
      ...["list", "watch"].map((verb) => ({ verb, group: "kubeflow.org", resource: "trials", namespace })),
    ],
    beforeBuild: async (job, cluster) => {
      found = await loadExperiment(context, job, request.experiment);
      params = fixedParams(found.experiment, request.params);
      request.print(describeExperiment(found.experiment));
      await requireKatib(cluster);
      if (!request.noDoctor) await requireCollector(cluster, found.experiment);
    },
  });
  const { experiment } = found!;
  const { cluster, job, runId } = prepared;
  const namespace = cluster.target.namespace;
  const name = experimentName(experiment.name, runId);
  const manifest = katibExperiment({
    experiment,
    name,
    namespace,
    job: prepared.spec.workload,
    parameters: job.notebook.parameters,
    fixed: encodeParameterOverrides(params, job.notebook.parameters),
    labels: parityLabels(job.profile.name, runId),
  });
  // Katib deletes a trial's Job when it ends unless told to keep it: its pod and log would go too.
  (manifest as { spec: { trialTemplate: { retain?: boolean } } }).spec.trialTemplate.retain = true;
  const recorder = await RunRecorder.create(job.workspaceDir, runId);
  try {
    const follower = new ExperimentFollower(
      cluster,
      job.workspaceDir,
      {
        runId,
        kind: "experiment",
        target: "cluster",
        status: "pending",
        exitCode: null,
        oomKilled: false,
        image: prepared.delivery.reference,
        notebook: job.notebookFile,
        startedAt: new Date().toISOString(),
        memoryLimitBytes: job.profile.limits.memoryBytes,
        cluster: {
          context: cluster.target.context,
          server: cluster.target.server,
          namespace,
          kind: "Experiment",
          apiVersion: workloadResource("Experiment").apiVersion,
          name,
          imageDelivery: prepared.delivery.action,
        },
        experiment: newRecord(found!, params),
        diagnosis: [],
      },
      experiment.spec.objective,
      recorder,
      {
        print: request.print,
        onStart: (run) => request.onStart?.({ ...run, experiment }),
        onTrial: request.onTrial,
        onLog: request.onLog,
      },
      { cancel: context.signal, detach: request.detach },
    );
    return await follower.submit(manifest);
  } finally {
    await recorder.release();
  }
}

/** The Experiment's name: the experiment's, with the run's unique end, within Katib's 40 characters. */
export function experimentName(name: string, runId: string): string {
  const tail = runId.slice(runId.lastIndexOf("-"));
  return `${name.slice(0, EXPERIMENT_NAME_MAX - tail.length).replace(/-+$/, "")}${tail}`;
}

/** Katib's Experiment is served by the cluster, or nothing could run it. */
async function requireKatib(cluster: KubeConnection): Promise<void> {
  if ((await workloadServed(cluster, "Experiment")) !== false) return;
  const { group, version } = workloadResource("Experiment");
  throw new ParityError(
    "KatibNotInstalled",
    `The cluster ${cluster.target.context} does not serve Katib's Experiment (${group}/${version}): Katib is not installed there. Nothing was built or submitted.`,
    {
      fix: "Install Katib on the cluster (or ask its admin to), or tune locally: parity tune without --target cluster.",
    },
  );
}

/**
 * The doctor's word on the cluster: Katib reads a trial's metrics through the collector its webhook
 * injects into pods of namespaces labelled for it. Without the label no trial would report its
 * objective (each would end "metrics unavailable" or never end).
 */
async function requireCollector(cluster: KubeConnection, experiment: Experiment): Promise<void> {
  const namespace = cluster.target.namespace;
  const read = await cluster.config
    .makeApiClient(CoreV1Api)
    .readNamespace({ name: namespace })
    .catch((error: unknown) => {
      if (httpStatus(error) === 403 || httpStatus(error) === 404) return undefined;
      throw error;
    });
  if (!read) return;
  if (read.metadata?.labels?.[INJECTION_LABEL] === "enabled") return;
  throw new ParityError(
    "KatibCollectorNotInjected",
    `Namespace ${namespace} lacks the label ${INJECTION_LABEL}=enabled, so Katib's webhook puts no metrics collector beside the trials: no trial of ${experiment.name} could report ${experiment.spec.objective.objectiveMetricName}. Nothing was built or submitted.`,
    {
      fix: `Label the namespace (kubectl label namespace ${namespace} ${INJECTION_LABEL}=enabled), or run with --no-doctor if its trials report their metrics another way.`,
    },
  );
}
