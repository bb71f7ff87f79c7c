import { stat } from "node:fs/promises";
import path from "node:path";
import { ParityError } from "../../core/errors";
import type { Pipeline } from "../../core/pipeline/types";
import { errorLocation, throwProblems } from "../../core/pipeline/validate";
import { parsePipelineYaml } from "../../core/pipeline/yamlFormat";
import type { SessionContext } from "../context";
import { readKfpPipeline } from "../../core/pipeline/kfp/read";
import { kfpSource } from "./formats/kfp";
import { readPipelineText, readTaggedNotebook } from "./load";

/**
 * A pipeline file read and checked without building or running anything: a notebook tagged as
 * Kale tags it, a pipeline compiled by kfp, or a pipeline.yaml (whose steps' notebooks and scripts
 * must exist). Which variables pass between a notebook's steps is found by Python in the image,
 * when it runs.
 */
export async function checkPipelineFile(context: SessionContext, file: string): Promise<Pipeline> {
  const absolute = path.resolve(context.cwd, file);
  const text = await readPipelineText(absolute);
  if (kfpSource.reads(absolute, text)) return readKfpPipeline(text, absolute);
  if (/\.ya?ml$/i.test(absolute)) {
    const pipeline = parsePipelineYaml(text, absolute);
    await requireStepFiles(pipeline);
    return pipeline;
  }
  return readTaggedNotebook(text, absolute).pipeline;
}

/** Every notebook and script a pipeline.yaml's steps run exists; refused with each missing one's step and line. */
export async function requireStepFiles(pipeline: Pipeline): Promise<void> {
  const missing: ParityError[] = [];
  for (const step of pipeline.steps) {
    if (step.code.kind !== "notebook") continue;
    const found = await stat(step.code.notebookFile).then(
      (info) => info.isFile(),
      () => false,
    );
    if (!found)
      missing.push(
        new ParityError(
          "PipelineInvalid",
          `The step ${step.name} runs ${step.code.notebookFile}, which does not exist.`,
          {
            fix: "Correct the path (relative to the pipeline's folder) or add the file.",
            location: errorLocation(step.location),
          },
        ),
      );
  }
  throwProblems(
    missing,
    pipeline.file,
    (count) => `${count} steps of ${pipeline.file} name files that do not exist.`,
  );
}
