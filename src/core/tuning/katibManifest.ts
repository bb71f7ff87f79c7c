import type { KubernetesObject, V1Container, V1Job } from "@kubernetes/client-node";
import { ParityError } from "../errors";
import { compact } from "../manifests/compact";
import { convertValue, PARAMETERS_VARIABLE } from "../notebook/parameters";
import type { Parameter } from "../notebook/types";
import type { Experiment, MetricsCollector, SearchParameter } from "./types";

/** Katib's defaults for a batch/v1 Job trial (katib-config's trialResources), written out so no webhook is needed. */
const JOB_CONDITIONS = {
  successCondition: 'status.conditions.#(type=="Complete")#|#(status=="True")#',
  failureCondition: 'status.conditions.#(type=="Failed")#|#(status=="True")#',
};

export interface KatibExperimentInput {
  experiment: Experiment;
  name: string;
  namespace: string;
  /** The job a cluster run of the notebook would submit (buildWorkload), with its fixed parameters. */
  job: KubernetesObject;
  /** The notebook's parameters cell: how each value must reach it. */
  parameters: Parameter[];
  /** `-p` values of the parameters the experiment does not search, as JSON entries (encodeParameterOverrides). */
  fixed: string[];
  labels: Record<string, string>;
}

/**
 * The Katib v1beta1 Experiment that runs the notebook's trials on a cluster: the spec as read
 * (Katib's defaults written out), and as trialTemplate the same Job a cluster run submits, its
 * parameters JSON holding `${trialParameters.<name>}` where each trial's value goes. Katib puts
 * each value in as text, so a value is quoted where the notebook's default is a string (or the
 * choices are words), and left bare where it is a number; choices that JSON could not carry
 * either way are refused, naming the parameter.
 */
export function katibExperiment(input: KatibExperimentInput): KubernetesObject {
  const { experiment } = input;
  const { spec } = experiment;
  if (input.job.kind !== "Job") {
    throw new ParityError(
      "ExperimentWorkloadUnsupported",
      `The profile runs the notebook as a ${input.job.kind} (cluster.distributed); Parity generates Katib trials as Jobs only so far.`,
      {
        fix: "Tune with a profile without cluster.distributed, or write the Experiment's trialTemplate by hand.",
      },
    );
  }
  const trialSpec = withParametersTemplate(input.job as V1Job, parametersTemplate(input));
  const { name: _name, namespace: _namespace, ...metadata } = trialSpec.metadata ?? {};
  return compact({
    apiVersion: "kubeflow.org/v1beta1",
    kind: "Experiment",
    metadata: { name: input.name, namespace: input.namespace, labels: input.labels },
    spec: {
      objective: {
        type: spec.objective.type,
        goal: spec.objective.goal,
        objectiveMetricName: spec.objective.objectiveMetricName,
        additionalMetricNames:
          spec.objective.additionalMetricNames.length > 0 ? spec.objective.additionalMetricNames : undefined,
        metricStrategies: spec.objective.metricStrategies,
      },
      algorithm: {
        algorithmName: spec.algorithm.algorithmName,
        algorithmSettings:
          spec.algorithm.algorithmSettings.length > 0 ? spec.algorithm.algorithmSettings : undefined,
      },
      earlyStopping: spec.earlyStopping,
      parallelTrialCount: spec.parallelTrialCount,
      maxTrialCount: spec.maxTrialCount,
      maxFailedTrialCount: spec.maxFailedTrialCount,
      metricsCollectorSpec: collectorSpec(spec.metricsCollector),
      parameters: spec.parameters.map((parameter) => ({
        name: parameter.name,
        parameterType: parameter.parameterType,
        feasibleSpace: parameter.feasibleSpace,
      })),
      trialTemplate: {
        primaryContainerName: trialSpec.spec?.template.spec?.containers[0]?.name,
        ...JOB_CONDITIONS,
        trialParameters: spec.parameters.map((parameter) => ({
          name: parameter.name,
          reference: parameter.name,
          description: `The notebook's parameter ${parameter.name}`,
        })),
        trialSpec: { ...trialSpec, metadata },
      },
    },
  });
}

function collectorSpec(collector: MetricsCollector): Record<string, unknown> {
  const filter = collector.filters.length > 0 ? { metricsFormat: collector.filters } : undefined;
  if (collector.kind === "StdOut") return { collector: { kind: "StdOut" }, source: { filter } };
  return {
    collector: { kind: "File" },
    source: { fileSystemPath: { path: collector.path, kind: "File", format: collector.format }, filter },
  };
}

/** The parameters JSON with the trial's values as Katib's placeholders: `{"lr": ${trialParameters.lr}, ...}`. */
function parametersTemplate(input: KatibExperimentInput): string {
  const entries = [...input.fixed];
  for (const parameter of input.experiment.spec.parameters) {
    const placeholder = `\${trialParameters.${parameter.name}}`;
    const quoted = quoteValue(
      parameter,
      input.parameters.find((each) => each.name === parameter.name),
      input.experiment,
    );
    entries.push(`${JSON.stringify(parameter.name)}:${quoted ? `"${placeholder}"` : placeholder}`);
  }
  return `{${entries.join(",")}}`;
}

/** Whether the trial's value goes into the JSON quoted (text) or bare (a number). */
function quoteValue(
  parameter: SearchParameter,
  notebook: Parameter | undefined,
  experiment: Experiment,
): boolean {
  const choices = parameter.feasibleSpace.list;
  const stringDefault = notebook?.kind === "string";
  if (!choices) return stringDefault;
  const unsafe = choices.find((choice) =>
    [...choice].some((char) => char === '"' || char === "\\" || char < " "),
  );
  const converted = choices.map((choice) => convertValue(choice));
  const numbers = converted.every((value) => typeof value === "number");
  const words = converted.every((value) => typeof value === "string");
  if (!unsafe && (stringDefault || words)) return true;
  if (!unsafe && numbers) return false;
  const index = experiment.spec.parameters.indexOf(parameter);
  throw new ParityError(
    "ExperimentChoiceUnsupported",
    unsafe !== undefined
      ? `The choice ${JSON.stringify(unsafe)} of ${parameter.name} holds a quote, a backslash or a control character, which Katib would put into the trial's parameters JSON as it is.`
      : `The choices of ${parameter.name} (${choices.join(", ")}) mix numbers, words, True/False or None, so one JSON form cannot carry them all to the notebook on the cluster.`,
    {
      location: {
        file: experiment.file,
        line: experiment.lineOf(["parameters", index, "feasibleSpace", "list"]),
      },
      fix:
        unsafe !== undefined
          ? "Use choices without quotes, backslashes or control characters."
          : `Make the choices all numbers or all words, or give ${parameter.name} a string default in the parameters cell so that every choice arrives as text.`,
    },
  );
}

function withParametersTemplate(job: V1Job, template: string): V1Job {
  const podSpec = job.spec?.template.spec;
  const containers = (podSpec?.containers ?? []).map((container): V1Container => ({
    ...container,
    env: [
      ...(container.env ?? []).filter((variable) => variable.name !== PARAMETERS_VARIABLE),
      { name: PARAMETERS_VARIABLE, value: template },
    ],
  }));
  return {
    ...job,
    spec: { ...job.spec!, template: { ...job.spec!.template, spec: { ...podSpec!, containers } } },
  };
}
