import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { ParityError } from "../../core/errors";
import type { RunResult } from "../../core/job/types";
import { isInside } from "../../core/paths";
import {
  chooseModel,
  modelKindOf,
  SERVED_FORMATS,
  type ChosenModel,
  type FileEntry,
} from "../../core/serving/model";
import { workloadOf } from "../../core/workload/types";
import type { DockerConnection } from "../../targets/docker/connection";
import { relativeTo, type SessionContext } from "../context";
import type { LoadedJob } from "../job/load";
import { load } from "../job/session";
import { realPathOf } from "../store/realPath";
import { listRuns, type StoredRun } from "../store/runStore";

/** What an endpoint serves: the model, the notebook and profile behind it, and the run that wrote it. */
export interface ServingSource {
  job: LoadedJob;
  model: ChosenModel;
  /** The run whose outputs hold the model (its image is the one the model was trained in). */
  run?: StoredRun;
}

export interface SourceRequest {
  /** A notebook (its last succeeded run's model) or a model file. */
  source: string;
  profile?: string;
  /** The run whose outputs hold the model, by id; the last succeeded one by default. */
  run?: string;
}

const NOTEBOOK = /\.(ipynb|py)$/i;
/** How deep an outputs folder is searched for model files. */
const DEPTH = 4;

/**
 * Finds what to serve. A notebook: the model file its profile names (`serving.model`), else the one
 * model file its last succeeded local run (or the run asked for) wrote to its outputs. A model
 * file: the last succeeded local run whose outputs hold it, for its notebook and image.
 */
export async function findServingSource(
  context: SessionContext,
  request: SourceRequest,
  connection: DockerConnection,
): Promise<ServingSource> {
  const file = path.resolve(context.cwd, request.source);
  const info = await stat(file).catch(() => undefined);
  if (!info) {
    throw new ParityError("ServeSourceMissing", `${request.source} does not exist.`, {
      fix: "Name a notebook whose run saved a model, or the model file itself.",
    });
  }
  if (NOTEBOOK.test(file) && info.isFile()) return fromNotebook(context, request, file, connection);
  return fromModelFile(context, request, file, connection);
}

async function fromNotebook(
  context: SessionContext,
  request: SourceRequest,
  notebook: string,
  connection: DockerConnection,
): Promise<ServingSource> {
  const job = await load(context, notebook, request.profile, connection);
  const runs = (await listRuns(job.workspaceDir)).filter((run) => servedFrom(run.result, job.notebookFile));
  const run = request.run ? requireRun(runs, request.run, context, job) : runs[0];
  const named = job.profile.profile.serving?.model;
  if (named !== undefined) {
    const file = path.resolve(job.profile.dir, named);
    const location = {
      file: job.profile.file,
      field: "serving.model",
      line: job.profile.lineOf(["serving", "model"]),
    };
    const real = await realPathOf(file).catch(() => undefined);
    if (!real || !(await stat(real)).isFile()) {
      throw new ParityError(
        "ModelNotFound",
        `serving.model names ${named}, which does not exist in ${job.profile.dir}.`,
        {
          location,
          fix: run
            ? "Name the file the notebook saves its model to."
            : `Run the notebook first (parity run ${relativeTo(context, notebook)}), then serve it.`,
        },
      );
    }
    if (!isInside(real, await realPathOf(job.workspaceDir))) {
      throw new ParityError(
        "ModelOutsideProject",
        `serving.model names ${named}, which leads outside the project to ${real}.`,
        {
          location,
          fix: "Serve a model file inside the project (its outputs folder).",
        },
      );
    }
    return { job, model: servedKind(real, location), ...(run ? { run } : {}) };
  }
  if (!run) {
    throw new ParityError(
      "NoSucceededRun",
      `${relativeTo(context, notebook)} has no succeeded run on local Docker, so there is no model of it to serve.`,
      {
        fix: `Run it first (parity run ${relativeTo(context, notebook)}), saving the model to its outputs folder, then serve it.`,
      },
    );
  }
  const folder = run.result.outputsDir ?? job.profile.paths.outputs;
  // The record's folder is a file anyone who can write the workspace can change: only the
  // project's (or the profile's allowed outputs folder) is searched.
  const realFolder = await realPathOf(folder).catch(() => folder);
  if (!(await withinServingRoots(job, realFolder))) {
    throw new ParityError(
      "ModelOutsideProject",
      `Run ${run.result.runId}'s outputs folder ${folder} lies outside the project (${realFolder}).`,
      {
        fix: "Serve a model file inside the project, or set allowOutputsOutsideProject in parity.yaml if that folder is yours.",
      },
    );
  }
  const model = chooseModel(await listFiles(folder), {
    folder,
    run: {
      id: run.result.runId,
      startedMs: Date.parse(run.result.startedAt ?? "") || undefined,
      finishedMs: Date.parse(run.result.finishedAt ?? "") || undefined,
    },
  });
  return { job, model, run };
}

async function fromModelFile(
  context: SessionContext,
  request: SourceRequest,
  file: string,
  connection: DockerConnection,
): Promise<ServingSource> {
  const real = await realPathOf(file);
  const model = servedKind(real, { file: request.source });
  // The newest succeeded run, in the model's folder or above, whose outputs hold the file.
  for (let dir = path.dirname(real); ; dir = path.dirname(dir)) {
    for (const run of await listRuns(dir)) {
      if (!servedFrom(run.result) || !run.result.outputsDir) continue;
      if (request.run && run.result.runId !== request.run) continue;
      const outputs = await realPathOf(run.result.outputsDir).catch(() => undefined);
      if (!outputs || !isInside(real, outputs)) continue;
      const job = await load(context, run.result.notebook, request.profile, connection);
      return { job, model: { ...model, why: `written to the outputs of run ${run.result.runId}` }, run };
    }
    if (path.dirname(dir) === dir) break;
  }
  throw new ParityError(
    "ModelWithoutRun",
    `No succeeded run on local Docker wrote ${request.source}, so Parity does not know the image it was trained in.`,
    {
      fix: "Serve the notebook that saves it (parity serve <notebook>), after a run of it succeeded.",
    },
  );
}

/**
 * Whether a real path lies in the project, or in the outputs folder the profile allows outside it:
 * the only places a model is taken from (it goes into an image that may be pushed to a registry).
 */
export async function withinServingRoots(job: LoadedJob, realPath: string): Promise<boolean> {
  const roots = [await realPathOf(job.workspaceDir)];
  if (job.profile.profile.allowOutputsOutsideProject) {
    roots.push(await realPathOf(job.profile.paths.outputs).catch(() => job.profile.paths.outputs));
  }
  return roots.some((root) => isInside(realPath, root));
}

/** A job run of the notebook (or any, without one) that succeeded on local Docker: only its outputs are on this machine. */
function servedFrom(result: RunResult, notebook?: string): boolean {
  const workload = workloadOf(result);
  return (
    workload.kind === "job" &&
    !workload.parent &&
    result.target === "local" &&
    result.status === "succeeded" &&
    (notebook === undefined || result.notebook === notebook)
  );
}

function requireRun(runs: StoredRun[], id: string, context: SessionContext, job: LoadedJob): StoredRun {
  const run = runs.find((each) => each.result.runId === id);
  if (run) return run;
  throw new ParityError(
    "RunNotFound",
    `Run ${id} is not a succeeded local run of ${relativeTo(context, job.notebookFile)}.`,
    {
      fix: "Leave --run out to serve the last succeeded run's model; parity logs lists the runs.",
    },
  );
}

function servedKind(file: string, location: { file?: string; field?: string; line?: number }): ChosenModel {
  const kind = modelKindOf({ path: file });
  if (kind?.served) return { file, format: kind.format, why: "the file named" };
  throw new ParityError(
    kind ? "ModelFormatNotServed" : "NotAModel",
    kind
      ? `${path.basename(file)} is ${kind.what}, which Parity does not serve yet: it serves ${SERVED_FORMATS}.`
      : `${path.basename(file)} is not a model file Parity knows: it serves ${SERVED_FORMATS}.`,
    {
      location,
      fix: "Save the model with joblib.dump(model, 'outputs/model.joblib') and serve that file.",
    },
  );
}

/** The files below a folder (a few levels deep), as model candidates. */
async function listFiles(folder: string, depth = DEPTH): Promise<FileEntry[]> {
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  const files: FileEntry[] = [];
  for (const entry of entries) {
    const file = path.join(folder, entry.name);
    if (entry.isDirectory()) {
      if (depth > 0 && !entry.name.startsWith(".")) files.push(...(await listFiles(file, depth - 1)));
    } else if (entry.isFile()) {
      const info = await stat(file);
      files.push({ path: file, size: info.size, modifiedMs: info.mtimeMs });
    }
  }
  return files;
}
