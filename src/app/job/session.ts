import { homedir } from "node:os";
import path from "node:path";
import type { BuildPlan } from "../../core/build/context";
import type { Environment } from "../../core/environment/types";
import { checkHostFolders } from "../../core/job/hostFolders";
import type { HostFolders } from "../../core/job/types";
import { describeError, isCancelled, ParityError } from "../../core/errors";
import { formatBytes } from "../../core/profile";
import type { LastRunFacts, NotCompared, ParityReport } from "../../core/parity";
import type { RunResult } from "../../core/job/types";
import { buildParityReport } from "../../core/parity";
import { buildImage, type BuildResult } from "../../targets/docker/buildImage";
import {
  connectDocker,
  pingDocker,
  readFileIfExists,
  type DockerConnection,
} from "../../targets/docker/connection";
import { inspectImage } from "../../targets/docker/images";
import { realPathOf } from "../store/realPath";
import { relativeTo, type Print, type SessionContext } from "../context";
import { jobEnvFor, loadJob, type LoadedJob } from "./load";
import { probeBuiltImage, probeLocalInterpreter } from "./probes";
import { lockBuild } from "../store/buildLock";
import { listRuns } from "../store/runStore";

/*
 * The steps every front end takes with a notebook: reach the Docker engine, load the job, build its
 * image, compare environments. The CLI prints what `print` receives to the terminal; the extension
 * shows it as progress and in its output channel.
 */

export interface ParityResult {
  report: ParityReport;
  local?: Environment;
  image?: Environment;
  /** What the report was made from: when one of these changes, the report is out of date. */
  sources: ReportSources;
}

export interface ReportSources {
  /** The notebook, its profile, its requirements and the files they include (absolute paths). */
  files: string[];
  /** Where the notebook's run records are: a new run's end changes the report. */
  workspaceDir: string;
}

/** The files a notebook's report was read from. */
export function reportSources(job: LoadedJob): ReportSources {
  const files = [
    job.notebookFile,
    job.profile.file,
    job.profile.paths.requirements,
    ...job.requirements.files.filter((file) => path.isAbsolute(file)),
  ];
  return {
    files: [...new Set(files.filter((file): file is string => file !== undefined))],
    workspaceDir: job.workspaceDir,
  };
}

/** The engine the docker CLI would use (DOCKER_HOST, DOCKER_CONTEXT, the active context). */
export async function connect(context: SessionContext, print: Print): Promise<DockerConnection> {
  const connection = await connectDocker(context.env, {
    homeDir: context.env.HOME ?? homedir(),
    readFile: readFileIfExists,
  });
  await pingDocker(connection, context.signal);
  print(`Docker:   ${connection.endpoint} (${connection.source})`);
  return connection;
}

/** The notebook with its profile, keyed to the base image actually present. */
export async function load(
  context: SessionContext,
  notebook: string,
  profileFile: string | undefined,
  connection?: DockerConnection,
): Promise<LoadedJob> {
  const baseImageId = connection && ((base: string) => imageId(connection, base));
  return loadJob(notebook, { profileFile, cwd: context.cwd, env: context.env, baseImageId });
}

export function describeJob(context: SessionContext, job: LoadedJob): string {
  const limits = job.profile.limits;
  const profile = job.profile.file ? relativeTo(context, job.profile.file) : "the embedded default profile";
  return [
    `Notebook: ${relativeTo(context, job.notebookFile)} (${job.notebook.cells} ${job.notebook.cells === 1 ? "cell" : "cells"})`,
    `Profile:  ${profile} — memory ${formatBytes(limits.memoryBytes)}, cpu ${limits.milliCpu / 1000}, shm ${formatBytes(limits.shmBytes)}, gpu ${limits.gpu}`,
  ].join("\n");
}

/** pip's lines worth seeing during a long dependency step, without --verbose. */
const PIP_MILESTONE = /^\s*(Collecting|Downloading|Installing collected packages|Successfully installed)\b/;

/** A profile field named by a lower layer, with the profile's file and line added. */
export function locateInProfile(error: unknown, job: Pick<LoadedJob, "profile">): unknown {
  if (!(error instanceof ParityError) || !error.location?.field || error.location.file) return error;
  const field = error.location.field;
  return new ParityError(error.code, error.message, {
    fix: error.fix,
    details: error.details,
    cause: error.cause,
    location: { file: job.profile.file, field, line: job.profile.lineOf(field.split(".")) },
  });
}

/**
 * The folders a local run mounts, with every symlink followed, checked before anything is created,
 * mounted or given to the job's user: an outputs folder that leads out of the project is refused
 * unless the profile allows it.
 */
export async function hostFoldersFor(job: Pick<LoadedJob, "workspaceDir" | "profile">): Promise<HostFolders> {
  const outputs = job.profile.paths.outputs;
  try {
    return checkHostFolders({
      workspace: { path: job.workspaceDir, realPath: await realPathOf(job.workspaceDir) },
      outputs: { path: outputs, realPath: await realPathOf(outputs) },
      written: job.profile.profile.outputs,
      allowOutside: job.profile.profile.allowOutputsOutsideProject === true,
    });
  } catch (error) {
    throw locateInProfile(error, job);
  }
}

/** Builds the job's image, printing the engine's steps as they come. */
export async function build(
  context: SessionContext,
  connection: DockerConnection,
  job: LoadedJob,
  verbose: boolean,
  print: Print,
): Promise<BuildResult> {
  const base = job.profile.profile.image.base;
  if (!(await imageId(connection, base)) && base.startsWith("parity/python:")) {
    throw new ParityError("BaseImageMissing", `The base image ${base} is not in the local Docker engine.`, {
      location: { file: job.profile.file, field: "image.base", line: job.profile.lineOf(["image", "base"]) },
      fix: "Make it from Debian packages with: parity base-image",
    });
  }
  return buildPlanned(context, connection, job.plan, {
    workspaceDir: job.workspaceDir,
    network: job.profile.profile.build.network,
    labels: { "dev.parity.profile": job.profile.name },
    verbose,
    print,
    explain: (error) => locateInProfile(error, job),
  });
}

/** How an image of Parity's is built: where its build lock lives, its network, its labels, what to print. */
export interface PlannedBuildOptions {
  workspaceDir: string;
  network: "bridge" | "host";
  labels: Record<string, string>;
  verbose: boolean;
  print: Print;
  /** A build failure in the words of what was built (a profile's field and line). */
  explain?: (error: unknown) => unknown;
}

/**
 * Builds a planned image (a job's, a serving image) unless its content tag is there already,
 * printing the engine's steps as they come. Builds of one tag take turns (several runs started
 * together): the ones that waited find the image built. A warm run finds it at once and takes no lock.
 */
export async function buildPlanned(
  context: SessionContext,
  connection: DockerConnection,
  plan: BuildPlan,
  options: PlannedBuildOptions,
): Promise<BuildResult> {
  const { print } = options;
  const release = (await imageId(connection, plan.tag))
    ? undefined
    : await lockBuild(options.workspaceDir, plan.tag, {
        signal: context.signal,
        onWait: (holder) => print(`Waiting for process ${holder.pid}, which is building ${plan.tag} ...`),
      });
  let started = false;
  const result = await buildImage({
    docker: connection.docker,
    plan,
    network: options.network === "host" ? "host" : undefined,
    labels: options.labels,
    signal: context.signal,
    onProgress: (progress) => {
      if (!started) print(`Building ${plan.tag} ...`);
      started = true;
      if (progress.step) print(`  ${progress.line}`);
      else if (options.verbose || PIP_MILESTONE.test(progress.line)) print(`    ${progress.line.trim()}`);
    },
  })
    .catch((error: unknown) => {
      throw options.explain ? options.explain(error) : error;
    })
    .finally(() => release?.());
  if (result.upToDate) print(`Image ${result.tag} is up to date.`);
  else {
    const seconds = (result.durationMs / 1000).toFixed(1);
    print(
      `Built ${result.tag} in ${seconds} s (${result.cachedSteps} of ${result.totalSteps} steps from cache).`,
    );
  }
  return result;
}

export interface ReportOptions {
  connection?: DockerConnection;
  /** The production image to probe, when it is built, with its id. */
  image?: { tag: string; id: string };
  /** The notebook's interpreter (default: PARITY_PYTHON, the workspace's .venv, python3). */
  python?: string;
  /** False compares without running the notebook's interpreter (an untrusted workspace's .venv). */
  probeLocal?: boolean;
  /** Why there is no image to probe, when it is not "not built yet". */
  imageMissing?: NotCompared;
  print: Print;
}

/** The parity report: the notebook's interpreter against production's image (when built). */
export async function report(
  context: SessionContext,
  job: LoadedJob,
  options: ReportOptions,
): Promise<ParityResult> {
  const notCompared: NotCompared[] = [];
  let local: Environment | undefined;
  if (options.probeLocal === false) {
    notCompared.push({
      code: "LocalNotProbed",
      short: "interpreter not probed",
      sentence:
        "your notebook's interpreter was not run (Restricted Mode runs nothing of the workspace): its packages were not compared",
    });
  } else {
    try {
      local = await probeLocalInterpreter(context, job, options.python);
    } catch (error) {
      if (isCancelled(error)) throw error;
      options.print(`Note: the notebook's interpreter could not be probed: ${(error as Error).message}`);
      notCompared.push({
        code: "LocalProbeFailed",
        short: "interpreter not probed",
        sentence: `your notebook's interpreter could not be probed (${(error as Error).message}): its packages were not compared`,
      });
    }
  }
  let image: Environment | undefined;
  if (options.connection && options.image) {
    image = await probeBuiltImage(context, options.connection, job, options.image.tag, options.image.id);
  } else {
    notCompared.push(options.imageMissing ?? IMAGE_NOT_BUILT);
  }
  const lastRun = (await listRuns(job.workspaceDir)).find(
    (run) => run.result.notebook === job.notebookFile && run.result.status !== "cancelled",
  );
  const parity = buildParityReport({
    local,
    image,
    profile: {
      python: job.profile.profile.image.python ?? image?.python.version ?? "",
      memoryBytes: job.profile.limits.memoryBytes,
      shmBytes: job.profile.limits.shmBytes,
      gpu: job.profile.limits.gpu,
      milliCpu: job.profile.limits.milliCpu,
      ...(job.profile.limits.productionGpu && { productionGpu: job.profile.limits.productionGpu }),
      requirementsFile: job.profile.paths.requirements
        ? relativeTo(context, job.profile.paths.requirements)
        : undefined,
      source: job.profile.file ? relativeTo(context, job.profile.file) : "the embedded default profile",
    },
    requirements: job.requirements,
    notebookImports: job.notebook.imports,
    notebookFile: relativeTo(context, job.notebookFile),
    workspaceModules: job.workspaceModules,
    lastRun: lastRun && lastRunFacts(lastRun.result),
    notCompared,
  });
  return { report: parity, local, image, sources: reportSources(job) };
}

const IMAGE_NOT_BUILT: NotCompared = {
  code: "ImageNotBuilt",
  short: "requirements only",
  sentence: "image not built yet: packages compared with requirements only",
};

function lastRunFacts(result: RunResult): LastRunFacts {
  const { runId, target, status, exitCode, oomKilled, memoryLimitBytes, peakMemoryBytes, diagnosis } = result;
  return {
    runId,
    target,
    status,
    exitCode,
    oomKilled,
    memoryLimitBytes,
    diagnosis,
    ...(peakMemoryBytes !== undefined ? { peakMemoryBytes } : {}),
  };
}

export async function imageId(connection: DockerConnection, reference: string): Promise<string | undefined> {
  return (await inspectImage(connection.docker, reference))?.Id;
}

export interface CheckOptions {
  profile?: string;
  python?: string;
  /** False checks against the requirements only: no engine, no interpreter (Restricted Mode). */
  useDocker?: boolean;
  probeLocal?: boolean;
  print: Print;
}

export interface CheckResult extends ParityResult {
  job: LoadedJob;
  /** The production image for this exact code, when it is built. */
  builtImage?: string;
}

/** `parity check`: the report against the built image when there is one, else the requirements. */
export async function checkParity(
  context: SessionContext,
  notebook: string,
  options: CheckOptions,
): Promise<CheckResult> {
  const { print } = options;
  // Without an engine the report still compares against the requirements; say why.
  const connection =
    options.useDocker === false
      ? undefined
      : await connect(context, print).catch((error: unknown) => {
          if (isCancelled(error)) throw error;
          print(`Note: ${error instanceof ParityError ? describeError(error) : String(error)}`);
          return undefined;
        });
  const job = await load(context, notebook, options.profile, connection);
  print(describeJob(context, job));
  const builtId = connection && (await imageId(connection, job.plan.tag));
  const builtImage = builtId ? job.plan.tag : undefined;
  const imageMissing: NotCompared | undefined = connection
    ? undefined
    : options.useDocker === false
      ? {
          code: "EngineUnreachable",
          short: "requirements only",
          sentence:
            "the production image was not looked at (Restricted Mode builds and runs nothing): packages compared with requirements only",
        }
      : {
          code: "EngineUnreachable",
          short: "requirements only",
          sentence:
            "the Docker engine did not answer, so the production image was not probed: packages compared with requirements only",
        };
  print(
    builtImage
      ? `Production image: ${builtImage} (built)`
      : "Production image: not built yet; checking against the requirements",
  );
  const result = await report(context, job, {
    connection,
    ...(builtId ? { image: { tag: job.plan.tag, id: builtId } } : {}),
    python: options.python,
    probeLocal: options.probeLocal,
    ...(imageMissing ? { imageMissing } : {}),
    print,
  });
  return { ...result, job, builtImage };
}

/** What a run asks of the steps before it starts (every target's RunRequest has these). */
export interface RunSteps {
  notebook: string;
  /** An explicit parity.yaml; otherwise the nearest one above the notebook, or the embedded default. */
  profile?: string;
  /** `name=value` overrides of the notebook's parameters cell. */
  params: string[];
  /** The notebook's interpreter, for the parity report. */
  python?: string;
  /** Skip the parity report (and the interpreter probe it needs). */
  noReport?: boolean;
  verbose?: boolean;
  print: Print;
  /** The image's tag, as soon as it is known (before the build). */
  onImage?(tag: string): void;
  onReport?(result: ParityResult, job: LoadedJob): void;
}

/** The notebook and its profile for a run, its parameters and env checked before anything slow happens. */
export async function loadForRun(
  context: SessionContext,
  request: RunSteps,
  connection?: DockerConnection,
): Promise<LoadedJob> {
  const job = await load(context, request.notebook, request.profile, connection);
  request.onImage?.(job.plan.tag);
  jobEnvFor(job, request.params);
  request.print(describeJob(context, job));
  return job;
}

export interface BuiltForRun {
  built: BuildResult;
  /** Which distributions provide which modules in the image, for the diagnosis of a failed import. */
  moduleDistributions: Readonly<Record<string, readonly string[]>>;
}

/** The image built, and the parity report of the notebook against it unless the request skips it. */
export async function buildForRun(
  context: SessionContext,
  connection: DockerConnection,
  job: LoadedJob,
  request: RunSteps,
): Promise<BuiltForRun> {
  const built = await build(context, connection, job, Boolean(request.verbose), request.print);
  if (request.noReport) return { built, moduleDistributions: {} };
  const parity = await report(context, job, {
    connection,
    image: { tag: built.tag, id: built.imageId },
    python: request.python,
    print: request.print,
  });
  request.onReport?.(parity, job);
  return { built, moduleDistributions: parity.image?.moduleDistributions ?? {} };
}

/** `parity build`: the notebook's production image, built when its content changed. */
export async function buildNotebook(
  context: SessionContext,
  notebook: string,
  options: { profile?: string; verbose?: boolean; print: Print },
): Promise<{ job: LoadedJob; built: BuildResult }> {
  const connection = await connect(context, options.print);
  const job = await load(context, notebook, options.profile, connection);
  options.print(describeJob(context, job));
  const built = await build(context, connection, job, Boolean(options.verbose), options.print);
  return { job, built };
}
