import type { KubernetesObject } from "@kubernetes/client-node";
import { labelValue, RUN_LABEL } from "../../core/manifests";

interface Metadata {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
type WithMetadata = { metadata?: Metadata };

/**
 * The workload to create, carrying this run's label on itself and on every pod template (a Job's
 * template, each replica's of a PyTorchJob or TFJob), so the run's pods are found by that label
 * whatever run id the manifest was built with. The input is not changed.
 */
export function workloadForRun(workload: KubernetesObject, runId: string): KubernetesObject {
  const copy = structuredClone(workload) as KubernetesObject & { spec?: Record<string, unknown> };
  const label = { [RUN_LABEL]: labelValue(runId) };
  copy.metadata = { ...copy.metadata, labels: { ...copy.metadata?.labels, ...label } };
  for (const template of podTemplates(copy)) {
    const metadata = (template.metadata ??= {});
    metadata.labels = { ...metadata.labels, ...label };
  }
  return copy;
}

function podTemplates(workload: KubernetesObject & { spec?: Record<string, unknown> }): WithMetadata[] {
  const spec = workload.spec ?? {};
  if (workload.kind === "Job") return spec.template ? [spec.template as WithMetadata] : [];
  const replicas = (spec.pytorchReplicaSpecs ?? spec.tfReplicaSpecs ?? {}) as Record<
    string,
    { template?: WithMetadata }
  >;
  return Object.values(replicas).flatMap((replica) => (replica.template ? [replica.template] : []));
}
