import type Dockerode from "dockerode";
import { ParityError } from "../../core/errors";
import type { LogLine } from "../../core/job/types";
import { readRunOutput } from "./engineLog";
import { hostConfigFor, type ContainerSpec } from "./runContainer";

/** A container that serves until it is stopped: published on loopback only, under the profile's limits. */
export interface ServingContainerSpec extends Omit<
  ContainerSpec,
  "command" | "mounts" | "network" | "workingDir"
> {
  /** Arguments after the image's entrypoint. */
  args: string[];
  /** The port the server listens on inside the container. */
  containerPort: number;
  /** The port on 127.0.0.1; 0 or absent: one the engine picks. */
  hostPort?: number;
}

export interface StartedServer {
  containerId: string;
  /** The port on 127.0.0.1 the server answers on. */
  port: number;
}

/**
 * Creates and starts a serving container, published on 127.0.0.1 only (never on every interface),
 * and says the port the engine gave it. A port already taken is said as such.
 */
export async function startServingContainer(
  docker: Dockerode,
  spec: ServingContainerSpec,
): Promise<StartedServer> {
  const port = `${spec.containerPort}/tcp`;
  const hostConfig: Dockerode.HostConfig = {
    ...hostConfigFor({ ...spec, mounts: [] }),
    PortBindings: { [port]: [{ HostIp: "127.0.0.1", HostPort: spec.hostPort ? String(spec.hostPort) : "" }] },
  };
  const container = await docker.createContainer({
    Image: spec.image,
    Cmd: spec.args,
    Env: Object.entries(spec.env ?? {}).map(([name, value]) => `${name}=${value}`),
    User: spec.user,
    Labels: spec.labels,
    ExposedPorts: { [port]: {} },
    HostConfig: hostConfig,
    ...(spec.name ? { name: spec.name } : {}),
  });
  try {
    await container.start();
  } catch (error) {
    await container.remove({ force: true }).catch(() => undefined);
    const message = (error as { json?: { message?: string } }).json?.message ?? (error as Error).message;
    if (/address already in use|port is already allocated/i.test(message)) {
      throw new ParityError(
        "PortInUse",
        `Port ${spec.hostPort} on 127.0.0.1 is already in use, so the endpoint cannot listen there.`,
        {
          fix: "Choose another port (--port), or leave it out and let Parity pick a free one.",
        },
      );
    }
    throw new ParityError(
      "ContainerFailed",
      `The Docker engine could not start the model server: ${message}`,
      {
        fix: "Check that the Docker engine is running, then try again.",
        cause: error,
      },
    );
  }
  const info = await container.inspect();
  const bound =
    info.NetworkSettings.Ports?.[port]?.find((binding) => binding.HostIp === "127.0.0.1") ??
    info.NetworkSettings.Ports?.[port]?.[0];
  const hostPort = Number(bound?.HostPort);
  if (!Number.isInteger(hostPort) || hostPort <= 0) {
    await container.remove({ force: true }).catch(() => undefined);
    throw new ParityError(
      "ContainerFailed",
      "The Docker engine started the model server but published no port for it.",
      {
        fix: "Check the engine's port publishing (a rootless engine needs its port driver), then try again.",
      },
    );
  }
  return { containerId: container.id, port: hostPort };
}

/** How a serving container stands now: running, or how it ended (exit code, OOM, the engine's error). */
export interface ServingState {
  running: boolean;
  exitCode: number;
  oomKilled: boolean;
  startedAt?: string;
  finishedAt?: string;
  error?: string;
}

/** The container's state, or undefined when it is gone. */
export async function servingState(
  docker: Dockerode,
  containerId: string,
): Promise<ServingState | undefined> {
  try {
    const state = (await docker.getContainer(containerId).inspect()).State;
    return {
      running: state.Running,
      exitCode: state.ExitCode,
      oomKilled: Boolean(state.OOMKilled),
      startedAt: state.StartedAt && !state.StartedAt.startsWith("0001-") ? state.StartedAt : undefined,
      finishedAt: state.FinishedAt && !state.FinishedAt.startsWith("0001-") ? state.FinishedAt : undefined,
      error: state.Error || undefined,
    };
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

/** A serving container's output followed: `done` settles when it ends or `stop()` leaves it. */
export interface FollowedOutput {
  done: Promise<void>;
  stop(): void;
}

/**
 * Follows a serving container's output from its start, in the engine's order, until the container
 * ends or `stop()` is called (a detached endpoint goes on without this process).
 */
export async function followServingOutput(
  docker: Dockerode,
  containerId: string,
  onLine: (line: LogLine) => void | Promise<void>,
): Promise<FollowedOutput> {
  const stream = (await docker.getContainer(containerId).logs({
    follow: true,
    stdout: true,
    stderr: true,
    timestamps: true,
  })) as unknown as NodeJS.ReadableStream & AsyncIterable<Buffer> & { destroy(): void };
  let stopped = false;
  const done = readRunOutput(stream, onLine).then(
    () => undefined,
    (error: unknown) => {
      if (!stopped) throw error;
    },
  );
  return {
    done,
    stop: () => {
      stopped = true;
      stream.destroy();
    },
  };
}

/** The container's whole output so far, without waiting for more. */
export async function outputSoFar(docker: Dockerode, containerId: string): Promise<LogLine[]> {
  const raw = (await docker.getContainer(containerId).logs({
    follow: false,
    stdout: true,
    stderr: true,
    timestamps: true,
  })) as unknown as Buffer;
  const lines: LogLine[] = [];
  await readRunOutput(
    (async function* () {
      yield raw;
    })(),
    (line) => void lines.push(line),
  );
  return lines;
}

/**
 * Stops a serving container: SIGTERM (KServe's server shuts down gracefully), killed after
 * `graceSeconds`. Already stopped or gone is fine.
 */
export async function stopServingContainer(
  docker: Dockerode,
  containerId: string,
  graceSeconds = 5,
): Promise<void> {
  await docker
    .getContainer(containerId)
    .stop({ t: graceSeconds })
    .catch((error: unknown) => {
      const status = (error as { statusCode?: number }).statusCode;
      if (status !== 304 && status !== 404 && status !== 409) throw error;
    });
}

/**
 * Whether a GET of `url` answers 2xx within `ms`. The timer is an ordinary (ref'd) one: a request
 * hanging on a port whose container just died must not leave the process with nothing to wait on
 * (AbortSignal.timeout's timer does not keep Node alive, and Node then exits mid-await).
 */
export async function answersWithin(url: string, ms: number, cancel: AbortSignal): Promise<boolean> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ms);
  try {
    const response = await fetch(url, { signal: AbortSignal.any([cancel, abort.signal]) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
