import type Dockerode from "dockerode";
import { CancelledError, ParityError } from "../../core/errors";
import type { MeasuredPeak } from "../../core/job/peakMemory";
import type { JobLimits, LogLine } from "../../core/job/types";
import { followContainerOutput, type readRunOutput } from "./engineLog";

export type ContainerLimits = JobLimits;

export interface Mount {
  hostPath: string;
  containerPath: string;
  readOnly: boolean;
}

export interface ContainerSpec {
  image: string;
  command?: string[];
  env?: Record<string, string>;
  workingDir?: string;
  /** "uid[:gid]"; the image's user when absent. */
  user?: string;
  mounts?: Mount[];
  labels?: Record<string, string>;
  limits: ContainerLimits;
  network?: string;
  name?: string;
}

export interface ContainerCallbacks {
  onStarted?: (containerId: string) => void;
  /**
   * Each line, in the order the engine logged them (see readRunOutput), with the engine's time; a
   * promise returned holds the reading back until it settles.
   */
  onLog?: (line: LogLine) => void | Promise<void>;
}

type RunOutputEnd = Awaited<ReturnType<typeof readRunOutput>>;

export interface ContainerOutcome {
  containerId: string;
  exitCode: number;
  oomKilled: boolean;
  cancelled: boolean;
  /** The peak the job reported as it ended (a Parity notebook with tagged output); none from anything else. */
  peak?: MeasuredPeak;
  startedAt: string;
  finishedAt: string;
  /** The engine's own error for the container (e.g. a missing executable). */
  error?: string;
}

/** The HostConfig that enforces the profile's limits exactly; swap is off, as on a cluster node. */
export function hostConfigFor(spec: ContainerSpec): Dockerode.HostConfig {
  const { limits } = spec;
  const config: Dockerode.HostConfig = {
    Memory: limits.memoryBytes,
    MemorySwap: limits.memoryBytes,
    NanoCpus: limits.nanoCpus,
    ShmSize: limits.shmBytes,
    // Structured mounts, not "src:dst:ro" strings, so a path may contain ":" or ",".
    Mounts: (spec.mounts ?? []).map((m) => ({
      Type: "bind" as const,
      Source: m.hostPath,
      Target: m.containerPath,
      ReadOnly: m.readOnly,
    })),
    AutoRemove: false,
  };
  if (spec.network) config.NetworkMode = spec.network;
  if (limits.gpu > 0) {
    config.DeviceRequests = [{ Driver: "nvidia", Count: limits.gpu, Capabilities: [["gpu"]] }];
  }
  return config;
}

/**
 * Runs one container to its end: streams its logs line by line in the engine's order, inspects it
 * BEFORE removing it (exit code and OOMKilled are lost after),
 * and always removes it. Aborting the signal kills and removes the container.
 */
export async function runContainer(
  docker: Dockerode,
  spec: ContainerSpec,
  callbacks: ContainerCallbacks = {},
  signal?: AbortSignal,
): Promise<ContainerOutcome> {
  if (signal?.aborted) throw new CancelledError();
  const container = await docker
    .createContainer({
      Image: spec.image,
      Cmd: spec.command,
      Env: Object.entries(spec.env ?? {}).map(([name, value]) => `${name}=${value}`),
      WorkingDir: spec.workingDir,
      User: spec.user,
      Labels: spec.labels,
      name: spec.name,
      HostConfig: hostConfigFor(spec),
      AttachStdout: false,
      AttachStderr: false,
      // dockerode also copies every option into the URL unless told which belong there: the engine
      // refuses a URL over 1 MiB (HTTP 431), so a large env failed there though the body carries it.
      _query: spec.name === undefined ? {} : { name: spec.name },
    } as Dockerode.ContainerCreateOptions)
    .catch((error: unknown) => {
      throw explainEngineError(error, spec);
    });
  let cancelled = false;
  const onAbort = (): void => {
    cancelled = true;
    container.kill().catch(() => undefined);
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await container.start();
    callbacks.onStarted?.(container.id);
    if (signal?.aborted) onAbort();
    // A log stream that breaks loses the lines after it, not the run: its end still comes from the engine.
    const logsDone = followContainerOutput(container, (line) => callbacks.onLog?.(line)).catch(
      (): RunOutputEnd => ({}),
    );
    const waited = (await container.wait()) as { StatusCode: number; Error?: { Message?: string } | null };
    const { peak } = await logsDone;
    const state = (await container.inspect()).State;
    return {
      containerId: container.id,
      exitCode: state.ExitCode ?? waited.StatusCode,
      oomKilled: Boolean(state.OOMKilled),
      cancelled,
      peak,
      startedAt: state.StartedAt,
      finishedAt: state.FinishedAt,
      error: state.Error || waited.Error?.Message || undefined,
    };
  } catch (error) {
    if (cancelled) throw new CancelledError();
    throw explainEngineError(error, spec);
  } finally {
    signal?.removeEventListener("abort", onAbort);
    await container.remove({ force: true, v: true }).catch(() => undefined);
  }
}

function explainEngineError(error: unknown, spec: ContainerSpec): Error {
  const statusCode = (error as { statusCode?: number }).statusCode;
  const message = (error as { json?: { message?: string } }).json?.message ?? (error as Error).message;
  if (statusCode === 404 && /image/i.test(message)) {
    return new ParityError("ImageNotFound", `The image ${spec.image} is not in the local Docker engine.`, {
      fix: "Build it first (parity build), or check the image name in parity.yaml.",
    });
  }
  if (/could not select device driver "nvidia"/i.test(message)) {
    return new ParityError(
      "NoGpuRuntime",
      `The profile asks for ${spec.limits.gpu} GPU(s), but this Docker engine has no NVIDIA runtime.`,
      {
        location: { field: "resources.gpu" },
        fix: "Install the NVIDIA Container Toolkit on this machine and restart Docker; the cluster target still gets the GPUs.",
      },
    );
  }
  return new ParityError("ContainerFailed", `The Docker engine could not run the container: ${message}`, {
    fix: "Check that the Docker engine is running and the image exists, then try again.",
    cause: error,
  });
}
