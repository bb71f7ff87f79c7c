import { readFile } from "node:fs/promises";
import path from "node:path";
import { JOB_DIR } from "../../../core/build/dockerfile";
import { ParityError } from "../../../core/errors";
import type { NotebookJob, Parameter, ParameterValue } from "../../../core/notebook/types";
import { kindOf, parseParameterOverrides } from "../../../core/notebook/parameters";
import { fileStepScript, STEP_ENV } from "../../../core/pipeline/stepScripts";
import type { Pipeline, PipelineStep } from "../../../core/pipeline/types";
import { errorLocation } from "../../../core/pipeline/validate";
import { parsePipelineYaml } from "../../../core/pipeline/yamlFormat";
import { explainTracebackOf, jobSpecFor, loadJob, resolveProfileFor } from "../../job/load";
import { build, hostFoldersFor, imageId } from "../../job/session";
import { pathDigest } from "../../store/stepCache";
import { requireStepFiles } from "../check";
import { stepScriptPath } from "../load";
import type { PipelineSource, Produced, StepFormat } from "./format";

/** Where the notebook runtime reads `-p` overrides of a notebook's parameters cell. */
const PARAMETERS_VARIABLE = "PARITY_PARAMETERS";

/**
 * Parity's pipeline.yaml: each step runs a whole notebook or script of the project, all of them
 * in one image (the profile's requirements on its base). A step reads the files it takes from the
 * steps before it at `parity_inputs[name]` and writes those it hands on at `parity_outputs[name]`;
 * the pipeline's parameters are its globals, and they override the same names of a notebook's
 * parameters cell.
 */
export const pipelineYamlSource: PipelineSource = {
  reads: (file) => /\.ya?ml$/i.test(file),

  async prepare(context, request, connection) {
    const pipeline = parsePipelineYaml(request.text, request.file);
    await requireStepFiles(pipeline);
    const values = parameterValues(pipeline, request.params);
    const scripts = new Map<string, { file: string; job: NotebookJob }>();
    for (const step of pipeline.steps) {
      const file = notebookOf(step);
      scripts.set(step.name, { file, job: fileStepScript(await readFile(file, "utf8"), file) });
    }
    refusePipLines(pipeline, scripts);
    // The profile is pipeline.yaml's (the nearest parity.yaml above it), whichever step's folder.
    const profile = await resolveProfileFor(path.dirname(request.file), {
      profileFile: request.profile,
      cwd: context.cwd,
      env: context.env,
    });
    const first = notebookOf(pipeline.steps[0]!);
    const job = await loadJob(first, {
      profileFile: profile.file,
      cwd: context.cwd,
      env: context.env,
      baseImageId: (base) => imageId(connection, base),
      jobFiles: [...scripts].map(([name, script]) => ({
        path: stepScriptPath(name),
        content: script.job.script,
      })),
    });
    const folders = await hostFoldersFor(job);
    for (const note of folders.notes) request.print(note);
    const built = await build(context, connection, job, Boolean(request.verbose), request.print);
    return {
      pipeline,
      format: fileFormat(scripts, values, built.imageId, built.tag, job.workspaceDir),
      base: { ...jobSpecFor(job, built.tag), name: pipeline.name },
      folders,
      image: built.tag,
      images: [built.tag],
      profileName: job.profile.name,
      cluster: job.profile.profile.cluster,
      registry: job.profile.profile.image.registry,
    };
  },
};

function notebookOf(step: PipelineStep): string {
  if (step.code.kind !== "notebook") throw new Error(`${step.name} runs no notebook`);
  return step.code.notebookFile;
}

/**
 * `%pip install` lines make one notebook's image: a pipeline's steps share one, so their packages
 * belong in the profile's requirements.
 */
function refusePipLines(pipeline: Pipeline, scripts: Map<string, { file: string; job: NotebookJob }>): void {
  for (const step of pipeline.steps) {
    const script = scripts.get(step.name)!;
    if (script.job.requirements.length === 0) continue;
    throw new ParityError(
      "PipelineInvalid",
      `The step ${step.name}'s ${path.basename(script.file)} installs packages with %pip (${script.job.requirements.join(", ")}), but every step of a pipeline runs in one image.`,
      {
        fix: "Move those packages to the requirements file of the profile (image.requirements in parity.yaml) and remove the %pip lines.",
        location: errorLocation(step.location),
      },
    );
  }
}

/** Each parameter's value for this run: its default from pipeline.yaml, or `-p name=value` read as that default's kind. */
function parameterValues(pipeline: Pipeline, overrides: string[]): Record<string, ParameterValue> {
  const declared: Parameter[] = pipeline.parameters.map((parameter) => ({
    name: parameter.name,
    defaultSource: parameter.defaultSource ?? "",
    kind: kindOf(parameter.defaultSource ?? ""),
    cell: 0,
    line: parameter.location.line ?? 0,
  }));
  for (const override of overrides) {
    const name = override.slice(0, Math.max(override.indexOf("="), 0)).trim();
    if (name && !declared.some((parameter) => parameter.name === name)) {
      throw new ParityError(
        "PipelineParameterInvalid",
        `-p ${override} names no parameter of the pipeline ${pipeline.name}.`,
        {
          fix: `Give -p name=value with one of: ${declared.map((p) => p.name).join(", ") || "(the pipeline has none: add them under parameters: in pipeline.yaml)"}.`,
        },
      );
    }
  }
  const values: Record<string, ParameterValue> = {};
  for (const parameter of pipeline.parameters) {
    if (parameter.defaultValue !== undefined) values[parameter.name] = parameter.defaultValue;
  }
  return { ...values, ...parseParameterOverrides(overrides, declared) };
}

function fileFormat(
  scripts: Map<string, { file: string; job: NotebookJob }>,
  values: Record<string, ParameterValue>,
  imageIdentity: string,
  image: string,
  workspaceDir: string,
): StepFormat {
  const commandOf = (step: PipelineStep) => ["python", `${JOB_DIR}/${stepScriptPath(step.name)}`];
  const explainTraceback = (step: PipelineStep) => {
    const script = scripts.get(step.name)!;
    return explainTracebackOf(script.file, script.job.lineMap, commandOf(step)[1]!);
  };
  return {
    cacheKey: (step) => ({ image: imageIdentity, command: commandOf(step), parameters: values }),
    explainTraceback,

    command(step, inputs, place) {
      const command = commandOf(step);
      const script = scripts.get(step.name)!;
      // A notebook's parameters cell takes the pipeline's value of each name it declares.
      const own = Object.fromEntries(
        script.job.parameters.filter((p) => p.name in values).map((p) => [p.name, values[p.name]]),
      );
      return {
        image,
        command,
        workingDir: path.relative(workspaceDir, path.dirname(script.file)),
        env: {
          ...(Object.keys(own).length > 0 && { [PARAMETERS_VARIABLE]: JSON.stringify(own) }),
          [STEP_ENV.pipelineParameters]: JSON.stringify(values),
          [STEP_ENV.inputs]: JSON.stringify(
            Object.fromEntries(
              inputs.map((input) => [
                input.name,
                place.inContainer(path.join(input.produced.outputsDir, input.output)),
              ]),
            ),
          ),
          [STEP_ENV.outputsDir]: place.inContainer(place.outputsDir),
          [STEP_ENV.outputNames]: JSON.stringify(step.outputs),
        },
        explainTraceback: explainTraceback(step),
      };
    },

    kfpPlan: (step) => ({
      script: commandOf(step)[1]!,
      parameterNames: scripts.get(step.name)!.job.parameters.map((parameter) => parameter.name),
      allParameters: true,
    }),

    async produced(step, outputsDir): Promise<Produced> {
      const digests: Record<string, string> = {};
      for (const name of step.outputs) digests[name] = await pathDigest(path.join(outputsDir, name));
      return { outputsDir, digests, values: {}, metadata: {} };
    },
  };
}
