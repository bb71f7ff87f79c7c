import type { KubernetesObject, V1PodTemplateSpec } from "@kubernetes/client-node";
import type { ClusterWorkloadKind, JobLimits } from "../job/types";
import type { ClusterSpec, DistributedKind } from "../profile/types";
import { compact } from "./compact";
import { parityAnnotations, parityLabels } from "./labels";
import { workloadResource } from "./names";
import { podTemplate, type PodLimits } from "./podTemplate";

export interface ManifestInput {
  /** A DNS-1123 name of at most 52 characters (pod names append to it): see jobNameFor. */
  name: string;
  namespace: string;
  image: string;
  command: string[];
  env: Record<string, string>;
  /** Inside the container. */
  workingDir: string;
  limits: JobLimits;
  profileName: string;
  runId?: string;
  /** Relative to the workspace. */
  notebook: string;
  cluster: ClusterSpec;
}

/** Per kind: the spec field holding the replicas, the first replica's type and the container name the operator expects. */
const KUBEFLOW: Record<DistributedKind, { replicaSpecs: string; leader: string; container: string }> = {
  PyTorchJob: { replicaSpecs: "pytorchReplicaSpecs", leader: "Master", container: "pytorch" },
  TFJob: { replicaSpecs: "tfReplicaSpecs", leader: "Chief", container: "tensorflow" },
};

/**
 * The object to create for a run: a batch/v1 Job, or with cluster.distributed a Kubeflow
 * PyTorchJob/TFJob whose master or chief has the profile's limits and whose workers have theirs.
 * Nothing retries (backoffLimit 0, restartPolicy Never): a failure is the result. Finished pods
 * are kept (cleanPodPolicy None) for their logs and diagnosis.
 */
export function buildWorkload(input: ManifestInput): KubernetesObject {
  const distributed = input.cluster.distributed;
  const kind: ClusterWorkloadKind = distributed?.kind ?? "Job";
  const labels = parityLabels(input.profileName, input.runId);
  const annotations = parityAnnotations(input.notebook);
  const template = (containerName: string, limits: PodLimits): V1PodTemplateSpec =>
    podTemplate({ ...input, containerName, limits, labels, annotations });
  const leaderLimits: PodLimits = { ...input.limits, milliCpu: Math.ceil(input.limits.nanoCpus / 1e6) };
  const metadata = { name: input.name, namespace: input.namespace, labels, annotations };
  const { apiVersion } = workloadResource(kind);

  if (!distributed) {
    return compact({
      apiVersion,
      kind,
      metadata,
      spec: { backoffLimit: 0, template: template("main", leaderLimits) },
    });
  }
  const { replicaSpecs, leader, container } = KUBEFLOW[distributed.kind];
  const replica = (replicas: number, limits: PodLimits) => ({
    replicas,
    restartPolicy: "Never",
    template: template(container, limits),
  });
  return compact({
    apiVersion,
    kind,
    metadata,
    spec: {
      runPolicy: { cleanPodPolicy: "None", backoffLimit: 0 },
      [replicaSpecs]: {
        [leader]: replica(1, leaderLimits),
        Worker: replica(distributed.workers, distributed.workerLimits),
      },
    },
  });
}
