import { homedir } from "node:os";
import path from "node:path";
import type { Environment } from "../core/environment/types";
import { isCancelled, ParityError } from "../core/errors";
import { formatBytes } from "../core/profile";
import type { ParityReport } from "../core/parity";
import { buildParityReport } from "../core/parity";
import { buildImage, type BuildResult } from "../targets/docker/buildImage";
import {
  connectDocker,
  pingDocker,
  readFileIfExists,
  type DockerConnection,
} from "../targets/docker/connection";
import { inspectImage } from "../targets/docker/images";
import { probeImage } from "../targets/docker/probeImage";
import { captureLocalEnvironment } from "../targets/local/python";
import { listRuns } from "../targets/store/runStore";
import { loadJob, type LoadedJob } from "../targets/workspace";
import type { CliIO } from "./io";

/** Options every job command takes. */
export const jobOptions = {
  profile: { type: "string" },
  json: { type: "boolean" },
  verbose: { type: "boolean", short: "v" },
} as const;

export function relativeTo(io: CliIO, file: string): string {
  const relative = path.relative(io.cwd, file);
  return relative && !relative.startsWith("..") ? relative : file;
}

/** The engine the docker CLI would use (DOCKER_HOST, DOCKER_CONTEXT, the active context). */
export async function connect(io: CliIO, print: (line: string) => void): Promise<DockerConnection> {
  const connection = await connectDocker(io.env, {
    homeDir: io.env.HOME ?? homedir(),
    readFile: readFileIfExists,
  });
  await pingDocker(connection, io.signal);
  print(`Docker:   ${connection.endpoint} (${connection.source})`);
  return connection;
}

/** The notebook with its profile, keyed to the base image actually present. */
export async function load(
  io: CliIO,
  notebook: string,
  profileFile: string | undefined,
  connection?: DockerConnection,
): Promise<LoadedJob> {
  const baseImageId = connection && ((base: string) => imageId(connection, base));
  return loadJob(notebook, { profileFile, cwd: io.cwd, env: io.env, baseImageId });
}

export function describeJob(io: CliIO, job: LoadedJob): string {
  const limits = job.profile.limits;
  const profile = job.profile.file ? relativeTo(io, job.profile.file) : "the embedded default profile";
  return [
    `Notebook: ${relativeTo(io, job.notebookFile)} (${job.notebook.cells} ${job.notebook.cells === 1 ? "cell" : "cells"})`,
    `Profile:  ${profile} — memory ${formatBytes(limits.memoryBytes)}, cpu ${limits.milliCpu / 1000}, shm ${formatBytes(limits.shmBytes)}, gpu ${limits.gpu}`,
  ].join("\n");
}

/** pip's lines worth seeing during a long dependency step, without --verbose. */
const PIP_MILESTONE = /^\s*(Collecting|Downloading|Installing collected packages|Successfully installed)\b/;

/** A profile field named by a lower layer, with the profile's file and line added. */
function locateInProfile(error: unknown, job: LoadedJob): unknown {
  if (!(error instanceof ParityError) || !error.location?.field || error.location.file) return error;
  const field = error.location.field;
  return new ParityError(error.code, error.message, {
    fix: error.fix,
    details: error.details,
    cause: error.cause,
    location: { file: job.profile.file, field, line: job.profile.lineOf(field.split(".")) },
  });
}

/** Builds the job's image, printing the engine's steps as they come. */
export async function build(
  io: CliIO,
  connection: DockerConnection,
  job: LoadedJob,
  verbose: boolean,
  print: (line: string) => void,
): Promise<BuildResult> {
  const base = job.profile.profile.image.base;
  if (!(await imageId(connection, base)) && base.startsWith("parity/python:")) {
    throw new ParityError("BaseImageMissing", `The base image ${base} is not in the local Docker engine.`, {
      location: { file: job.profile.file, field: "image.base", line: job.profile.lineOf(["image", "base"]) },
      fix: "Make it from Debian packages with: parity base-image",
    });
  }
  let started = false;
  const result = await buildImage({
    docker: connection.docker,
    plan: job.plan,
    network: job.profile.profile.build.network === "host" ? "host" : undefined,
    labels: { "dev.parity.profile": job.profile.name },
    signal: io.signal,
    onProgress: (progress) => {
      if (!started) print(`Building ${job.plan.tag} ...`);
      started = true;
      if (progress.step) print(`  ${progress.line}`);
      else if (verbose || PIP_MILESTONE.test(progress.line)) print(`    ${progress.line.trim()}`);
    },
  }).catch((error: unknown) => {
    throw locateInProfile(error, job);
  });
  if (result.upToDate) print(`Image ${result.tag} is up to date.`);
  else {
    const seconds = (result.durationMs / 1000).toFixed(1);
    print(
      `Built ${result.tag} in ${seconds} s (${result.cachedSteps} of ${result.totalSteps} steps from cache).`,
    );
  }
  return result;
}

/** The parity report: the notebook's interpreter against production's image (when built). */
export async function report(
  io: CliIO,
  job: LoadedJob,
  options: { connection?: DockerConnection; image?: string; python?: string; print: (line: string) => void },
): Promise<{ report: ParityReport; local?: Environment; image?: Environment }> {
  let local: Environment | undefined;
  try {
    local = await captureLocalEnvironment({
      python: options.python,
      workspaceFolder: job.workspaceDir,
      env: io.env,
      signal: io.signal,
    });
  } catch (error) {
    if (isCancelled(error)) throw error;
    options.print(`Note: the notebook's interpreter could not be probed: ${(error as Error).message}`);
  }
  let image: Environment | undefined;
  if (options.connection && options.image) {
    image = await probeImage(options.connection.docker, options.image, job.profile.limits, io.signal);
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
      requirementsFile: job.profile.paths.requirements
        ? relativeTo(io, job.profile.paths.requirements)
        : undefined,
    },
    requirements: job.requirements,
    notebookImports: job.notebook.imports,
    notebookFile: relativeTo(io, job.notebookFile),
    workspaceModules: job.workspaceModules,
    lastRun: lastRun && {
      peakMemoryBytes: lastRun.result.peakMemoryBytes,
      oomKilled: lastRun.result.oomKilled,
    },
  });
  return { report: parity, local, image };
}

export async function imageId(connection: DockerConnection, reference: string): Promise<string | undefined> {
  return (await inspectImage(connection.docker, reference))?.Id;
}
