import { readFile } from "node:fs/promises";
import path from "node:path";
import { ParityError } from "../../core/errors";
import { runProcess } from "../process";
import { canonicalHost, registryHost, serverAddressFor } from "../../core/registry/reference";

export { serverAddressFor };

/** What the engine's push and the Registry API sign in with. Never logged or shown. */
export interface RegistryCredentials {
  username: string;
  password: string;
  serveraddress: string;
}

/** The parts of the docker CLI's config.json that say where credentials are. */
export interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

const HELPER_TIMEOUT_MS = 20_000;

/**
 * Credentials for a registry host, as the docker CLI finds them: a `secret` (from the editor's
 * secret storage) wins; then the host's credHelpers entry, then credsStore, through
 * `docker-credential-<name> get`; then an `auths` entry of config.json. Undefined when none.
 * `registry` is a host or a whole image.registry value ("registry.example.com/team", "myuser").
 */
export async function credentialsFor(
  registry: string,
  options: { env: NodeJS.ProcessEnv; homeDir: string; secret?: RegistryCredentials; signal?: AbortSignal },
): Promise<RegistryCredentials | undefined> {
  if (options.secret) return options.secret;
  const host = registryHost(registry);
  const configDir = options.env.DOCKER_CONFIG || path.join(options.homeDir, ".docker");
  const file = path.join(configDir, "config.json");
  const config = await readDockerConfig(file);
  if (!config) return undefined;
  const helper = helperFor(config, host);
  if (helper) {
    const fromHelper = await askHelper(helper, host, options.env, options.signal);
    if (fromHelper) return fromHelper;
  }
  return credentialsFromAuths(config, host, file);
}

async function readDockerConfig(file: string): Promise<DockerConfigFile | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  return parseDockerConfig(text, file);
}

export function parseDockerConfig(text: string, file: string): DockerConfigFile {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as DockerConfigFile;
  } catch {
    // Reported below, without the text: it may hold credentials.
  }
  throw new ParityError(
    "DockerConfigInvalid",
    `${file} is not a JSON object, so its registry credentials cannot be read.`,
    {
      location: { file },
      fix: `Fix the JSON in ${file}, or move it aside and run \`docker login\` again.`,
    },
  );
}

/** The credential helper for a host: its credHelpers entry, else the credsStore for all hosts. */
export function helperFor(config: DockerConfigFile, host: string): string | undefined {
  const entry = Object.entries(config.credHelpers ?? {}).find(([key]) => canonicalHost(key) === host);
  return entry?.[1] || config.credsStore || undefined;
}

/** An `auths` entry for the host: base64 "user:password" in `auth`, or username and password. */
export function credentialsFromAuths(
  config: DockerConfigFile,
  host: string,
  file: string,
): RegistryCredentials | undefined {
  const entry = Object.entries(config.auths ?? {}).find(([key]) => canonicalHost(key) === host)?.[1];
  if (!entry) return undefined;
  const serveraddress = serverAddressFor(host);
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon <= 0) {
      throw new ParityError(
        "DockerConfigInvalid",
        `The credentials for ${host} in ${file} are not base64 "user:password".`,
        {
          location: { file, field: `auths.${host}.auth` },
          fix: `Run \`docker login ${host}\` again to rewrite them.`,
        },
      );
    }
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress };
  }
  if (entry.username && entry.password)
    return { username: entry.username, password: entry.password, serveraddress };
  return undefined;
}

async function askHelper(
  name: string,
  host: string,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal | undefined,
): Promise<RegistryCredentials | undefined> {
  const program = `docker-credential-${name}`;
  const serverAddress = serverAddressFor(host);
  const timeout = AbortSignal.timeout(HELPER_TIMEOUT_MS);
  const failed = (why: string): ParityError =>
    new ParityError(
      "CredentialHelperFailed",
      `The credential helper ${program} could not give the credentials for ${host}: ${why}`,
      {
        fix: `Check the helper with \`echo ${serverAddress} | ${program} get\`, or sign in again with \`docker login ${host}\`.`,
      },
    );
  let result;
  try {
    result = await runProcess(program, ["get"], {
      env,
      input: `${serverAddress}\n`,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (error) {
    if (timeout.aborted && !signal?.aborted)
      throw failed(`it gave no answer within ${HELPER_TIMEOUT_MS / 1000} s.`);
    if (error instanceof ParityError && error.code === "ProgramMissing") {
      throw failed("it is not installed or not on PATH (config.json names it in credHelpers or credsStore).");
    }
    throw error;
  }
  // A helper says "credentials not found" (and exits non-zero) for a host it has nothing for.
  if (result.code !== 0) {
    if (/not found/i.test(result.stdout + result.stderr)) return undefined;
    throw failed(`it exited with code ${result.code} (${firstLine(result.stderr) || "no message"}).`);
  }
  let answer: { Username?: unknown; Secret?: unknown };
  try {
    answer = JSON.parse(result.stdout) as typeof answer;
  } catch {
    throw failed("its answer is not JSON.");
  }
  if (typeof answer.Username !== "string" || typeof answer.Secret !== "string" || !answer.Secret)
    return undefined;
  return { username: answer.Username, password: answer.Secret, serveraddress: serverAddress };
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0] ?? "";
}
