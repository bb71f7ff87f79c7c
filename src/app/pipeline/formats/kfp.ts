import { readFile } from "node:fs/promises";
import path from "node:path";
import { planKfpImage } from "../../../core/build/kfpImage";
import { ParityError } from "../../../core/errors";
import { parseYamlDocument } from "../../../core/yaml/document";
import {
  EXECUTOR_OUTPUT_FILE,
  executorInput,
  parameterValue,
  resolvePlaceholders,
  taskOutputs,
  type TaskInputs,
} from "../../../core/pipeline/kfp/executor";
import { kfpArgoContainer } from "../../../core/pipeline/kfp/argo";
import { isKfpPipelineSpec, readKfpPipeline } from "../../../core/pipeline/kfp/read";
import type { KfpTask } from "../../../core/pipeline/kfp/types";
import type { Pipeline, PipelineStep } from "../../../core/pipeline/types";
import { envProblems } from "../../../core/job/envLimits";
import { buildImage } from "../../../targets/docker/buildImage";
import type { DockerConnection } from "../../../targets/docker/connection";
import type { Print, SessionContext } from "../../context";
import { readCaBundle, resolveProfileFor } from "../../job/load";
import { hostFoldersFor } from "../../job/session";
import { pathDigest, sha256 } from "../../store/stepCache";
import type { PipelineSource, Produced, ResolvedInput, StepFormat } from "./format";

/**
 * A pipeline compiled by kfp: each task runs its executor's container as written, in its own
 * image (a lightweight component's image gets, once, what its command installs as it starts), with
 * KFP's ExecutorInput and placeholders resolved as KFP's backend resolves them, under the limits
 * the task sets (else the profile's). Parameters pass as values, artifacts as files in the
 * producing step's outputs folder.
 */
export const kfpSource: PipelineSource = {
  reads(file, text) {
    if (!/\.ya?ml$/i.test(file)) return false;
    try {
      return isKfpPipelineSpec(parseYamlDocument(text, file, "pipeline", { firstOfMany: true }).value);
    } catch {
      return false;
    }
  },

  async prepare(context, request, connection) {
    const pipeline = readKfpPipeline(request.text, request.file);
    const parameters = pipelineParameters(pipeline, request.params);
    const profile = await resolveProfileFor(path.dirname(request.file), {
      profileFile: request.profile,
      cwd: context.cwd,
      env: context.env,
    });
    const [problem] = envProblems(profile.profile.env, (name) => `env.${name}`);
    if (problem) throw new ParityError("EnvTooLarge", problem.message, { fix: problem.fix });
    const folders = await hostFoldersFor({ workspaceDir: profile.dir, profile });
    for (const note of folders.notes) request.print(note);
    const { images, entrypoints } = await taskImages(
      context,
      pipeline,
      connection,
      request.print,
      await readCaBundle(profile, context.env),
    );
    const name = path.basename(request.file).replace(/\.ya?ml$/i, "");
    return {
      pipeline,
      format: kfpFormat(pipeline, parameters, images, entrypoints),
      base: {
        name,
        notebookFile: request.file,
        workspaceDir: profile.dir,
        workingDir: "",
        outputsDir: profile.paths.outputs,
        image: "",
        command: [],
        env: { ...profile.profile.env },
        limits: profile.limits,
      },
      folders,
      image: [...new Set(images.values())].join(", "),
      images: [...new Set(images.values())],
      cluster: profile.profile.cluster,
      registry: profile.profile.image.registry,
    };
  },
};

/** The pipeline's parameters: each declared one's default, with `-p name=value` read for its type. */
function pipelineParameters(pipeline: Pipeline, overrides: string[]): Record<string, unknown> {
  const declared = new Map(
    pipeline.steps.flatMap((step) =>
      step.code.kind === "kfp" ? Object.entries(step.code.task.parameterDefinitions) : [],
    ),
  );
  const values: Record<string, unknown> = {};
  for (const parameter of pipeline.parameters) {
    if (parameter.defaultSource !== undefined) values[parameter.name] = JSON.parse(parameter.defaultSource);
  }
  for (const override of overrides) {
    const at = override.indexOf("=");
    const name = at > 0 ? override.slice(0, at) : override;
    const parameter = pipeline.parameters.find((candidate) => candidate.name === name);
    if (at <= 0 || !parameter) {
      throw new ParityError(
        "PipelineParameterInvalid",
        `-p ${override} names no parameter of the pipeline ${pipeline.name}.`,
        {
          fix: `Give -p name=value with one of: ${pipeline.parameters.map((p) => p.name).join(", ") || "(the pipeline has none)"}.`,
        },
      );
    }
    const type = parameter.kfpType ?? declared.get(name)?.parameterType ?? "STRING";
    values[name] = parameterValue(override.slice(at + 1), type, `The parameter ${name}`);
  }
  return values;
}

/**
 * Each task's image on this engine: a container component's image as it is (it must be there:
 * nothing can be pulled here), a lightweight component's with what it installs, built once per
 * image and set of installs.
 */
async function taskImages(
  context: SessionContext,
  pipeline: Pipeline,
  connection: DockerConnection,
  print: Print,
  caBundle: string | undefined,
): Promise<{ images: Map<string, string>; entrypoints: Map<string, string[]> }> {
  const images = new Map<string, string>();
  const entrypoints = new Map<string, string[]>();
  const built = new Map<string, string>();
  // Tasks mostly share an image: each is asked of the engine once.
  const inspections = new Map<string, ReturnType<typeof inspect>>();
  const inspect = (image: string) =>
    connection.docker
      .getImage(image)
      .inspect()
      .catch(() => undefined);
  for (const step of pipeline.steps) {
    if (step.code.kind !== "kfp") continue;
    const task = step.code.task;
    if (!inspections.has(task.image)) inspections.set(task.image, inspect(task.image));
    const inspected = await inspections.get(task.image)!;
    if (!inspected) {
      throw new ParityError(
        "ImageNotFound",
        `The task ${task.name} runs in ${task.image}, which is not in the local Docker engine.`,
        {
          fix: `Pull or build ${task.image} into this engine (docker pull ${task.image}), then run the pipeline again.`,
          location: { file: pipeline.file, line: step.location.line },
        },
      );
    }
    // What the image runs by itself: a task that gives only arguments runs it (kept on a cluster too).
    const entrypoint = inspected.Config?.Entrypoint as string[] | string | null | undefined;
    entrypoints.set(step.name, typeof entrypoint === "string" ? [entrypoint] : (entrypoint ?? []));
    if (!task.pipInstalls || task.pipInstalls.every((args) => args.length === 0)) {
      images.set(step.name, task.image);
      continue;
    }
    const plan = planKfpImage({
      image: task.image,
      imageId: inspected.Id,
      user: inspected.Config?.User ?? "",
      pipInstalls: task.pipInstalls,
      caBundle,
    });
    let tag = built.get(plan.tag);
    if (!tag) {
      let started = false;
      const result = await buildImage({
        docker: connection.docker,
        plan,
        labels: { "dev.parity.kfp-image": task.image },
        signal: context.signal,
        onProgress: (progress) => {
          if (!started)
            print(`Building ${plan.tag}: ${task.image} with what ${task.name} installs as it starts ...`);
          started = true;
          if (progress.step) print(`  ${progress.line}`);
        },
      }).catch((error: unknown) => {
        throw installFailure(error, task, pipeline.file, step.location.line);
      });
      tag = result.tag;
      built.set(plan.tag, tag);
      print(
        result.upToDate
          ? `Image ${tag} (${task.image} with what ${task.name} installs) is up to date.`
          : `Built ${tag}: ${task.image} with ${task.pipInstalls
              .flat()
              .filter((arg) => !arg.startsWith("--"))
              .join(", ")}.`,
      );
    }
    images.set(step.name, tag);
  }
  return { images, entrypoints };
}

/** pip's refusal as what it means for the task: it would fail the same way in production. */
function installFailure(error: unknown, task: KfpTask, file: string, line: number | undefined): unknown {
  if (error instanceof ParityError && error.code === "PythonExternallyManaged") {
    return new ParityError(
      "KfpInstallRefused",
      `The task ${task.name}'s image ${task.image} refuses the packages its command installs as it starts (its Python is managed by the OS, PEP 668): in production the task fails the same way.`,
      {
        fix: "Give the component a base_image whose Python pip may install into (python:3.x, or your team's image with a virtual environment on its PATH).",
        location: { file, line },
        cause: error,
      },
    );
  }
  return error;
}

/** Artifacts whose content is their metadata: kfp's executor writes no file for them. */
const METRICS_ARTIFACTS = new Set([
  "system.Metrics",
  "system.ClassificationMetrics",
  "system.SlicedClassificationMetrics",
]);

function kfpFormat(
  pipeline: Pipeline,
  parameters: Record<string, unknown>,
  images: Map<string, string>,
  entrypoints: Map<string, string[]>,
): StepFormat {
  const taskOf = (step: PipelineStep): KfpTask => {
    if (step.code.kind !== "kfp") throw new Error(`${step.name} is not a KFP task`);
    return step.code.task;
  };
  /** The task's input parameters' values and its input artifacts as the container sees them. */
  const inputsOf = (
    task: KfpTask,
    inputs: ResolvedInput[],
    inContainer?: (file: string) => string,
  ): TaskInputs => {
    const values: Record<string, unknown> = {};
    for (const [name, source] of Object.entries(task.parameters)) {
      if ("constant" in source) values[name] = source.constant;
      else if ("pipelineParameter" in source) {
        if (source.pipelineParameter in parameters) values[name] = parameters[source.pipelineParameter];
      } else {
        const input = inputs.find((candidate) => candidate.name === name);
        if (input) values[name] = input.produced.values[source.output];
      }
    }
    const artifacts: TaskInputs["artifacts"] = {};
    for (const [name, source] of Object.entries(task.artifacts)) {
      const input = inputs.find((candidate) => candidate.name === name);
      if (!input) continue;
      const file = path.join(input.produced.outputsDir, source.output);
      artifacts[name] = {
        name: source.output,
        type: task.artifactDefinitions[name] ?? { schemaTitle: "system.Artifact" },
        uri: inContainer ? inContainer(file) : file,
        metadata: input.produced.metadata[source.output] ?? {},
      };
    }
    return { parameters: values, artifacts };
  };
  return {
    cacheKey(step, inputs) {
      const task = taskOf(step);
      const given = inputsOf(task, inputs);
      return {
        image: images.get(step.name),
        command: task.command,
        args: task.args,
        env: task.env,
        parameters: given.parameters,
        artifacts: Object.keys(given.artifacts).sort(),
      };
    },

    command(step, inputs, place) {
      const task = taskOf(step);
      const input = executorInput(
        task,
        inputsOf(task, inputs, place.inContainer),
        place.inContainer(place.outputsDir),
      );
      return {
        image: images.get(step.name)!,
        command: resolvePlaceholders(task, input, {
          pipelineName: pipeline.name,
          pipelineRunId: place.runId,
          taskRunId: place.runId,
          pipelineRoot: place.inContainer(path.dirname(path.dirname(place.outputsDir))),
          createdAt: new Date().toISOString(),
        }),
        env: task.env,
      };
    },

    argoContainer(step, place) {
      return kfpArgoContainer(
        taskOf(step),
        step,
        place,
        place.image(images.get(step.name)!),
        pipeline,
        entrypoints.get(step.name),
      );
    },

    async produced(step, outputsDir): Promise<Produced> {
      const task = taskOf(step);
      const files: Record<string, string | undefined> = {};
      for (const name of Object.keys(task.outputParameters)) {
        files[name] = await readFile(path.join(outputsDir, name), "utf8").catch(() => undefined);
      }
      const executorOutput = await readFile(path.join(outputsDir, EXECUTOR_OUTPUT_FILE), "utf8").catch(
        () => undefined,
      );
      const outputs = taskOutputs(task, executorOutput, files);
      const digests: Record<string, string> = {};
      for (const [name, value] of Object.entries(outputs.parameters))
        digests[name] = sha256(JSON.stringify(value));
      const missing = [...outputs.missing];
      for (const [name, type] of Object.entries(task.outputArtifacts)) {
        // KFP's launcher fails a task whose artifact file was never written (so does Parity),
        // except metrics, which live in the artifact's metadata.
        const digest = await pathDigest(path.join(outputsDir, name)).catch(() => undefined);
        if (digest !== undefined) digests[name] = digest;
        else if (METRICS_ARTIFACTS.has(type.schemaTitle))
          digests[name] = sha256(JSON.stringify(outputs.artifactMetadata[name] ?? {}));
        else missing.push(name);
      }
      if (missing.length > 0) {
        throw new ParityError(
          "TaskOutputMissing",
          `The task ${task.name} ended without writing its output${missing.length === 1 ? "" : "s"} ${missing.join(", ")}.`,
          {
            fix: "Write each output to its path ({{$.outputs.parameters['name'].output_file}}, {{$.outputs.artifacts['name'].path}}) or return it from the component.",
          },
        );
      }
      return { outputsDir, digests, values: outputs.parameters, metadata: outputs.artifactMetadata };
    },
  };
}
