import path from "node:path";
import { dump } from "js-yaml";
import type { JobLimits } from "../../job/types";
import { kindOf } from "../../notebook/parameters";
import { STEP_ENV } from "../stepScripts";
import type { Pipeline, PipelineParameter } from "../types";
import type { KfpParameterType } from "./types";

/** How one step runs in Parity's image, as a KFP container component. */
export interface KfpStepPlan {
  /** The step's script in the image (absolute). */
  script: string;
  /** The pipeline parameters its parameters cell takes, overridden through PARITY_PARAMETERS. */
  parameterNames: string[];
  /** Whether it receives every pipeline parameter as a global (a pipeline.yaml step). */
  allParameters: boolean;
}

export interface KfpPlan {
  /** The image every step runs in (the one Parity built for the pipeline). */
  image: string;
  /** The profile's limits, which a step's own limits override. */
  limits: JobLimits;
  steps: Map<string, KfpStepPlan>;
}

/** What was compiled, and what could not be said in KFP's terms. */
export interface KfpCompiled {
  yaml: string;
  /** A sentence for each parameter KFP cannot pass (a list, None): the step keeps its own default. */
  notes: string[];
}

/** Where the runtime reads `-p` overrides of a notebook's parameters cell. */
const PARAMETERS_VARIABLE = "PARITY_PARAMETERS";
const ARTIFACT_TYPE = { schemaTitle: "system.Artifact", schemaVersion: "0.0.1" };
/** Sets the step's environment from its arguments, where KFP resolves placeholders, then runs its script. */
const ENTRY = `export ${PARAMETERS_VARIABLE}="$1" ${STEP_ENV.pipelineParameters}="$2" ${STEP_ENV.inputs}="$3" ${STEP_ENV.outputNames}="$4" ${STEP_ENV.outputFiles}="$5"; exec python "$0"`;

/**
 * A pipeline as KFP v2's PipelineSpec (the YAML kfp's compiler writes, which Kubeflow Pipelines
 * takes as an upload): one container component per step running its script in Parity's image,
 * its limits as the task's resources, its retries and caching option, the values it hands on as
 * artifacts (the pickled variables of a tagged notebook, the files of a pipeline.yaml) and the
 * pipeline's parameters as the pipeline's inputs.
 */
export function writeKfpPipeline(pipeline: Pipeline, plan: KfpPlan): KfpCompiled {
  const notes: string[] = [];
  const parameters = new Map<string, { type: KfpParameterType; value: unknown }>();
  for (const parameter of pipeline.parameters) {
    const typed = kfpParameter(parameter);
    if (typed) parameters.set(parameter.name, typed);
    else
      notes.push(
        `The parameter ${parameter.name} (${parameter.defaultSource ?? "no default"}) is not a string, number or boolean, which KFP passes: each step keeps its own default.`,
      );
  }
  const components: Record<string, unknown> = {};
  const executors: Record<string, unknown> = {};
  const tasks: Record<string, unknown> = {};
  for (const step of pipeline.steps) {
    const stepPlan = plan.steps.get(step.name);
    if (!stepPlan) throw new Error(`No plan for the step ${step.name}`);
    const used = [...parameters.keys()].filter(
      (name) => stepPlan.allParameters || stepPlan.parameterNames.includes(name),
    );
    const component = `comp-${step.name}`;
    const executor = `exec-${step.name}`;
    components[component] = {
      executorLabel: executor,
      inputDefinitions: nonEmpty({
        parameters: nonEmpty(
          Object.fromEntries(used.map((name) => [name, { parameterType: parameters.get(name)!.type }])),
        ),
        artifacts: nonEmpty(
          Object.fromEntries(step.inputs.map((input) => [input.name, { artifactType: ARTIFACT_TYPE }])),
        ),
      }),
      outputDefinitions: nonEmpty({
        artifacts: nonEmpty(
          Object.fromEntries(step.outputs.map((name) => [name, { artifactType: ARTIFACT_TYPE }])),
        ),
      }),
    };
    executors[executor] = {
      container: {
        image: plan.image,
        command: ["sh", "-c", ENTRY],
        args: [
          stepPlan.script,
          jsonTemplate(
            used.filter((name) => stepPlan.parameterNames.includes(name)),
            (name) => parameterPlaceholder(name, parameters.get(name)!.type),
          ),
          jsonTemplate(stepPlan.allParameters ? used : [], (name) =>
            parameterPlaceholder(name, parameters.get(name)!.type),
          ),
          jsonTemplate(
            step.inputs.map((input) => input.name),
            (name) => `"{{$.inputs.artifacts['${name}'].path}}"`,
          ),
          JSON.stringify(step.outputs),
          jsonTemplate(step.outputs, (name) => `"{{$.outputs.artifacts['${name}'].path}}"`),
        ],
        resources: resourcesOf({ ...plan.limits, ...step.limits }),
      },
    };
    tasks[step.name] = {
      taskInfo: { name: step.name },
      componentRef: { name: component },
      ...(step.after.length > 0 && { dependentTasks: [...step.after].sort() }),
      cachingOptions: step.cache ? { enableCache: true } : {},
      ...(step.retries > 0 && { retryPolicy: { maxRetryCount: step.retries } }),
      inputs: nonEmpty({
        parameters: nonEmpty(
          Object.fromEntries(used.map((name) => [name, { componentInputParameter: name }])),
        ),
        artifacts: nonEmpty(
          Object.fromEntries(
            step.inputs.map((input) => [
              input.name,
              { taskOutputArtifact: { producerTask: input.from, outputArtifactKey: input.output } },
            ]),
          ),
        ),
      }),
    };
  }
  const spec = {
    components,
    deploymentSpec: { executors },
    pipelineInfo: { name: kfpName(pipeline.name) },
    root: {
      dag: { tasks },
      ...(parameters.size > 0 && {
        inputDefinitions: {
          parameters: Object.fromEntries(
            [...parameters].map(([name, { type, value }]) => [
              name,
              { defaultValue: value, isOptional: true, parameterType: type },
            ]),
          ),
        },
      }),
    },
    schemaVersion: "2.1.0",
    sdkVersion: "parity",
  };
  const header = [
    "# PIPELINE DEFINITION",
    `# Name: ${kfpName(pipeline.name)}`,
    `# Compiled by Parity from ${path.basename(pipeline.file)}: each step runs its script in ${plan.image}.`,
  ].join("\n");
  return { yaml: `${header}\n${dump(spec, { lineWidth: -1, noRefs: true, skipInvalid: true })}`, notes };
}

/** KFP's parameter type and default for a pipeline parameter; undefined for what KFP cannot pass. */
function kfpParameter(parameter: PipelineParameter): { type: KfpParameterType; value: unknown } | undefined {
  const value =
    parameter.defaultValue !== undefined ? parameter.defaultValue : pythonValue(parameter.defaultSource);
  if (typeof value === "boolean") return { type: "BOOLEAN", value };
  if (typeof value === "number") {
    const integer = kindOf(parameter.defaultSource ?? "") === "int";
    return { type: integer ? "NUMBER_INTEGER" : "NUMBER_DOUBLE", value };
  }
  if (typeof value === "string") return { type: "STRING", value };
  return undefined;
}

/** A default written as Python source, where it is a plain literal (a number, a boolean, a simple string). */
function pythonValue(source: string | undefined): unknown {
  if (source === undefined) return undefined;
  const kind = kindOf(source);
  if (kind === "int" || kind === "float") return Number(source.replace(/_/g, ""));
  if (kind === "bool") return source === "True";
  const quoted = /^(['"])((?:(?!\1)[^\\]|\\.)*)\1$/.exec(source);
  if (kind === "string" && quoted) return quoted[2]!.replace(/\\(.)/g, "$1");
  return undefined;
}

/** A JSON object in which KFP puts each value (its placeholders), as one argument. */
function jsonTemplate(names: string[], value: (name: string) => string): string {
  return `{${names.map((name) => `${JSON.stringify(name)}: ${value(name)}`).join(", ")}}`;
}

/** A string parameter's value goes between quotes; a number's or a boolean's is JSON as KFP writes it. */
function parameterPlaceholder(name: string, type: KfpParameterType): string {
  const placeholder = `{{$.inputs.parameters['${name}']}}`;
  return type === "STRING" ? `"${placeholder}"` : placeholder;
}

/** The task's limits as kfp's compiler writes them: quantities, and the older numbers beside them. */
function resourcesOf(limits: JobLimits): Record<string, unknown> {
  const MiB = 1024 * 1024;
  const memory =
    limits.memoryBytes % MiB === 0 ? `${limits.memoryBytes / MiB}Mi` : String(limits.memoryBytes);
  const millicores = Math.round(limits.nanoCpus / 1e6);
  return {
    resourceMemoryLimit: memory,
    memoryLimit: limits.memoryBytes / 1e9,
    resourceCpuLimit: `${millicores}m`,
    cpuLimit: millicores / 1000,
    ...(limits.gpu > 0 && {
      accelerator: {
        resourceType: "nvidia.com/gpu",
        resourceCount: String(limits.gpu),
        type: "nvidia.com/gpu",
        count: limits.gpu,
      },
    }),
  };
}

/** KFP's pipeline names are lowercase words joined by '-'. */
function kfpName(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "pipeline"
  );
}

function nonEmpty<T extends Record<string, unknown>>(value: T): T | undefined {
  const kept = Object.fromEntries(
    Object.entries(value).filter(
      ([, each]) =>
        each !== undefined && (typeof each !== "object" || Object.keys(each as object).length > 0),
    ),
  );
  return Object.keys(kept).length > 0 ? (kept as T) : undefined;
}
