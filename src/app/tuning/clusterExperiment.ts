import { parityLabels } from "../../core/manifests/labels";
import { renderManifest } from "../../core/manifests";
import { encodeParameterOverrides } from "../../core/notebook";
import { katibExperiment } from "../../core/tuning/katibManifest";
import type { SessionContext } from "../context";
import { plannedWorkload } from "../targets/cluster/prepare";
import type { RunRequest } from "../targets/target";
import { fixedParams, loadExperiment } from "./load";

export interface ExperimentManifestRequest extends RunRequest {
  experiment?: string;
}

/**
 * `parity tune --target cluster --dry-run`: the Katib Experiment that would be submitted, as plain
 * YAML, its trials the same Job a cluster run of the notebook submits. Nothing is built, pushed or
 * created; the cluster is asked only for the namespace.
 */
export async function experimentManifest(
  context: SessionContext,
  request: ExperimentManifestRequest,
): Promise<{ yaml: string; namespace: string; context: string }> {
  const { workload, job, target } = await plannedWorkload(context, request);
  const { experiment } = await loadExperiment(context, job, request.experiment);
  const params = fixedParams(experiment, request.params);
  const manifest = katibExperiment({
    experiment,
    name: experiment.name,
    namespace: target.namespace,
    job: workload,
    parameters: job.notebook.parameters,
    fixed: encodeParameterOverrides(params, job.notebook.parameters),
    labels: parityLabels(job.profile.name),
  });
  return { yaml: renderManifest([manifest]), namespace: target.namespace, context: target.context };
}
