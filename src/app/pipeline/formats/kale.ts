import path from "node:path";
import { JOB_DIR } from "../../../core/build/dockerfile";
import { STEP_ENV } from "../../../core/pipeline/stepScripts";
import type { PipelineStep } from "../../../core/pipeline/types";
import { explainTracebackOf, jobEnvFor, jobSpecFor } from "../../job/load";
import { build, hostFoldersFor } from "../../job/session";
import { fileDigest } from "../../store/stepCache";
import { analysePipeline } from "../analyse";
import { loadPipeline, stepScriptPath, type LoadedPipeline } from "../load";
import type { PipelineSource, Produced, StepFormat } from "./format";

/**
 * A notebook tagged as Kale tags it: one image for all its steps (the notebook's requirements on
 * its profile's base), each step a script of the shared cells and its own; the variables a step
 * hands on are pickled into its outputs folder (`<name>.pkl`) and read by the steps after it.
 */
export const kaleSource: PipelineSource = {
  reads: (file) => /\.(ipynb|py)$/i.test(file),

  async prepare(context, request, connection) {
    const loaded = await loadPipeline(context, request.file, {
      profile: request.profile,
      connection,
      text: request.text,
    });
    const { job } = loaded;
    jobEnvFor(job, request.params);
    const folders = await hostFoldersFor(job);
    for (const note of folders.notes) request.print(note);
    const built = await build(context, connection, job, Boolean(request.verbose), request.print);
    const analysed = await analysePipeline(
      connection,
      built.tag,
      loaded.pipeline,
      job.profile.limits,
      context.signal,
    );
    // The pipeline's parameters are its parameters cell's, which every step runs.
    const pipeline = {
      ...analysed,
      parameters: job.notebook.parameters.map((parameter) => ({
        name: parameter.name,
        defaultSource: parameter.defaultSource,
        location: { file: job.notebookFile, cell: parameter.cell, line: parameter.line },
      })),
    };
    return {
      pipeline,
      format: kaleFormat({ ...loaded, pipeline }, built.imageId, built.tag),
      base: jobSpecFor(job, built.tag, request.params),
      folders,
      image: built.tag,
      images: [built.tag],
      profileName: job.profile.name,
      cluster: job.profile.profile.cluster,
      registry: job.profile.profile.image.registry,
    };
  },
};

function kaleFormat(loaded: LoadedPipeline, imageId: string, image: string): StepFormat {
  const commandOf = (step: PipelineStep) => ["python", `${JOB_DIR}/${stepScriptPath(step.name)}`];
  // Every step's script was made as the pipeline was loaded.
  const explainTraceback = (step: PipelineStep) =>
    explainTracebackOf(loaded.job.notebookFile, loaded.scripts.get(step.name)!.lineMap, commandOf(step)[1]!);
  return {
    cacheKey: (step) => ({ image: imageId, command: commandOf(step) }),
    explainTraceback,

    command(step, inputs, place) {
      const command = commandOf(step);
      return {
        image,
        command,
        env: {
          [STEP_ENV.inputs]: JSON.stringify(
            Object.fromEntries(
              inputs.map((input) => [
                input.name,
                place.inContainer(path.join(input.produced.outputsDir, `${input.output}.pkl`)),
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
      // The pipeline's parameters are the pipeline-parameters cell's: every step runs that cell.
      parameterNames: loaded.pipeline.parameters.map((parameter) => parameter.name),
      allParameters: false,
    }),

    async produced(step, outputsDir): Promise<Produced> {
      const digests: Record<string, string> = {};
      for (const name of step.outputs) digests[name] = await fileDigest(path.join(outputsDir, `${name}.pkl`));
      return { outputsDir, digests, values: {}, metadata: {} };
    },
  };
}
