import { access, constants, realpath } from "node:fs/promises";
import path from "node:path";
import type { Environment } from "../../core/environment/types";
import type { DockerConnection } from "../../targets/docker/connection";
import { inspectImage } from "../../targets/docker/images";
import { probeImage } from "../../targets/docker/probeImage";
import { captureLocalEnvironment, chooseInterpreter } from "../../targets/local/python";
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
  const executable = await resolveExecutable(chooseInterpreter(options).python, context.env.PATH);
  if (!executable) return captureLocalEnvironment(options);
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
): Promise<Environment> {
  const id = (await inspectImage(connection.docker, image))?.Id;
  const key = id && ["image", connection.endpoint, id, JSON.stringify(job.profile.limits)].join("\u0000");
  const cached = key && (await cachedProbe(job.workspaceDir, key));
  if (cached) return { ...cached, source: `image ${image}` };
  const environment = await probeImage(connection.docker, image, job.profile.limits, context.signal);
  if (key) await keepProbe(job.workspaceDir, key, environment);
  return environment;
}

/** The interpreter's absolute path: as given when it has a folder, else the first on PATH. */
async function resolveExecutable(
  python: string,
  searchPath: string | undefined,
): Promise<string | undefined> {
  if (python.includes(path.sep) || python.includes("/")) return path.resolve(python);
  for (const dir of (searchPath ?? "").split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, python);
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return undefined;
}
