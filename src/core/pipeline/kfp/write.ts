import path from "node:path";
import { dump } from "js-yaml";
import type { JobLimits } from "../../job/types";
import {
  engineName,
  engineStepNames,
  STEP_ENTRY,
  stepArguments,
  typedParameters,
  usedParameters,
  type CompiledStepPlan,
  type TypedParameter,
} from "../compiled";
import type { Pipeline } from "../types";
import type { KfpParameterType } from "./types";

/** How one step runs in Parity's image, as a KFP container component. */
export type KfpStepPlan = CompiledStepPlan;

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

const ARTIFACT_TYPE = { schemaTitle: "system.Artifact", schemaVersion: "0.0.1" };
const KFP_TYPES: Record<TypedParameter["type"], KfpParameterType> = {
  string: "STRING",
  integer: "NUMBER_INTEGER",
  number: "NUMBER_DOUBLE",
  boolean: "BOOLEAN",
};

/**
 * A pipeline as KFP v2's PipelineSpec (the YAML kfp's compiler writes, which Kubeflow Pipelines
 * takes as an upload): one container component per step running its script in Parity's image,
 * its limits as the task's resources, its retries and caching option, the values it hands on as
 * artifacts (the pickled variables of a tagged notebook, the files of a pipeline.yaml) and the
 * pipeline's parameters as the pipeline's inputs.
 */
export function writeKfpPipeline(pipeline: Pipeline, plan: KfpPlan): KfpCompiled {
  const { typed: parameters, notes } = typedParameters(pipeline.parameters);
  const names = engineStepNames(pipeline.steps.map((step) => step.name));
  const engine = (name: string) => names.get(name) ?? name;
  const components: Record<string, unknown> = {};
  const executors: Record<string, unknown> = {};
  const tasks: Record<string, unknown> = {};
  for (const step of pipeline.steps) {
    const stepPlan = plan.steps.get(step.name);
    if (!stepPlan) throw new Error(`No plan for the step ${step.name}`);
    const used = usedParameters(stepPlan, parameters);
    const component = `comp-${engine(step.name)}`;
    const executor = `exec-${engine(step.name)}`;
    components[component] = {
      executorLabel: executor,
      inputDefinitions: nonEmpty({
        parameters: nonEmpty(
          Object.fromEntries(
            used.map((name) => [name, { parameterType: KFP_TYPES[parameters.get(name)!.type] }]),
          ),
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
        command: STEP_ENTRY,
        args: stepArguments(stepPlan, step, parameters, {
          parameter: (name) => `{{$.inputs.parameters['${name}']}}`,
          input: (name) => `{{$.inputs.artifacts['${name}'].path}}`,
          output: (name) => `{{$.outputs.artifacts['${name}'].path}}`,
        }),
        resources: resourcesOf({ ...plan.limits, ...step.limits }),
      },
    };
    tasks[engine(step.name)] = {
      taskInfo: { name: step.name },
      componentRef: { name: component },
      ...(step.after.length > 0 && { dependentTasks: step.after.map(engine).sort() }),
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
              { taskOutputArtifact: { producerTask: engine(input.from), outputArtifactKey: input.output } },
            ]),
          ),
        ),
      }),
    };
  }
  const spec = {
    components,
    deploymentSpec: { executors },
    pipelineInfo: { name: engineName(pipeline.name) },
    root: {
      dag: { tasks },
      ...(parameters.size > 0 && {
        inputDefinitions: {
          parameters: Object.fromEntries(
            [...parameters].map(([name, { type, value }]) => [
              name,
              { defaultValue: value, isOptional: true, parameterType: KFP_TYPES[type] },
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
    `# Name: ${engineName(pipeline.name)}`,
    `# Compiled by Parity from ${path.basename(pipeline.file)}: each step runs its script in ${plan.image}.`,
  ].join("\n");
  return { yaml: `${header}\n${dump(spec, { lineWidth: -1, noRefs: true, skipInvalid: true })}`, notes };
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

function nonEmpty<T extends Record<string, unknown>>(value: T): T | undefined {
  const kept = Object.fromEntries(
    Object.entries(value).filter(
      ([, each]) =>
        each !== undefined && (typeof each !== "object" || Object.keys(each as object).length > 0),
    ),
  );
  return Object.keys(kept).length > 0 ? (kept as T) : undefined;
}
