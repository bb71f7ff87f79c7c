import path from "node:path";
import { dump } from "js-yaml";
import { ParityError } from "../../errors";
import type { JobLimits } from "../../job/types";
import type { Toleration } from "../../profile/types";
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
import { ancestorsOf, descendantsOf } from "../graph";
import type { Pipeline, PipelineStep } from "../types";

/** What a step's container is told of the Workflow it runs in. */
export interface ArgoPlace {
  /** The pipeline's parameters Argo can pass, typed. */
  parameters: Map<string, TypedParameter>;
  /** Argo's placeholder for the value of a pipeline parameter the step takes. */
  parameter(name: string): string;
  /** The folder of a step's outputs on the run's volume, as its pod sees it. */
  outputsDir(stepName: string): string;
}

/** The container a step runs, and which of the pipeline's parameters it takes. */
export interface ArgoContainer {
  image: string;
  command: string[];
  args: string[];
  env?: Record<string, string>;
  parameters: string[];
}

export interface ArgoPlan {
  /** What the steps run in, as the Workflow's header says it (Parity's image, or the tasks' images). */
  image: string;
  /** The profile's limits, which a step's own limits override. */
  limits: JobLimits;
  /** Each step's script in Parity's `image` (a tagged notebook, a pipeline.yaml)... */
  steps?: Map<string, CompiledStepPlan>;
  /** ...or each step's own container (a kfp-compiled pipeline's tasks). */
  container?(step: PipelineStep, place: ArgoPlace): ArgoContainer;
  nodeSelector: Record<string, string>;
  tolerations: Toleration[];
  /** The size of the volume the steps hand their values on through. */
  artifactsVolume?: string;
  /**
   * How the steps hand on their files: one volume the run claims (the default), or the artifact
   * repository the cluster has configured for Argo (each step's outputs folder an artifact, put in
   * place in the pods of the steps that read it).
   */
  artifacts?: "volume" | "repository";
  /** The Workflow's own name (else a name generated from the pipeline's). */
  name?: string;
  /** Labels on the Workflow and every step's pod (a run's id, so its pods are found). */
  labels?: Record<string, string>;
}

export interface ArgoCompiled {
  yaml: string;
  workflow: Record<string, unknown>;
  notes: string[];
}

/** Where every step mounts the run's volume; a step's outputs are under its own folder there. */
export const ARTIFACTS_MOUNT = "/parity-artifacts";
const ARTIFACTS_VOLUME = "parity-artifacts";
const ENTRYPOINT = "pipeline";
/** The artifact a step's outputs folder is, through the repository. */
const OUTPUTS_ARTIFACT = "outputs";

/**
 * A pipeline as an Argo Workflow: a DAG template whose tasks are the steps (their edges as
 * dependencies), each a container template running its script in Parity's image with its limits as
 * both requests and limits (Parity's rule for everything it creates on a cluster), the profile's
 * node selector and tolerations, its retries; the values steps hand on are files on one volume the
 * Workflow claims for the run (`volumeClaimTemplates`), the pipeline's parameters the Workflow's
 * arguments.
 */
export function writeArgoWorkflow(pipeline: Pipeline, plan: ArgoPlan): ArgoCompiled {
  const { typed: parameters, notes } = typedParameters(pipeline.parameters);
  const names = engineStepNames(pipeline.steps.map((step) => step.name));
  const clash = pipeline.steps.find((step) => names.get(step.name) === ENTRYPOINT);
  if (clash) {
    throw new ParityError(
      "CompileNameClash",
      `The step ${clash.name} has the name of the Workflow's own DAG template (${ENTRYPOINT}).`,
      { fix: `Rename the step (its step:${clash.name} tag or name).`, location: clash.location },
    );
  }
  for (const [parameter, { value }] of parameters) {
    if (typeof value === "string" && value.includes("{{")) {
      throw new ParityError(
        "CompileArgoExpression",
        `The parameter ${parameter}'s default holds "{{", which Argo would read as one of its own expressions.`,
        { fix: `Give ${parameter} a default without "{{".` },
      );
    }
  }
  const engine = (stepName: string) => names.get(stepName) ?? stepName;
  const name = engineName(pipeline.name);
  const templates: Record<string, unknown>[] = [];
  const tasks: Record<string, unknown>[] = [];
  const repository = plan.artifacts === "repository";
  const place: ArgoPlace = {
    parameters,
    parameter: (parameter) => `{{inputs.parameters.${parameter}}}`,
    // Through the repository each pod has its own folder; on the shared volume each run has one.
    outputsDir: (stepName) =>
      repository ? `${ARTIFACTS_MOUNT}/${stepName}` : `${ARTIFACTS_MOUNT}/{{workflow.name}}/${stepName}`,
  };
  const producersOf = (step: PipelineStep) => [...new Set(step.inputs.map((input) => input.from))].sort();
  const read = new Set(pipeline.steps.flatMap(producersOf));
  const containerOf = plan.container ?? ((step: PipelineStep) => scriptContainer(plan, step, place));
  for (const step of pipeline.steps) {
    const container = containerOf(step, place);
    const used = container.parameters;
    const limits = quantities({ ...plan.limits, ...step.limits });
    const env = Object.entries(container.env ?? {}).map(([envName, value]) => ({ name: envName, value }));
    const producers = repository ? producersOf(step) : [];
    const inputs = {
      ...(used.length > 0 && { parameters: used.map((parameter) => ({ name: parameter })) }),
      ...(producers.length > 0 && {
        artifacts: producers.map((from) => ({ name: `from-${engine(from)}`, path: place.outputsDir(from) })),
      }),
    };
    templates.push({
      name: engine(step.name),
      ...(Object.keys(inputs).length > 0 && { inputs }),
      ...(repository &&
        read.has(step.name) && {
          outputs: { artifacts: [{ name: OUTPUTS_ARTIFACT, path: place.outputsDir(step.name) }] },
        }),
      ...(step.retries > 0 && { retryStrategy: { limit: String(step.retries) } }),
      ...(Object.keys(plan.nodeSelector).length > 0 && { nodeSelector: plan.nodeSelector }),
      ...(plan.tolerations.length > 0 && { tolerations: plan.tolerations }),
      metadata: { labels: { ...plan.labels, "parity.dev/pipeline": name, "parity.dev/step": step.name } },
      container: {
        image: container.image,
        command: container.command,
        args: container.args,
        ...(env.length > 0 && { env }),
        resources: { requests: limits, limits },
        volumeMounts: [{ name: ARTIFACTS_VOLUME, mountPath: ARTIFACTS_MOUNT }],
      },
    });
    tasks.push({
      name: engine(step.name),
      template: engine(step.name),
      ...(step.after.length > 0 && { dependencies: step.after.map(engine).sort() }),
      ...((used.length > 0 || producers.length > 0) && {
        arguments: {
          ...(used.length > 0 && {
            parameters: used.map((parameter) => ({
              name: parameter,
              value: `{{workflow.parameters.${parameter}}}`,
            })),
          }),
          ...(producers.length > 0 && {
            artifacts: producers.map((from) => ({
              name: `from-${engine(from)}`,
              from: `{{tasks.${engine(from)}.outputs.artifacts.${OUTPUTS_ARTIFACT}}}`,
            })),
          }),
        },
      }),
    });
  }
  const workflow = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: {
      ...(plan.name ? { name: plan.name } : { generateName: `${name}-` }),
      labels: { ...plan.labels, "parity.dev/pipeline": name },
      annotations: { "parity.dev/source": path.basename(pipeline.file) },
    },
    spec: {
      entrypoint: ENTRYPOINT,
      ...(parameters.size > 0 && {
        arguments: {
          parameters: [...parameters].map(([parameter, { value }]) => ({
            name: parameter,
            value: String(value),
          })),
        },
      }),
      // Through the repository, each pod writes its outputs to a folder of its own.
      ...(repository
        ? { volumes: [{ name: ARTIFACTS_VOLUME, emptyDir: {} }] }
        : {
            volumeClaimTemplates: [
              {
                metadata: { name: ARTIFACTS_VOLUME },
                spec: {
                  accessModes: ["ReadWriteOnce"],
                  resources: { requests: { storage: plan.artifactsVolume ?? "1Gi" } },
                },
              },
            ],
          }),
      templates: [{ name: ENTRYPOINT, dag: { tasks } }, ...templates],
    },
  };
  // Steps that may run at once share one ReadWriteOnce volume: their pods must land on one node.
  const sideBySide = pipeline.steps.some((one) => {
    const related = new Set([
      one.name,
      ...ancestorsOf(pipeline, one.name),
      ...descendantsOf(pipeline, one.name),
    ]);
    return pipeline.steps.some((other) => !related.has(other.name));
  });
  if (sideBySide && !repository) {
    notes.push(
      `Steps that run side by side share the run's volume (ReadWriteOnce): on a cluster with several nodes their pods must land on one, or the volume needs a storage class that allows ReadWriteMany.`,
    );
  }
  const runs = plan.container ? `runs in ${plan.image}` : `runs its script in ${plan.image}`;
  const header = `# An Argo Workflow compiled by Parity from ${path.basename(pipeline.file)}: each step ${runs}.\n`;
  return { yaml: `${header}${dump(workflow, { lineWidth: -1, noRefs: true })}`, workflow, notes };
}

/** A step that runs its script in Parity's image (STEP_ENTRY), its values handed on as files on the run's volume. */
function scriptContainer(plan: ArgoPlan, step: PipelineStep, place: ArgoPlace): ArgoContainer {
  const stepPlan = plan.steps?.get(step.name);
  if (!stepPlan) throw new Error(`No plan for the step ${step.name}`);
  return {
    image: plan.image,
    command: STEP_ENTRY,
    args: stepArguments(stepPlan, step, place.parameters, {
      parameter: place.parameter,
      input: (input) => {
        const from = step.inputs.find((each) => each.name === input)!;
        return `${place.outputsDir(from.from)}/${from.output}`;
      },
      output: (output) => `${place.outputsDir(step.name)}/${output}`,
    }),
    parameters: usedParameters(stepPlan, place.parameters),
  };
}

/** Kubernetes quantities of a step's limits: memory in bytes (Mi where whole), CPU in millicores, GPUs. */
function quantities(limits: JobLimits): Record<string, string> {
  const MiB = 1024 * 1024;
  return {
    memory: limits.memoryBytes % MiB === 0 ? `${limits.memoryBytes / MiB}Mi` : String(limits.memoryBytes),
    cpu: `${Math.round(limits.nanoCpus / 1e6)}m`,
    ...(limits.gpu > 0 && { "nvidia.com/gpu": String(limits.gpu) }),
  };
}
