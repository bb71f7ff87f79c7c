import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { Agent } from "node:https";
import type Dockerode from "dockerode";
import { CancelledError, ParityError } from "../../core/errors";
import { DOCKER_HOST_SETTING } from "../../core/dockerHostSetting";

export interface DockerConnection {
  docker: Dockerode;
  /** Where the engine is, e.g. "unix:///var/run/docker.sock". */
  endpoint: string;
  /** Why that endpoint: "DOCKER_HOST", "<name> setting" (DOCKER_HOST_SETTING), "context <name>" or "default". */
  source: string;
}

export interface DockerTls {
  /** PEM text; absent means the system's trusted CAs. */
  ca?: string;
  cert?: string;
  key?: string;
  /** False when the user asked to skip verification (a context's SkipTLSVerify). */
  verify: boolean;
}

/** Where the engine is and how to reach it, as the docker CLI would resolve it. */
export type DockerEndpoint =
  | { kind: "unix"; socketPath: string; url: string; source: string }
  | { kind: "tcp"; host: string; port: number; url: string; source: string; tls?: DockerTls };

export interface EndpointLookup {
  /** The user's home, where `.docker/` lives unless DOCKER_CONFIG says otherwise. */
  homeDir: string;
  /** A file's text, or undefined when it does not exist. */
  readFile: (path: string) => string | undefined;
}

export const DEFAULT_SOCKET = "/var/run/docker.sock";

/**
 * Resolves the engine endpoint with the docker CLI's precedence: DOCKER_HOST, then DOCKER_CONTEXT,
 * then the config's currentContext, then the default socket. Pure: all files come from `readFile`.
 */
export function resolveDockerEndpoint(env: NodeJS.ProcessEnv, lookup: EndpointLookup): DockerEndpoint {
  const configDir = env.DOCKER_CONFIG || join(lookup.homeDir, ".docker");
  if (env.DOCKER_HOST) return endpointFromEnvHost(env.DOCKER_HOST, env, configDir, lookup);

  let contextName = env.DOCKER_CONTEXT;
  let contextOrigin = "DOCKER_CONTEXT";
  if (!contextName) {
    contextName = readCurrentContext(configDir, lookup);
    contextOrigin = `${join(configDir, "config.json")} (currentContext)`;
  }
  if (!contextName || contextName === "default") {
    return { kind: "unix", socketPath: DEFAULT_SOCKET, url: `unix://${DEFAULT_SOCKET}`, source: "default" };
  }
  return endpointFromContext(contextName, contextOrigin, configDir, lookup);
}

function endpointFromEnvHost(
  host: string,
  env: NodeJS.ProcessEnv,
  configDir: string,
  lookup: EndpointLookup,
): DockerEndpoint {
  const setting = env[DOCKER_HOST_SETTING];
  const source = setting ? `${setting} setting` : "DOCKER_HOST";
  if (!host.startsWith("tcp://")) return parseHost(host, source);
  const verify = Boolean(env.DOCKER_TLS_VERIFY);
  if (!verify && !env.DOCKER_TLS) return parseHost(host, source);
  const certDir = env.DOCKER_CERT_PATH || configDir;
  const tls = readTlsFiles(certDir, verify, lookup);
  if (verify && tls.ca === undefined) {
    throw new ParityError(
      "DockerTlsCaMissing",
      `DOCKER_TLS_VERIFY is set but there is no CA certificate at ${join(certDir, "ca.pem")}.`,
      {
        fix: "Point DOCKER_CERT_PATH at the folder holding ca.pem, cert.pem and key.pem, or unset DOCKER_TLS_VERIFY.",
      },
    );
  }
  return parseHost(host, source, tls);
}

function readCurrentContext(configDir: string, lookup: EndpointLookup): string | undefined {
  const path = join(configDir, "config.json");
  const text = lookup.readFile(path);
  if (text === undefined) return undefined;
  const config = parseJson(text, path) as { currentContext?: unknown };
  return typeof config.currentContext === "string" ? config.currentContext : undefined;
}

/** The docker CLI stores each context under the SHA-256 of its name. */
export function contextDirName(name: string): string {
  return createHash("sha256").update(name).digest("hex");
}

function endpointFromContext(
  name: string,
  origin: string,
  configDir: string,
  lookup: EndpointLookup,
): DockerEndpoint {
  const id = contextDirName(name);
  const metaPath = join(configDir, "contexts", "meta", id, "meta.json");
  const text = lookup.readFile(metaPath);
  if (text === undefined) {
    throw new ParityError(
      "DockerContextMissing",
      `The Docker context "${name}" (from ${origin}) does not exist: ${metaPath} is missing.`,
      { fix: 'Run "docker context ls" to see the contexts and "docker context use <name>" to pick one.' },
    );
  }
  const meta = parseJson(text, metaPath) as {
    Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } };
  };
  const dockerEndpoint = meta.Endpoints?.docker;
  if (typeof dockerEndpoint?.Host !== "string" || dockerEndpoint.Host === "") {
    throw new ParityError(
      "DockerContextInvalid",
      `The Docker context "${name}" has no Docker endpoint (Endpoints.docker.Host in ${metaPath}).`,
      { fix: `Recreate it with "docker context create ${name} --docker host=<address>".` },
    );
  }
  const source = `context ${name}`;
  const host = dockerEndpoint.Host;
  if (!host.startsWith("tcp://")) return parseHost(host, source);
  const verify = dockerEndpoint.SkipTLSVerify !== true;
  const tls = readTlsFiles(join(configDir, "contexts", "tls", id, "docker"), verify, lookup);
  // As the docker CLI: TLS when the context stores TLS material or asks to skip verification.
  const usesTls = tls.ca !== undefined || tls.cert !== undefined || !verify;
  return parseHost(host, source, usesTls ? tls : undefined);
}

function readTlsFiles(dir: string, verify: boolean, lookup: EndpointLookup): DockerTls {
  const ca = lookup.readFile(join(dir, "ca.pem"));
  const cert = lookup.readFile(join(dir, "cert.pem"));
  const key = lookup.readFile(join(dir, "key.pem"));
  if ((cert === undefined) !== (key === undefined)) {
    throw new ParityError(
      "DockerTlsIncomplete",
      `The Docker TLS folder ${dir} has ${cert === undefined ? "key.pem but no cert.pem" : "cert.pem but no key.pem"}.`,
      { fix: "Put both the client certificate (cert.pem) and its key (key.pem) there, or neither." },
    );
  }
  return { ca, cert, key, verify };
}

function parseHost(host: string, source: string, tls?: DockerTls): DockerEndpoint {
  if (host.startsWith("unix://")) {
    const socketPath = host.slice("unix://".length) || DEFAULT_SOCKET;
    return { kind: "unix", socketPath, url: `unix://${socketPath}`, source };
  }
  if (host.startsWith("ssh://")) {
    throw new ParityError(
      "DockerSshUnsupported",
      `The Docker engine address ${host}, ${addressOrigin(source)}, is reached over SSH, which Parity cannot do yet.`,
      {
        fix:
          "Forward the remote socket yourself (ssh -NL /tmp/remote-docker.sock:/var/run/docker.sock <user>@<host>) " +
          `and use unix:///tmp/remote-docker.sock: ${changeAddress(source)}.`,
      },
    );
  }
  if (host.startsWith("tcp://")) {
    let url: URL;
    try {
      url = new URL(host);
    } catch {
      throw unsupportedHost(host, source);
    }
    const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
    if (!hostname) throw unsupportedHost(host, source);
    // The engine's conventional ports: 2376 with TLS, 2375 without.
    const port = url.port ? Number(url.port) : tls ? 2376 : 2375;
    return {
      kind: "tcp",
      host: hostname,
      port,
      url: `tcp://${url.hostname}:${port}`,
      source,
      ...(tls && { tls }),
    };
  }
  throw unsupportedHost(host, source);
}

function unsupportedHost(host: string, source: string): ParityError {
  return new ParityError(
    "DockerHostUnsupported",
    `The Docker engine address "${host}", ${addressOrigin(source)}, is not one Parity understands.`,
    { fix: `Use unix:///path/to/docker.sock or tcp://host:port: ${changeAddress(source)}.` },
  );
}

function parseJson(text: string, path: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === "object") return value;
  } catch {
    // Reported below with the file's name.
  }
  throw new ParityError("DockerConfigInvalid", `${path} is not a valid JSON object.`, {
    location: { file: path },
    fix: "Fix or remove the file (the docker CLI rewrites it), then try again.",
  });
}

export function readFileIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Connects to the Docker engine the docker CLI would use. dockerode loads here, on first use. */
export async function connectDocker(
  env: NodeJS.ProcessEnv = process.env,
  lookup: EndpointLookup = { homeDir: homedir(), readFile: readFileIfExists },
): Promise<DockerConnection> {
  const endpoint = resolveDockerEndpoint(env, lookup);
  const { default: Docker } = await import("dockerode");
  // Every key is set so that dockerode's own reading of process.env cannot override ours.
  const common = {
    host: undefined,
    port: undefined,
    socketPath: undefined,
    ca: undefined,
    cert: undefined,
    key: undefined,
  };
  let options: Dockerode.DockerOptions & { agent?: Agent };
  if (endpoint.kind === "unix") {
    options = { ...common, socketPath: endpoint.socketPath, protocol: "http" };
  } else if (!endpoint.tls) {
    options = { ...common, host: endpoint.host, port: endpoint.port, protocol: "http" };
  } else {
    const { ca, cert, key, verify } = endpoint.tls;
    options = { ...common, host: endpoint.host, port: endpoint.port, protocol: "https", ca, cert, key };
    if (!verify) {
      // dockerode takes an agent (undeclared in its types); request options cannot skip verification.
      options.agent = new Agent({ ca, cert, key, rejectUnauthorized: false });
    }
  }
  return { docker: new Docker(options), endpoint: endpoint.url, source: endpoint.source };
}

const PING_TIMEOUT_MS = 10_000;

/** Checks that an engine answers at the connection's endpoint; a ParityError says what to do if not. */
export async function pingDocker(
  connection: DockerConnection,
  signal?: AbortSignal,
  timeoutMs = PING_TIMEOUT_MS,
): Promise<void> {
  if (signal?.aborted) throw new CancelledError();
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let answer: unknown;
  try {
    // dockerode's ping takes an abortSignal option that its types do not declare.
    const ping = connection.docker.ping as unknown as (options: {
      abortSignal: AbortSignal;
    }) => Promise<unknown>;
    answer = await ping.call(connection.docker, { abortSignal: combined });
  } catch (error) {
    if (signal?.aborted) throw new CancelledError();
    // An HTTP status means something answered: a web server, a proxy, another service's port.
    if (typeof (error as { statusCode?: unknown }).statusCode === "number") {
      throw notDocker(connection, error);
    }
    throw engineUnreachable(
      connection,
      error,
      timeout.aborted ? `no answer within ${timeoutMs / 1000} s` : undefined,
    );
  }
  // Every Docker engine (and Podman's) answers /_ping with "OK"; a web server may answer 200 too.
  if (String(answer) !== "OK") throw notDocker(connection);
}

/** Where an address came from, as a sentence names it: "the address in the DOCKER_HOST variable". */
function addressOrigin(source: string): string {
  if (source === "default") return "Docker's default socket";
  if (source === "DOCKER_HOST") return "the address in the DOCKER_HOST variable";
  if (source.startsWith("context "))
    return `the address of the docker context ${source.slice("context ".length)}`;
  return `the address in the ${source}`;
}

/** What to change for another engine: the place the address came from. */
function changeAddress(source: string): string {
  if (source === "default") return "set DOCKER_HOST if your engine listens elsewhere";
  if (source === "DOCKER_HOST")
    return "point DOCKER_HOST at your engine (unset, the docker context's is used)";
  if (source.startsWith("context ")) return 'choose another engine with "docker context use <name>"';
  return `change the ${source} to your engine's address (empty: DOCKER_HOST, then the docker context)`;
}

/** One sentence: the page such a server sends back (HTML, often long) says nothing useful here. */
function notDocker(connection: DockerConnection, cause?: unknown): ParityError {
  return new ParityError(
    "NotDockerEngine",
    `${connection.endpoint}, ${addressOrigin(connection.source)}, answered, but it is not a Docker engine.`,
    {
      fix: `${capitalized(changeAddress(connection.source))}: the engine's own address, not another service's.`,
      cause,
      retryable: true,
    },
  );
}

/** Why nothing answered, in words: node's error codes are not for the user. */
function unreachableReason(error: unknown, timedOut: string | undefined): string {
  if (timedOut) return timedOut;
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case "ENOENT":
      return "no socket exists there";
    case "ECONNREFUSED":
      return "the connection was refused";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "the host name is not known";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "the host cannot be reached";
    default:
      return (error instanceof Error ? error.message : String(error)).replace(/[.\s]+$/, "");
  }
}

function engineUnreachable(connection: DockerConnection, error: unknown, timedOut?: string): ParityError {
  const where = `${connection.endpoint}, ${addressOrigin(connection.source)}`;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EACCES") {
    return new ParityError("DockerPermissionDenied", `Parity may not use the Docker socket at ${where}.`, {
      fix: 'Add your user to the "docker" group (then log in again), or run Parity as a user who may.',
      cause: error,
    });
  }
  const start =
    connection.source === "default" ? "Start Docker (or run scripts/ensure-docker.sh)" : "Start that engine";
  const fix = `${start}, or ${changeAddress(connection.source)}.`;
  return new ParityError(
    "DockerUnreachable",
    `No Docker engine answers at ${where}: ${unreachableReason(error, timedOut)}.`,
    { fix, cause: error, retryable: true },
  );
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
