import type { ClusterWorkloadKind } from "../job/types";

/** Pod names append "-worker-12" or the Job controller's "-abcde": leave room under 63. */
const NAME_MAX = 52;
/** A run id's unique end: "-20261129-111015-936e" (date, time, random part). */
const UNIQUE_TAIL = 21;

/**
 * A name for a workload from a notebook or run id: lower-case letters, digits and "-", starting
 * with a letter (the Training Operator names Services after it, and Service names must).
 */
export function jobNameFor(text: string): string {
  const slug = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^[^a-z]+/, "");
  // A long name keeps its start and its unique end, so two runs of one notebook never share a name.
  const name =
    slug.length <= NAME_MAX
      ? slug
      : `${slug.slice(0, NAME_MAX - UNIQUE_TAIL).replace(/-+$/, "")}${slug.slice(-UNIQUE_TAIL)}`;
  return name.replace(/-+$/, "") || "parity-run";
}

export interface WorkloadResource {
  group: string;
  version: string;
  plural: string;
  apiVersion: string;
}

const RESOURCES: Record<ClusterWorkloadKind, WorkloadResource> = {
  Job: { group: "batch", version: "v1", plural: "jobs", apiVersion: "batch/v1" },
  PyTorchJob: { group: "kubeflow.org", version: "v1", plural: "pytorchjobs", apiVersion: "kubeflow.org/v1" },
  TFJob: { group: "kubeflow.org", version: "v1", plural: "tfjobs", apiVersion: "kubeflow.org/v1" },
  Workflow: {
    group: "argoproj.io",
    version: "v1alpha1",
    plural: "workflows",
    apiVersion: "argoproj.io/v1alpha1",
  },
  Experiment: {
    group: "kubeflow.org",
    version: "v1beta1",
    plural: "experiments",
    apiVersion: "kubeflow.org/v1beta1",
  },
  InferenceService: {
    group: "serving.kserve.io",
    version: "v1beta1",
    plural: "inferenceservices",
    apiVersion: "serving.kserve.io/v1beta1",
  },
};

export function workloadResource(kind: ClusterWorkloadKind): WorkloadResource {
  return RESOURCES[kind];
}
