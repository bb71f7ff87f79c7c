import { realpath } from "node:fs/promises";
import path from "node:path";
import type { Environment } from "../../core/environment/types";
import type { DockerConnection } from "../../targets/docker/connection";
import { inspectImage } from "../../targets/docker/images";
import { probeImage } from "../../targets/docker/probeImage";
import { captureLocalEnvironment, chooseInterpreter } from "../../targets/local/python";
import { findProgram } from "../../targets/process";
import type { SessionContext } from "../context";
import { cachedProbe, keepProbe, stampsOf } from "../store/probeCache";
import type { LoadedJob } from "./load";

/** Environment variables that change what an interpreter imports. */
const IMPORT_ENV = ["PYTHONPATH", "PYTHONHOME", "PYTHONNOUSERSITE", "PYTHONUSERBASE", "VIRTUAL_ENV"];

/**
 * The notebook's interpreter, probed once while it and every folder it imports from stay as they
 * were (a pip install changes a folder's modification time).
 */
export async function probeLocalInterpreter(
  context: SessionContext,
  job: LoadedJob,
  python: string | undefined,
): Promise<Environment> {
  const options = { python, workspaceFolder: job.workspaceDir, env: context.env, signal: context.signal };
  const found = findProgram(chooseInterpreter(options).python, context.env);
  if (!found) return captureLocalEnvironment(options);
  const executable = path.resolve(found);
  const key = ["local", executable, ...IMPORT_ENV.map((name) => `${name}=${context.env[name] ?? ""}`)].join(
    "\u0000",
  );
  const cached = await cachedProbe(job.workspaceDir, key);
  if (cached) return cached;
  const environment = await captureLocalEnvironment(options);
  const real = await realpath(executable).catch(() => executable);
  await keepProbe(
    job.workspaceDir,
    key,
    environment,
    await stampsOf([...new Set([executable, real, ...environment.searchPaths])]),
  );
  return environment;
}

/** A built image, probed once per image id and limits: an image never changes under its id. */
export async function probeBuiltImage(
  context: SessionContext,
  connection: DockerConnection,
  job: LoadedJob,
  image: string,
  /** The image's id where the caller knows it already (it has just built or inspected it). */
  knownId?: string,
): Promise<Environment> {
  const id = knownId ?? (await inspectImage(connection.docker, image))?.Id;
  const key = id && ["image", connection.endpoint, id, JSON.stringify(job.profile.limits)].join("\u0000");
  const cached = key && (await cachedProbe(job.workspaceDir, key));
  if (cached) return { ...cached, source: `image ${image}` };
  const environment = await probeImage(connection.docker, image, job.profile.limits, context.signal);
  if (key) await keepProbe(job.workspaceDir, key, environment);
  return environment;
}
