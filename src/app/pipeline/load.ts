import { readFile } from "node:fs/promises";
import path from "node:path";
import type { ContextFile } from "../../core/build/context";
import { ParityError } from "../../core/errors";
import { readCells } from "../../core/notebook/readCells";
import type { NotebookJob } from "../../core/notebook/types";
import { isTaggedPipeline, readKalePipeline, type KaleCells } from "../../core/pipeline/kale";
import { codeOf, kaleStepScript } from "../../core/pipeline/stepScripts";
import type { Pipeline } from "../../core/pipeline/types";
import type { DockerConnection } from "../../targets/docker/connection";
import type { SessionContext } from "../context";
import { loadJob, type LoadedJob } from "../job/load";
import { imageId } from "../job/session";

/** Inside the image's job folder: one script per step, and each step's own code for the parser. */
export const STEPS_FOLDER = "steps";
/** The parser's input for the cells every step runs first. */
export const SHARED_CODE = "_shared";

/** A tagged notebook as a pipeline, with the job (profile, requirements, image) its steps run in. */
export interface LoadedPipeline {
  pipeline: Pipeline;
  job: LoadedJob;
  /** Each step's script, mapped line by line to the notebook's cells. */
  scripts: Map<string, NotebookJob>;
}

/** The script of a step in the image's job folder, relative to it. */
export function stepScriptPath(step: string): string {
  return `${STEPS_FOLDER}/${step}.py`;
}

/** The step's own code for the parser, relative to the image's job folder. */
export function stepCodePath(step: string): string {
  return `${STEPS_FOLDER}/${step}.code.py`;
}

/**
 * A notebook tagged as Kale tags it, read as a pipeline: its steps checked, each step's script
 * made, and one image planned for all of them (the notebook's requirements, its profile's base).
 * Which variables pass between the steps is found once the image is built (`analysePipeline`).
 */
export async function loadPipeline(
  context: SessionContext,
  file: string,
  options: {
    profile?: string;
    connection?: DockerConnection;
    /** The file's text, where the caller has read it already. */
    text?: string;
  },
): Promise<LoadedPipeline> {
  const notebookFile = path.resolve(context.cwd, file);
  const text = options.text ?? (await readPipelineText(notebookFile));
  const { pipeline, cells } = readTaggedNotebook(text, notebookFile);
  const scripts = new Map(
    pipeline.steps.map((step) => [step.name, kaleStepScript(cells, step.name, notebookFile)]),
  );
  const connection = options.connection;
  const job = await loadJob(notebookFile, {
    profileFile: options.profile,
    cwd: context.cwd,
    env: context.env,
    baseImageId: connection && ((base: string) => imageId(connection, base)),
    jobFiles: stepFiles(pipeline, cells, scripts),
  });
  // The steps' parameters are those of the pipeline-parameters cell (or papermill's parameters),
  // which -p overrides: checked against them before anything is built.
  const parameters = scripts.get(pipeline.steps[0]?.name ?? "")?.parameters ?? [];
  return { pipeline, job: { ...job, notebook: { ...job.notebook, parameters } }, scripts };
}

/** A pipeline file's text (absolute path), or the one error every reader of one gives when it cannot be read. */
export async function readPipelineText(file: string): Promise<string> {
  return readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new ParityError(
      "PipelineNotFound",
      `The pipeline ${file} cannot be read (${error.code ?? error.message}).`,
      {
        fix: "Name a notebook tagged as Kale tags it, a pipeline.yaml, or a pipeline compiled by kfp (its YAML).",
        location: { file },
      },
    );
  });
}

/** A notebook read as a pipeline, refused with how to tag it when no cell starts a step. */
export function readTaggedNotebook(
  text: string,
  notebookFile: string,
): { pipeline: Pipeline; cells: KaleCells } {
  if (!/\.(ipynb|py)$/i.test(notebookFile) || !isTaggedPipeline(readCells(text, notebookFile))) {
    throw new ParityError(
      "PipelineNotTagged",
      `${notebookFile} has no cell tagged step:<name>, so it is not a pipeline.`,
      {
        fix: "Tag the first cell of each step step:<name> and the cells it needs prev:<name> (Kale's tags), or run it as one job with parity run.",
        location: { file: notebookFile },
      },
    );
  }
  return readKalePipeline(text, notebookFile);
}

function stepFiles(pipeline: Pipeline, cells: KaleCells, scripts: Map<string, NotebookJob>): ContextFile[] {
  return [
    { path: stepCodePath(SHARED_CODE), content: codeOf(cells.shared, pipeline.file) },
    ...pipeline.steps.flatMap((step) => [
      { path: stepScriptPath(step.name), content: scripts.get(step.name)?.script ?? "" },
      { path: stepCodePath(step.name), content: codeOf(cells.steps.get(step.name) ?? [], pipeline.file) },
    ]),
  ];
}
